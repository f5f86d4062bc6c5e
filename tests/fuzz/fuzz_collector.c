/*
 * fuzz_collector: bytes -> the Collecting Process with sessions opened by
 * hand (ipfix_collector_open/feed/close, output to /dev/null), so that the
 * collector's own reading of decoded records is fuzzed: the association of
 * an exporter's sessions into chains and the exporter's RFC 7011 §4.1
 * statistics records it reads (assoc.c), then every statistic is asked for.
 *
 * Input: byte 0 configures the run, the rest is [session][u16 len][bytes]
 * chunks, each one message (or compressed frame) of that session.
 *   byte 0 bits 0-1  number of sessions at once - 1 (one exporter address)
 *          bit 2     sessions are authenticated (one PSK identity)
 *          bit 3     UDP sessions, else TCP
 *          bit 4     a session ends, and a new one of the same exporter
 *                    takes its place, after a message the collector says
 *                    must close it (-2) and after every 8th message
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "collector.h"
#include "fuzz.h"

#define NSESS	4

static void
peer(struct ipfix_collector_peer *p, uint8_t cfg, unsigned i)
{
	struct sockaddr_in *a = (struct sockaddr_in *)&p->exporter;
	struct sockaddr_in *c = (struct sockaddr_in *)&p->collector;

	memset(p, 0, sizeof(*p));
	a->sin_family = c->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(0xc0000201);
	a->sin_port = htons((uint16_t)(1000 + i));
	c->sin_addr.s_addr = htonl(0xc0000264);
	c->sin_port = htons(4739);
	p->proto = cfg & 8 ? IPPROTO_UDP : IPPROTO_TCP;
	p->identity = cfg & 4 ? "psk=fuzz" : NULL;
	p->resumed = (i & 1) != 0;
}

static void
exp_cb(const struct ipfix_collector_exp_stats *e, void *arg)
{
	FUZZ_ASSERT(e->handoffs + e->restarts <= e->sessions);
	(void)arg;
}

static void
sess_cb(const struct ipfix_collector_sess_stats *s, void *arg)
{
	FUZZ_ASSERT(s->prev < s->id);
	(void)arg;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipfix_collector_config cfg = { .out = { .path = "/dev/null" } };
	struct ipfix_collector_peer p;
	struct ipfix_collector_totals t;
	struct ipfix_collector *col;
	uint32_t id[NSESS] = { 0 };
	unsigned n, opened = 0, fed = 0;
	size_t pos = 1, len;
	uint8_t c0;
	int rc;

	if (size < 1 || (col = ipfix_collector_new(&cfg, NULL, NULL)) == NULL)
		return 0;
	c0 = data[0];
	n = (c0 & 3) + 1;
	while (pos + 3 <= size) {
		unsigned k = data[pos] % n;

		len = (size_t)data[pos + 1] << 8 | data[pos + 2];
		pos += 3;
		if (len > size - pos)
			len = size - pos;
		if (id[k] == 0) {
			peer(&p, c0, opened++);
			id[k] = ipfix_collector_open(col, &p, NULL);
		}
		rc = ipfix_collector_feed(col, id[k], data + pos, len, 0, NULL);
		pos += len;
		if ((c0 & 16) && (rc == -2 || ++fed % 8 == 0)) {
			ipfix_collector_close(col, id[k], NULL);
			id[k] = 0;
		}
	}
	ipfix_collector_totals(col, &t);
	ipfix_collector_foreach_exporter(col, exp_cb, NULL);
	ipfix_collector_foreach_session(col, sess_cb, NULL);
	(void)ipfix_collector_free(col, NULL);
	return 0;
}
