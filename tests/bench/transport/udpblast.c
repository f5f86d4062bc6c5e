/*
 * udpblast: the same UDP load for every collector in tests/bench/transport
 * (tcpreplay onto lo never reaches local sockets: peer-tools.md). Sends
 * the IPFIX messages of a stream file LOOPS times at RATE messages per
 * second (0: as fast as sendmmsg goes; paced by sleeping, so the blaster
 * leaves the CPU to the collector), in batches of up to 32, keeping
 * sequence numbers continuous across loops (each loop adds
 * RECORDS_PER_LOOP, the file's data records; one ODID assumed) and the
 * export time at the current time, so a collector sees one long, correct
 * Transport Session. Prints "sent=MSGS records=N seconds=S msgs/s=R".
 * usage: udpblast FILE HOST PORT RATE LOOPS RECORDS_PER_LOOP
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BATCH	32
#define MAXMSG	4096	/* messages in the file */

struct stream {
	uint8_t *data;
	size_t off[MAXMSG];
	size_t len[MAXMSG];
	int n;
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
load(const char *path, struct stream *s)
{
	size_t size, pos = 0, len;
	struct stat st;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL || fstat(fileno(f), &st))
		return -1;
	size = (size_t)st.st_size;
	if ((s->data = malloc(size)) == NULL ||
	    fread(s->data, 1, size, f) != size) {
		fclose(f);
		return -1;
	}
	fclose(f);
	for (s->n = 0; size - pos >= 16 && s->n < MAXMSG; s->n++) {
		len = (size_t)s->data[pos + 2] << 8 | s->data[pos + 3];
		if (len < 16 || len > size - pos)
			return -1;
		s->off[s->n] = pos;
		s->len[s->n] = len;
		pos += len;
	}
	return s->n > 0 ? 0 : -1;
}

/* Sleep until the monotonic time t (seconds). */
static void
wait_until(double t)
{
	struct timespec ts;

	if (now() >= t)
		return;
	ts.tv_sec = (time_t)t;
	ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* One loop's adjustment: sequence offset and a fresh export time. */
static void
stamp(struct stream *s, const uint32_t *seq0, uint32_t add)
{
	uint32_t t = (uint32_t)time(NULL);
	int i;

	for (i = 0; i < s->n; i++) {
		put32(s->data + s->off[i] + 4, t);
		put32(s->data + s->off[i] + 8, seq0[i] + add);
	}
}

int
main(int argc, char **argv)
{
	static struct stream s;
	static uint32_t seq0[MAXMSG];
	struct mmsghdr mm[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in sin;
	double rate, t0;
	long loops, l;
	uint64_t sent = 0, per_loop;
	int fd, i, k, n;

	if (argc != 7) {
		fprintf(stderr, "usage: udpblast FILE HOST PORT RATE LOOPS "
		    "RECORDS_PER_LOOP\n");
		return 2;
	}
	if (load(argv[1], &s)) {
		fprintf(stderr, "udpblast: cannot read messages of %s\n",
		    argv[1]);
		return 1;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)strtoul(argv[3], NULL, 10));
	if (inet_pton(AF_INET, argv[2], &sin.sin_addr) != 1)
		return 2;
	rate = strtod(argv[4], NULL);
	loops = strtol(argv[5], NULL, 10);
	per_loop = strtoull(argv[6], NULL, 10);
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) < 0 ||
	    connect(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		perror("udpblast: socket");
		return 1;
	}
	for (i = 0; i < s.n; i++)
		seq0[i] = get32(s.data + s.off[i] + 8);
	t0 = now();
	for (l = 0; l < loops; l++) {
		stamp(&s, seq0, (uint32_t)(per_loop * (uint64_t)l));
		for (i = 0; i < s.n; i += n) {
			n = s.n - i < BATCH ? s.n - i : BATCH;
			for (k = 0; k < n; k++) {
				iov[k].iov_base = s.data + s.off[i + k];
				iov[k].iov_len = s.len[i + k];
				memset(&mm[k], 0, sizeof(mm[k]));
				mm[k].msg_hdr.msg_iov = &iov[k];
				mm[k].msg_hdr.msg_iovlen = 1;
			}
			/* pace: no batch leaves before its time */
			if (rate > 0)
				wait_until(t0 + (double)sent / rate);
			if ((n = sendmmsg(fd, mm, n, 0)) <= 0)
				n = 0;
			sent += n;
		}
	}
	t0 = now() - t0;
	printf("sent=%llu records=%llu seconds=%.3f msgs/s=%.0f\n",
	    (unsigned long long)sent,
	    (unsigned long long)(per_loop * (uint64_t)loops), t0, sent / t0);
	close(fd);
	return 0;
}
