/*
 * fuzz_resume: the bytes as a collector's output file continued with
 * --append (ipfix_collector_new with out.append, resume.c): the file read
 * back through the reader, the decoder and the details records' session
 * ids into the association, a cut tail cut off. Either the file is
 * refused with a reason, or the collector starts with what it found: the
 * kept part never beyond the file, new sessions above its ids, and every
 * statistic can be asked for. A new session of the first exporter's
 * address is opened so that a chain read back is walked.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/stat.h>

#include "collector.h"
#include "fuzz.h"

static void
on_exp(const struct ipfix_collector_exp_stats *e, void *arg)
{
	(void)arg;
	FUZZ_ASSERT(e->c.lost >= e->lost_between);
}

static void
on_sess(const struct ipfix_collector_sess_stats *s, void *arg)
{
	FUZZ_ASSERT(s->id > *(uint32_t *)arg);
}

/* One new session that continues whatever chain the file left. */
static void
one_session(struct ipfix_collector *col, uint32_t last)
{
	struct ipfix_collector_peer p;
	struct sockaddr_in *a = (struct sockaddr_in *)&p.exporter;
	uint32_t id;

	memset(&p, 0, sizeof(p));
	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(0x7f000001);
	p.collector.ss_family = AF_INET;
	p.proto = IPPROTO_UDP;
	p.scheme = "dtls";
	p.identity = "psk=exp1";
	id = ipfix_collector_open(col, &p, NULL);
	FUZZ_ASSERT(id == 0 || id == last + 1);
	ipfix_collector_foreach_exporter(col, on_exp, NULL);
	ipfix_collector_foreach_session(col, on_sess, &last);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipfix_collector_config cfg;
	struct ipfix_resume_info in;
	struct ipfix_collector *col;
	struct fuzz_file ff;
	struct ipfix_err err;
	struct stat st;

	if (fuzz_file_open(&ff, data, size) == -1)
		return 0;
	memset(&cfg, 0, sizeof(cfg));
	cfg.out.path = ff.path;
	cfg.out.append = true;
	memset(&err, 0, sizeof(err));
	if ((col = ipfix_collector_new(&cfg, NULL, &err)) == NULL) {
		FUZZ_ASSERT(err.code != IPFIX_OK && err.reason[0] != '\0');
		fuzz_file_close(&ff);
		return 0;
	}
	ipfix_collector_resumed(col, &in);
	FUZZ_ASSERT(in.size == size && in.kept <= in.size);
	FUZZ_ASSERT(fstat(ff.fd, &st) == 0 && (uint64_t)st.st_size == in.kept);
	one_session(col, in.last_id);
	(void)ipfix_collector_free(col, NULL);
	fuzz_file_close(&ff);
	return 0;
}
