/*
 * meter: the capture loop. One struct carries every object of a run so the
 * flow cache's expiry callback can reach the exporter and the current
 * packet time (the export time of what it expires). Parsed packets go
 * through a short pipeline (a ring of RING): on arrival their hash bucket
 * is prefetched, LAG/2 packets later their flow, and LAG packets later they
 * are metered. With many flows the cache misses of the flow lookups
 * dominate, and this lets them overlap. Packets are still metered one by
 * one in capture order, so the result is the same. Live captures use no
 * lag, so a quiet interface does not hold packets back.
 */
#include <string.h>

#include "meter.h"
#include "pcap_in.h"
#include "stream.h"

#define NS 1000000000LL
#define PROGRESS_MASK 0xffff
#define RING 16			/* power of two, > LAG */
#define LAG 12

struct pending {
	struct pkt_info pi;
	int64_t ts;
	uint32_t hash;
};

struct meter {
	const struct meter_config *cfg;
	struct meter_stats *st;
	struct pcap_in *in;
	struct ipfix_writer *out;
	struct flowcache *fc;
	struct flowexport *fx;
	struct flowexport_meter m;
	int64_t now;
	bool started;
	int dlt;
	struct pending ring[RING];
	uint64_t nin, nout;		/* packets entered / metered */
	unsigned lag;
};

static int
write_msg(const uint8_t *msg, size_t len, void *arg, struct ipfix_err *err)
{
	struct meter *mt = arg;

	return ipfix_writer_write(mt->out, msg, len, err);
}

static int
export_flow(const struct flowcache_flow *f, void *arg, struct ipfix_err *err)
{
	struct meter *mt = arg;

	return flowexport_flow(mt->fx, f, mt->now, err);
}

static int
open_all(struct meter *mt, struct ipfix_err *err)
{
	const struct meter_config *c = mt->cfg;

	if ((mt->fx = flowexport_new(&c->exp, write_msg, mt, err)) == NULL)
		return -1;
	if (c->iface != NULL)
		mt->in = pcap_in_open_live(c->iface, c->filter,
		    c->snaplen > 0 ? c->snaplen : 65535, err);
	else if ((mt->in = pcap_in_open_file(c->input, NULL, 0, err)) !=
	    NULL && c->filter != NULL &&
	    pcap_in_set_filter(mt->in, c->filter, err) == -1)
		return -1;
	if (mt->in == NULL)
		return -1;
	mt->dlt = pcap_in_dlt(mt->in);
	if (!pkt_dlt_supported(mt->dlt))
		return ipfix_err_set(err, IPFIX_E_FORMAT, IPFIX_NO_OFFSET,
		    NULL, "%s: unsupported link type %d", c->input != NULL ?
		    c->input : c->iface, mt->dlt);
	if ((mt->out = ipfix_writer_open(c->output, c->gzip, err)) == NULL)
		return -1;
	mt->fc = flowcache_new(&c->cache, export_flow, mt, err);
	return mt->fc != NULL ? 0 : -1;
}

static int
close_all(struct meter *mt, struct ipfix_err *err)
{
	int rc = 0;

	if (mt->out != NULL && ipfix_writer_close(mt->out, err) == -1)
		rc = -1;
	if (mt->in != NULL)
		pcap_in_close(mt->in);
	flowcache_free(mt->fc);
	flowexport_free(mt->fx);
	return rc;
}

static void
ignore(struct meter *mt, const struct pcap_frame *f, int64_t ts)
{
	mt->st->ignored++;
	mt->st->ignored_octets += f->wirelen;
	mt->m.ignored_packets++;
	mt->m.ignored_octets += f->wirelen;
	if (mt->m.first_ignored_ns == 0)
		mt->m.first_ignored_ns = ts;
	mt->m.last_ignored_ns = ts;
}

/* Classify the parse result: metered (1), or counted and ignored (0). */
static int
classify(struct meter *mt, const struct pkt_info *pi)
{
	switch (pi->status) {
	case PKT_NOT_IP:
		mt->st->not_ip++;
		return 0;
	case PKT_MALFORMED:
		mt->st->malformed++;
		return 0;
	case PKT_TRUNCATED:
		mt->st->truncated++;
		break;
	default:
		break;
	}
	return pi->level >= PKT_NET ? 1 : 0;
}

static int
start(struct meter *mt, int64_t ts, struct ipfix_err *err)
{
	mt->started = true;
	mt->now = ts;
	return flowexport_start(mt->fx, ts, &mt->m, err);
}

static int
meter_one(struct meter *mt, struct ipfix_err *err)
{
	struct pending *p = &mt->ring[mt->nout++ % RING];

	if (p->ts > mt->now)
		mt->now = p->ts;
	return flowcache_add_hashed(mt->fc, &p->pi, p->ts, mt->cfg->ifindex,
	    p->hash, err);
}

/* Meter what is still in the pipeline. */
static int
drain(struct meter *mt, struct ipfix_err *err)
{
	while (mt->nout < mt->nin)
		if (meter_one(mt, err) == -1)
			return -1;
	return 0;
}

/* Parse one frame: ignored ones are counted at once, the others enter the
 * pipeline. */
static int
one_frame(struct meter *mt, const struct pcap_frame *f, struct ipfix_err *err)
{
	struct pending *p = &mt->ring[mt->nin % RING];
	int64_t ts = f->ts_sec * NS + f->ts_nsec;

	if (!mt->started && start(mt, ts, err) == -1)
		return -1;
	mt->st->packets_read++;
	mt->m.packets_read++;
	pkt_parse(mt->dlt, f->data, f->caplen, f->wirelen, &mt->cfg->pkt,
	    &p->pi);
	if (classify(mt, &p->pi) == 0) {
		ignore(mt, f, ts);
		return 0;
	}
	mt->st->metered++;
	p->ts = ts;
	p->hash = flowcache_prefetch(mt->fc, &p->pi, mt->cfg->ifindex);
	mt->nin++;
	if (mt->nin - mt->nout > mt->lag / 2)
		flowcache_prefetch_flow(mt->fc,
		    mt->ring[(mt->nin - 1 - mt->lag / 2) % RING].hash);
	return mt->nin - mt->nout > mt->lag ? meter_one(mt, err) : 0;
}

static void
progress(struct meter *mt)
{
	struct meter_progress p;
	struct flowcache_stats cs;

	if (mt->cfg->progress == NULL)
		return;
	flowcache_get_stats(mt->fc, &cs);
	p.packets = mt->st->packets_read;
	p.flows = cs.active;
	p.position = pcap_in_position(mt->in);
	p.size = pcap_in_size(mt->in);
	mt->cfg->progress(&p, mt->cfg->progress_arg);
}

/* A read error right before the end is a cut last frame: counted, and
 * the end is the end. Any other read error is fatal. */
static int
read_loop(struct meter *mt, struct ipfix_err *err)
{
	struct pcap_frame f;
	int rc, errs = 0;

	while (mt->cfg->stop == NULL || !*mt->cfg->stop) {
		if ((rc = pcap_in_next(mt->in, &f, err)) == 0)
			return drain(mt, err);
		if (rc == PCAP_IN_IDLE)
			continue;	/* quiet live capture: look at stop */
		if (rc == -1) {
			if (errs++ > 0)
				return -1;
			mt->st->truncated++;
			continue;
		}
		if (one_frame(mt, &f, err) == -1)
			return -1;
		if ((mt->st->packets_read & PROGRESS_MASK) == 0)
			progress(mt);
	}
	return drain(mt, err);
}

static int
finish(struct meter *mt, struct ipfix_err *err)
{
	if (!mt->started && flowexport_start(mt->fx, 0, &mt->m, err) == -1)
		return -1;
	if (flowcache_flush(mt->fc, FLOWCACHE_FORCED, err) == -1)
		return -1;
	return flowexport_finish(mt->fx, mt->now, &mt->m, err);
}

int
meter_run(const struct meter_config *cfg, struct meter_stats *st,
    struct ipfix_err *err)
{
	struct meter mt;
	int rc;

	memset(&mt, 0, sizeof(mt));
	memset(st, 0, sizeof(*st));
	mt.cfg = cfg;
	mt.st = st;
	mt.lag = cfg->iface != NULL ? 0 : LAG;
	rc = open_all(&mt, err);
	if (rc == 0)
		rc = read_loop(&mt, err);
	if (rc == 0)
		rc = finish(&mt, err);
	if (mt.fc != NULL) {
		progress(&mt);
		flowcache_get_stats(mt.fc, &st->cache);
	}
	if (mt.fx != NULL)
		flowexport_get_stats(mt.fx, &st->exp);
	if (close_all(&mt, rc == 0 ? err : NULL) == -1)
		rc = -1;
	return rc;
}
