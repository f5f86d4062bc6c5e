/*
 * exp_stats: the exporter's own Options Template Records (exporter_int.h):
 * the RFC 7011 §4.3 Exporting Process Reliability Statistics (records
 * that never left, C59) and, after a hand-off, the §4.1 Metering Process
 * Statistics, both per domain. Separate from exporter.c because these records
 * are made here rather than re-packed from the input: this file makes their
 * templates (in the template store, exp_tmpl.c) and their bytes; exporter.c
 * decides when they go and adds them to messages like any other record.
 */
#include "exporter_int.h"

/* IEs of the RFC 7011 §4.3 Exporting Process Reliability Statistics
 * and of the §4.1 Metering Process Statistics. */
#define IE_EXPORTING_PROCESS_ID		144
#define IE_NOT_SENT_FLOW_TOTAL		166
#define IE_OBSERVATION_TIME_MS		323
#define IE_OBSERVATION_DOMAIN_ID	149
#define IE_EXPORTED_MESSAGES		41
#define IE_EXPORTED_RECORDS		42
#define IE_EXPORTED_OCTETS		40

static struct ipfix_tmpl *
stats_tmpl_new(uint16_t id, int kind)
{
	static const uint16_t rel[] = { IE_EXPORTING_PROCESS_ID,
	    IE_NOT_SENT_FLOW_TOTAL, IE_OBSERVATION_TIME_MS,
	    IE_OBSERVATION_TIME_MS };
	static const uint16_t met[] = { IE_OBSERVATION_DOMAIN_ID,
	    IE_EXPORTED_MESSAGES, IE_EXPORTED_RECORDS, IE_EXPORTED_OCTETS };
	static const uint16_t lens[] = { 4, 8, 8, 8 };
	struct ipfix_tmpl *t;
	size_t i;

	if ((t = ipfix_tmpl_new(id, 4, 1)) == NULL)
		return NULL;
	for (i = 0; i < 4; i++) {
		t->fields[i].id = kind == OWN_METERING ? met[i] : rel[i];
		t->fields[i].len = lens[i];
	}
	ipfix_tmpl_finish(t);
	return t;
}

/* Our template of kind in d, under the highest id the input left. */
struct exp_tmpl *
exp_stats_tmpl(struct exp_dom *d, int kind)
{
	struct ipfix_tmpl *t;
	struct exp_tmpl *e;
	size_t i;
	uint32_t id;

	for (i = 0; i < d->n; i++)
		if (d->tm[i].own == kind)
			return &d->tm[i];
	for (id = 65535; id >= IPFIX_MIN_DATA_SET_ID; id--)
		if (exp_tm_find(d, (uint16_t)id) == NULL)
			break;
	if (id < IPFIX_MIN_DATA_SET_ID ||
	    (t = stats_tmpl_new((uint16_t)id, kind)) == NULL ||
	    (e = exp_tm_put(d, t)) == NULL)
		return NULL;
	e->own = (uint8_t)kind;
	return e;
}

void
exp_stats_reliability(const struct exp_dom *d, uint32_t process_id,
    uint8_t rec[EXP_STATS_REC_LEN])
{
	ipfix_put32(rec, process_id);
	ipfix_put64(rec + 4, d->ns_records);
	ipfix_put64(rec + 12, d->ns_first_ms);
	ipfix_put64(rec + 20, d->ns_last_ms);
}

void
exp_stats_metering(const struct exp_dom *d, uint32_t pending,
    uint8_t rec[EXP_STATS_REC_LEN])
{
	ipfix_put32(rec, d->odid);
	ipfix_put64(rec + 4, d->tot_msgs);
	ipfix_put64(rec + 12, d->tot_recs + d->tot_own + pending);
	ipfix_put64(rec + 20, d->tot_octets);
}
