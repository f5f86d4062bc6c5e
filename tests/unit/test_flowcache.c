/*
 * Unit tests of flowcache: keys, counters, every expiry reason, biflow
 * pairing, fragments, --max-flows and the memory bound per flow.
 */
#include <stdlib.h>
#include <string.h>

#include "flowcache.h"
#include "testhelp.h"

#define SEC 1000000000LL
#define MAXREC 64

struct sink {
	struct flowcache_flow rec[MAXREC];
	int n;
	uint64_t total;
};

static int
collect(const struct flowcache_flow *f, void *arg, struct ipfix_err *err)
{
	struct sink *s = arg;

	(void)err;
	if (s->n < MAXREC)
		s->rec[s->n++] = *f;
	s->total++;
	return 0;
}

static struct pkt_info
mkpkt(uint8_t a, uint8_t b, uint16_t sp, uint16_t dp, uint8_t proto,
    uint32_t len)
{
	struct pkt_info pi;

	memset(&pi, 0, sizeof(pi));
	pi.level = PKT_TRANSPORT;
	pi.ip_version = 4;
	pi.src[0] = 10;
	pi.src[3] = a;
	pi.dst[0] = 10;
	pi.dst[3] = b;
	pi.sport = sp;
	pi.dport = dp;
	pi.proto = proto;
	pi.ip_len = len;
	pi.ttl = 64;
	return pi;
}

static struct flowcache *
mkcache(struct sink *s, int64_t idle, int64_t active, uint32_t max,
    bool bi)
{
	struct flowcache_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	memset(s, 0, sizeof(*s));
	cfg.idle_ns = idle;
	cfg.active_ns = active;
	cfg.max_flows = max;
	cfg.biflow = bi;
	return flowcache_new(&cfg, collect, s, NULL);
}

static void
test_idle(void)
{
	struct sink s;
	struct flowcache *fc = mkcache(&s, 15 * SEC, 1800 * SEC, 0, false);
	struct pkt_info a = mkpkt(1, 2, 1000, 53, 17, 100);
	struct pkt_info b = mkpkt(3, 4, 1000, 53, 17, 60);

	a.ttl = 60;
	flowcache_add(fc, &a, 1 * SEC, 0, NULL);
	a.ttl = 70;
	flowcache_add(fc, &a, 2 * SEC, 0, NULL);
	flowcache_add(fc, &b, 10 * SEC, 0, NULL);
	CHECK_EQ_U(s.n, 0, "idle: nothing expires before 15 s of silence");
	flowcache_add(fc, &b, 17 * SEC, 0, NULL);
	CHECK_EQ_U(s.n, 1, "idle: first flow expires at last+15 s");
	CHECK_EQ_U(s.rec[0].reason, FLOWCACHE_IDLE, "idle: reason 1");
	CHECK_EQ_U(s.rec[0].dir[0].packets, 2, "idle: 2 packets");
	CHECK_EQ_U(s.rec[0].dir[0].octets, 200, "idle: 200 octets");
	CHECK_EQ_U(s.rec[0].dir[0].start_ns, 1 * SEC, "idle: start time");
	CHECK_EQ_U(s.rec[0].dir[0].end_ns, 2 * SEC, "idle: end time");
	CHECK_EQ_U(s.rec[0].dir[0].ttl_min, 60, "idle: ttl min");
	CHECK_EQ_U(s.rec[0].dir[0].ttl_max, 70, "idle: ttl max");
	flowcache_flush(fc, FLOWCACHE_FORCED, NULL);
	CHECK_EQ_U(s.n, 2, "flush: the other flow");
	CHECK_EQ_U(s.rec[1].reason, FLOWCACHE_FORCED, "flush: reason 4");
	CHECK_EQ_U(s.rec[1].dir[0].packets, 2, "flush: 2 packets");
	flowcache_free(fc);
}

/* A busy flow is re-queued, not expired; an idle one hit by a packet is
 * ended first, so the late packet starts a new flow. */
static void
test_requeue(void)
{
	struct sink s;
	struct flowcache *fc = mkcache(&s, 10 * SEC, 0, 0, false);
	struct pkt_info a = mkpkt(1, 2, 1, 2, 17, 10);
	struct pkt_info b = mkpkt(3, 4, 1, 2, 17, 10);
	int t;

	flowcache_add(fc, &b, 0, 0, NULL);
	for (t = 0; t <= 30; t += 5)
		flowcache_add(fc, &a, t * SEC, 0, NULL);
	CHECK_EQ_U(s.n, 1, "requeue: only the silent flow expired");
	CHECK_EQ_U(s.rec[0].key.src[3], 3, "requeue: it is the silent one");
	flowcache_add(fc, &a, 45 * SEC, 0, NULL);
	CHECK_EQ_U(s.n, 2, "requeue: idle flow ended by its late packet");
	CHECK_EQ_U(s.rec[1].dir[0].packets, 7, "requeue: 7 packets in it");
	CHECK_EQ_U(s.rec[1].reason, FLOWCACHE_IDLE, "requeue: reason idle");
	flowcache_flush(fc, FLOWCACHE_FORCED, NULL);
	CHECK_EQ_U(s.rec[2].dir[0].packets, 1, "requeue: late packet alone");
	flowcache_free(fc);
}

static void
test_idle_zero(void)
{
	struct sink s;
	struct flowcache *fc = mkcache(&s, 0, 0, 0, false);
	struct pkt_info a = mkpkt(1, 2, 1, 2, 17, 50);

	flowcache_add(fc, &a, 1 * SEC, 0, NULL);
	flowcache_add(fc, &a, 1 * SEC, 0, NULL);
	CHECK_EQ_U(s.n, 2, "idle 0: one record per packet");
	flowcache_free(fc);
}

static void
test_active(void)
{
	struct sink s;
	struct flowcache *fc = mkcache(&s, 15 * SEC, 30 * SEC, 0, false);
	struct pkt_info a = mkpkt(1, 2, 1000, 80, 6, 40);
	int t;

	for (t = 0; t <= 40; t += 10)
		flowcache_add(fc, &a, t * SEC, 0, NULL);
	CHECK_EQ_U(s.n, 1, "active: one record after 30 s");
	CHECK_EQ_U(s.rec[0].reason, FLOWCACHE_ACTIVE, "active: reason 2");
	CHECK_EQ_U(s.rec[0].dir[0].packets, 3, "active: 3 packets before");
	flowcache_flush(fc, FLOWCACHE_FORCED, NULL);
	CHECK_EQ_U(s.rec[1].dir[0].packets, 2, "active: rest in a new flow");
	flowcache_free(fc);
}

static void
test_tcp_end(void)
{
	struct sink s;
	struct flowcache *fc = mkcache(&s, 15 * SEC, 0, 0, false);
	struct pkt_info a = mkpkt(1, 2, 1000, 80, 6, 40);

	a.tcp_flags = 0x02;
	flowcache_add(fc, &a, 1 * SEC, 0, NULL);
	a.tcp_flags = 0x10;
	flowcache_add(fc, &a, 1 * SEC, 0, NULL);
	a.tcp_flags = 0x11;
	flowcache_add(fc, &a, 2 * SEC, 0, NULL);
	CHECK_EQ_U(s.n, 1, "FIN ends a uniflow");
	CHECK_EQ_U(s.rec[0].reason, FLOWCACHE_END, "FIN: reason 3");
	CHECK_EQ_U(s.rec[0].dir[0].tcp_flags, 0x13, "FIN: flags union");
	a.tcp_flags = 0x04;
	flowcache_add(fc, &a, 3 * SEC, 0, NULL);
	CHECK_EQ_U(s.n, 2, "RST ends a flow");
	CHECK_EQ_U(s.rec[1].reason, FLOWCACHE_END, "RST: reason 3");
	flowcache_free(fc);
}

static void
test_biflow(void)
{
	struct sink s;
	struct flowcache *fc = mkcache(&s, 15 * SEC, 0, 0, true);
	struct pkt_info a = mkpkt(1, 2, 1000, 80, 6, 60);
	struct pkt_info b = mkpkt(2, 1, 80, 1000, 6, 1500);

	a.tcp_flags = 0x02;
	flowcache_add(fc, &a, 1 * SEC, 0, NULL);
	b.tcp_flags = 0x12;
	flowcache_add(fc, &b, 2 * SEC, 0, NULL);
	a.tcp_flags = 0x11;
	flowcache_add(fc, &a, 3 * SEC, 0, NULL);
	CHECK_EQ_U(s.n, 0, "biflow: one FIN does not end it");
	b.tcp_flags = 0x11;
	flowcache_add(fc, &b, 4 * SEC, 0, NULL);
	CHECK_EQ_U(s.n, 1, "biflow: both FINs end it");
	CHECK_EQ_U(s.rec[0].reason, FLOWCACHE_END, "biflow: reason 3");
	CHECK_EQ_U(s.rec[0].key.src[3], 1, "biflow: initiator is source");
	CHECK_EQ_U(s.rec[0].key.sport, 1000, "biflow: initiator port");
	CHECK_EQ_U(s.rec[0].dir[0].packets, 2, "biflow: forward packets");
	CHECK_EQ_U(s.rec[0].dir[1].packets, 2, "biflow: reverse packets");
	CHECK_EQ_U(s.rec[0].dir[1].octets, 3000, "biflow: reverse octets");
	CHECK_EQ_U(s.rec[0].dir[1].tcp_flags, 0x13, "biflow: reverse flags");
	CHECK_EQ_U(s.rec[0].dir[1].start_ns, 2 * SEC, "biflow: reverse start");
	flowcache_free(fc);
}

static void
test_max_flows(void)
{
	struct sink s;
	struct flowcache *fc = mkcache(&s, 15 * SEC, 0, 2, false);
	struct flowcache_stats st;
	struct pkt_info p;
	int i;

	for (i = 1; i <= 3; i++) {
		p = mkpkt((uint8_t)i, 9, 1, 2, 17, 10);
		flowcache_add(fc, &p, i * SEC, 0, NULL);
	}
	CHECK_EQ_U(s.n, 1, "max-flows: third flow evicts one");
	CHECK_EQ_U(s.rec[0].reason, FLOWCACHE_RESOURCES, "max-flows: reason 5");
	CHECK_EQ_U(s.rec[0].key.src[3], 1, "max-flows: the oldest goes");
	flowcache_get_stats(fc, &st);
	CHECK_EQ_U(st.expired[FLOWCACHE_RESOURCES], 1, "max-flows: counted");
	CHECK_EQ_U(st.active, 2, "max-flows: 2 active");
	flowcache_free(fc);
}

static void
test_keys(void)
{
	struct sink s;
	struct flowcache_config cfg;
	struct flowcache *fc;
	struct flowcache_stats st;
	struct pkt_info a = mkpkt(1, 2, 5, 6, 17, 10), b = a;

	b.vlan = 100;
	memset(&cfg, 0, sizeof(cfg));
	memset(&s, 0, sizeof(s));
	cfg.idle_ns = 15 * SEC;
	cfg.key_ifindex = true;
	fc = flowcache_new(&cfg, collect, &s, NULL);
	flowcache_add(fc, &a, 1, 1, NULL);
	flowcache_add(fc, &b, 2, 1, NULL);
	flowcache_add(fc, &a, 3, 2, NULL);
	flowcache_add(fc, &a, 4, 1, NULL);
	flowcache_get_stats(fc, &st);
	CHECK_EQ_U(st.flows, 3, "keys: VLAN and interface split flows");
	CHECK_EQ_U(st.packets, 4, "keys: packets metered");
	flowcache_flush(fc, FLOWCACHE_FORCED, NULL);
	/* flushed in queue (creation) order */
	CHECK_EQ_U(s.rec[0].key.ifindex, 1, "keys: ifindex kept");
	CHECK_EQ_U(s.rec[0].dir[0].packets, 2, "keys: same key joins");
	CHECK_EQ_U(s.rec[1].key.vlan, 100, "keys: vlan kept");
	CHECK_EQ_U(s.rec[2].key.ifindex, 2, "keys: other interface");
	flowcache_free(fc);
}

static void
test_fragments(void)
{
	struct sink s;
	struct flowcache *fc = mkcache(&s, 15 * SEC, 0, 0, false);
	struct flowcache_stats st;
	struct pkt_info f1 = mkpkt(1, 2, 4000, 53, 17, 1500), f2 = f1, o;

	f1.fragment = f1.first_fragment = true;
	f1.frag_id = 77;
	f2.fragment = true;
	f2.level = PKT_NET;
	f2.sport = f2.dport = 0;
	f2.frag_id = 77;
	o = f2;
	o.frag_id = 78;
	flowcache_add(fc, &f1, 1 * SEC, 0, NULL);
	flowcache_add(fc, &f2, 1 * SEC, 0, NULL);
	flowcache_add(fc, &o, 1 * SEC, 0, NULL);
	flowcache_get_stats(fc, &st);
	CHECK_EQ_U(st.frag_joined, 1, "fragments: later fragment joined");
	CHECK_EQ_U(st.frag_orphans, 1, "fragments: orphan counted");
	flowcache_flush(fc, FLOWCACHE_FORCED, NULL);
	CHECK_EQ_U(s.n, 2, "fragments: two flows");
	CHECK_EQ_U(s.rec[0].dir[0].packets, 2, "fragments: by fragment id");
	CHECK_EQ_U(s.rec[0].key.sport, 4000, "fragments: ports of the first");
	flowcache_free(fc);
}

/* Many flows: memory per flow and the expiry order. */
static void
test_memory(void)
{
	struct sink s;
	struct flowcache *fc = mkcache(&s, 15 * SEC, 0, 0, false);
	struct flowcache_stats st;
	struct pkt_info p = mkpkt(0, 0, 0, 0, 17, 100);
	uint32_t i, n = 200000;
	double per;

	for (i = 0; i < n; i++) {
		memcpy(p.src, &i, 4);
		p.sport = (uint16_t)i;
		flowcache_add(fc, &p, SEC + i, 0, NULL);
	}
	flowcache_get_stats(fc, &st);
	per = (double)(st.mem_peak - 2 * 1024 * 1024) / st.peak;
	printf("#  note: memory %zu bytes for %u flows = %.1f bytes/flow "
	    "(sizeof flow %zu; constant part <= 2 MiB)\n", st.mem_peak,
	    st.peak, per, sizeof(struct flowcache_flow));
	CHECK(per <= 150.0, "memory: <= 150 bytes per active flow");
	CHECK_EQ_U(st.active, n, "memory: all flows active");
	flowcache_tick(fc, 100 * SEC, NULL);
	CHECK_EQ_U(s.total, n, "memory: all expire on idle");
	CHECK(s.rec[0].dir[0].start_ns == SEC && s.rec[1].dir[0].start_ns ==
	    SEC + 1, "memory: expiry in timestamp order");
	flowcache_free(fc);
}

int
main(void)
{
	test_idle();
	test_idle_zero();
	test_requeue();
	test_active();
	test_tcp_end();
	test_biflow();
	test_max_flows();
	test_keys();
	test_fragments();
	test_memory();
	TEST_DONE();
}
