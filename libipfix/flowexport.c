/*
 * flowexport: a table of the elements ipfix-gen can fill drives both the
 * templates and the record encoder, so --fields and the defaults share one
 * path. IPv4 and IPv6 templates come from the same list, each family's
 * address and ICMP elements swapped for the other's. The stream is one
 * Transport Session: templates once at the start, sequence numbers counting
 * every Data Record (options records included, C05-C07).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flowexport.h"
#include "ie.h"
#include "msg.h"
#include "template.h"

#define MAX_FIELDS 64
#define NTP_EPOCH_OFFSET 2208988800ULL	/* 1900-01-01 to 1970-01-01 */
#define NS 1000000000LL
#define NONE 0xff

enum src {
	S_SRC4, S_DST4, S_SRC6, S_DST6, S_SPORT, S_DPORT, S_PROTO, S_VLAN,
	S_IFINDEX, S_TOS, S_FLAGS, S_ICMP4, S_ICMP6, S_TTLMIN, S_TTLMAX,
	S_OCTETS, S_PACKETS, S_START, S_END, S_REASON, S_BIDIR,
};

struct elem {
	const char *name;
	uint16_t id, len;
	uint8_t src;
	uint8_t family;		/* 0 any, 4 or 6 */
	uint8_t alt;		/* index of the other family's element */
	bool key;		/* flow key (directional for RFC 5103 §4) */
	bool reversible;
};

static const struct elem elems[] = {
	{ "sourceIPv4Address", 8, 4, S_SRC4, 4, 2, true, false },
	{ "destinationIPv4Address", 12, 4, S_DST4, 4, 3, true, false },
	{ "sourceIPv6Address", 27, 16, S_SRC6, 6, 0, true, false },
	{ "destinationIPv6Address", 28, 16, S_DST6, 6, 1, true, false },
	{ "sourceTransportPort", 7, 2, S_SPORT, 0, NONE, true, false },
	{ "destinationTransportPort", 11, 2, S_DPORT, 0, NONE, true, false },
	{ "protocolIdentifier", 4, 1, S_PROTO, 0, NONE, true, false },
	{ "vlanId", 58, 2, S_VLAN, 0, NONE, true, false },
	{ "ingressInterface", 10, 4, S_IFINDEX, 0, NONE, true, false },
	{ "ipClassOfService", 5, 1, S_TOS, 0, NONE, false, true },
	{ "tcpControlBits", 6, 2, S_FLAGS, 0, NONE, false, true },
	{ "icmpTypeCodeIPv4", 32, 2, S_ICMP4, 4, 12, false, false },
	{ "icmpTypeCodeIPv6", 139, 2, S_ICMP6, 6, 11, false, false },
	{ "minimumTTL", 52, 1, S_TTLMIN, 0, NONE, false, true },
	{ "maximumTTL", 53, 1, S_TTLMAX, 0, NONE, false, true },
	{ "octetDeltaCount", 1, 8, S_OCTETS, 0, NONE, false, true },
	{ "packetDeltaCount", 2, 8, S_PACKETS, 0, NONE, false, true },
	{ "flowStartMilliseconds", 152, 8, S_START, 0, NONE, false, true },
	{ "flowEndMilliseconds", 153, 8, S_END, 0, NONE, false, true },
	{ "flowStartMicroseconds", 154, 8, S_START, 0, NONE, false, true },
	{ "flowEndMicroseconds", 155, 8, S_END, 0, NONE, false, true },
	{ "flowStartNanoseconds", 156, 8, S_START, 0, NONE, false, true },
	{ "flowEndNanoseconds", 157, 8, S_END, 0, NONE, false, true },
	{ "flowEndReason", 136, 1, S_REASON, 0, NONE, false, false },
	{ "biflowDirection", 239, 1, S_BIDIR, 0, NONE, false, false },
};
#define NELEMS (sizeof(elems) / sizeof(elems[0]))
#define E_START_MS 17		/* index of flowStartMilliseconds */

struct fspec {
	uint8_t elem;		/* index into elems */
	bool reverse;
};

struct flowexport {
	struct flowexport_config cfg;
	flowexport_write_fn fn;
	void *arg;
	struct fspec fields[MAX_FIELDS];
	size_t nfields;
	struct ipfix_tmpl *tmpl[5];	/* v4, v6, mstats, mrel, erel */
	struct ipfix_builder b;
	bool open;
	uint8_t *buf;
	uint32_t seq;
	struct flowexport_stats st;
};

const char *
flowexport_field_name(size_t i)
{
	return i < NELEMS ? elems[i].name : NULL;
}

/* --fields parsing ------------------------------------------------------ */

static int
elem_find(const char *name)
{
	size_t i;

	for (i = 0; i < NELEMS; i++)
		if (strcmp(elems[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* "reverseOctetDeltaCount" -> index of octetDeltaCount, *rev set. */
static int
elem_parse(const char *name, bool *rev)
{
	char base[64];
	int i;

	*rev = false;
	if ((i = elem_find(name)) >= 0 || strncmp(name, "reverse", 7) != 0 ||
	    name[7] < 'A' || name[7] > 'Z')
		return i;
	if (snprintf(base, sizeof(base), "%c%s", name[7] - 'A' + 'a',
	    name + 8) >= (int)sizeof(base))
		return -1;
	*rev = true;
	return elem_find(base);
}

static int
add_field(struct flowexport *fx, const char *name, struct ipfix_err *err)
{
	bool rev;
	int i;

	if ((i = elem_parse(name, &rev)) < 0)
		return ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL,
		    "--fields: %s '%s'", ipfix_ie_by_name(name) != NULL ?
		    "ipfix-gen cannot fill element" : "unknown element", name);
	if (rev && (!elems[i].reversible || !fx->cfg.biflow))
		return ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET,
		    "C113", "--fields: '%s' needs %s", name,
		    elems[i].reversible ? "--biflow" : "a reversible element");
	if (fx->nfields == MAX_FIELDS)
		return ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL,
		    "--fields: more than %d elements", MAX_FIELDS);
	fx->fields[fx->nfields].elem = (uint8_t)i;
	fx->fields[fx->nfields++].reverse = rev;
	return 0;
}

static int
parse_fields(struct flowexport *fx, const char *list, struct ipfix_err *err)
{
	char name[64];
	const char *p = list, *q;
	size_t n;

	while (*p != '\0') {
		q = strchr(p, ',');
		n = q != NULL ? (size_t)(q - p) : strlen(p);
		if (n == 0 || n >= sizeof(name))
			return ipfix_err_set(err, IPFIX_E_USAGE,
			    IPFIX_NO_OFFSET, NULL, "--fields: bad list '%s'",
			    list);
		memcpy(name, p, n);
		name[n] = '\0';
		if (add_field(fx, name, err) == -1)
			return -1;
		p += n + (q != NULL);
	}
	return 0;
}

static int
check_fields(const struct flowexport *fx, struct ipfix_err *err)
{
	bool key = false, dirkey = false, rev = false;
	size_t i;

	for (i = 0; i < fx->nfields; i++) {
		key |= elems[fx->fields[i].elem].key;
		dirkey |= elems[fx->fields[i].elem].src <= S_DPORT;
		rev |= fx->fields[i].reverse;
	}
	if (!key)
		return ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL,
		    "--fields: no flow key element");
	/* reverse values mean nothing without a direction (RFC 5103 §4) */
	if (rev && !dirkey)
		return ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET,
		    "C114", "--fields: reverse elements need an address or "
		    "port element");
	return 0;
}

static const char *const uni_default[] = {
	"sourceIPv4Address", "destinationIPv4Address", "sourceTransportPort",
	"destinationTransportPort", "protocolIdentifier", "vlanId",
	"ipClassOfService", "tcpControlBits", "icmpTypeCodeIPv4",
	"minimumTTL", "maximumTTL", "octetDeltaCount", "packetDeltaCount",
	NULL,
};

static const char *const bi_default[] = {
	"reverseIpClassOfService", "reverseTcpControlBits",
	"reverseMinimumTTL", "reverseMaximumTTL", "reverseOctetDeltaCount",
	"reversePacketDeltaCount", NULL,
};

static void
add_time_fields(struct flowexport *fx, bool rev)
{
	uint8_t e = (uint8_t)(E_START_MS + 2 * fx->cfg.precision);

	fx->fields[fx->nfields].elem = e;
	fx->fields[fx->nfields++].reverse = rev;
	fx->fields[fx->nfields].elem = (uint8_t)(e + 1);
	fx->fields[fx->nfields++].reverse = rev;
}

static void
default_fields(struct flowexport *fx)
{
	size_t i;

	for (i = 0; uni_default[i] != NULL; i++)
		add_field(fx, uni_default[i], NULL);
	if (fx->cfg.ifindex)
		add_field(fx, "ingressInterface", NULL);
	add_time_fields(fx, false);
	if (fx->cfg.biflow) {
		for (i = 0; bi_default[i] != NULL; i++)
			add_field(fx, bi_default[i], NULL);
		add_time_fields(fx, true);
		add_field(fx, "biflowDirection", NULL);
	}
	add_field(fx, "flowEndReason", NULL);
}

/* Templates ------------------------------------------------------------- */

static const struct elem *
elem_for(const struct fspec *fs, int family)
{
	const struct elem *e = &elems[fs->elem];

	if (e->family != 0 && e->family != family)
		e = &elems[e->alt];
	return e;
}

static struct ipfix_tmpl *
flow_template(const struct flowexport *fx, uint16_t tid, int family)
{
	struct ipfix_tmpl *t;
	const struct elem *e;
	size_t i;

	if ((t = ipfix_tmpl_new(tid, (uint16_t)fx->nfields, 0)) == NULL)
		return NULL;
	for (i = 0; i < fx->nfields; i++) {
		e = elem_for(&fx->fields[i], family);
		t->fields[i].id = e->id;
		t->fields[i].len = e->len;
		t->fields[i].pen = fx->fields[i].reverse ?
		    IPFIX_PEN_REVERSE : 0;
	}
	ipfix_tmpl_finish(t);
	return t;
}

/* Options templates: {id, len} pairs, the first 'scope' being scope. */
static struct ipfix_tmpl *
options_template(uint16_t tid, uint16_t scope, const uint16_t *spec,
    uint16_t n)
{
	struct ipfix_tmpl *t;
	uint16_t i;

	if ((t = ipfix_tmpl_new(tid, n, scope)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		t->fields[i].id = spec[2 * i];
		t->fields[i].len = spec[2 * i + 1];
	}
	ipfix_tmpl_finish(t);
	return t;
}

/* RFC 7011 §4.1, §4.2 and §4.3 layouts (standards.md §2.9, C58). */
static const uint16_t mstats_spec[] = { 149, 4, 143, 4, 41, 8, 42, 8,
    40, 8 };
static const uint16_t mrel_spec[] = { 149, 4, 143, 4, 164, 8, 165, 8,
    323, 8, 323, 8 };
static const uint16_t erel_spec[] = { 144, 4, 166, 8, 167, 8, 168, 8,
    323, 8, 323, 8 };

static int
make_templates(struct flowexport *fx)
{
	fx->tmpl[0] = flow_template(fx, FLOWEXPORT_TID_V4, 4);
	fx->tmpl[1] = flow_template(fx, FLOWEXPORT_TID_V6, 6);
	fx->tmpl[2] = options_template(FLOWEXPORT_TID_MSTATS, 2, mstats_spec,
	    5);
	fx->tmpl[3] = options_template(FLOWEXPORT_TID_MREL, 2, mrel_spec, 6);
	fx->tmpl[4] = options_template(FLOWEXPORT_TID_EREL, 1, erel_spec, 6);
	return fx->tmpl[0] && fx->tmpl[1] && fx->tmpl[2] && fx->tmpl[3] &&
	    fx->tmpl[4] ? 0 : -1;
}

struct flowexport *
flowexport_new(const struct flowexport_config *cfg, flowexport_write_fn fn,
    void *arg, struct ipfix_err *err)
{
	struct flowexport *fx;

	if ((fx = calloc(1, sizeof(*fx))) == NULL)
		goto nomem;
	fx->cfg = *cfg;
	fx->fn = fn;
	fx->arg = arg;
	if (fx->cfg.msg_size == 0 || fx->cfg.msg_size > IPFIX_MSG_MAX)
		fx->cfg.msg_size = IPFIX_MSG_MAX;
	if (cfg->fields != NULL) {
		if (parse_fields(fx, cfg->fields, err) == -1 ||
		    check_fields(fx, err) == -1) {
			flowexport_free(fx);
			return NULL;
		}
	} else
		default_fields(fx);
	if ((fx->buf = malloc(fx->cfg.msg_size)) == NULL ||
	    make_templates(fx) == -1) {
		flowexport_free(fx);
		goto nomem;
	}
	return fx;
nomem:
	ipfix_err_set(err, IPFIX_E_NOMEM, IPFIX_NO_OFFSET, NULL,
	    "exporter: out of memory");
	return NULL;
}

void
flowexport_free(struct flowexport *fx)
{
	size_t i;

	if (fx == NULL)
		return;
	for (i = 0; i < 5; i++)
		ipfix_tmpl_free(fx->tmpl[i]);
	free(fx->buf);
	free(fx);
}

void
flowexport_get_stats(const struct flowexport *fx, struct flowexport_stats *st)
{
	*st = fx->st;
}

/* Messages -------------------------------------------------------------- */

static uint32_t
export_time(int64_t ns)
{
	return ns <= 0 ? 0 : (uint32_t)(uint64_t)(ns / NS);	/* C04 */
}

static void
msg_begin(struct flowexport *fx, int64_t now_ns)
{
	ipfix_builder_init(&fx->b, fx->buf, fx->cfg.msg_size, fx->cfg.odid,
	    export_time(now_ns), fx->seq);
	fx->open = true;
}

static int
msg_flush(struct flowexport *fx, struct ipfix_err *err)
{
	size_t len;

	if (!fx->open)
		return 0;
	fx->open = false;
	if (ipfix_builder_empty(&fx->b))
		return 0;
	len = ipfix_builder_finish(&fx->b);
	fx->seq += fx->b.records;
	fx->st.messages++;
	fx->st.octets += len;
	return fx->fn(fx->buf, len, fx->arg, err) != 0 ? -1 : 0;
}

/* Add a record, starting a new message when the open one is full. */
static int
msg_add(struct flowexport *fx, uint16_t tid, const uint8_t *rec, size_t len,
    int64_t now_ns, struct ipfix_err *err)
{
	int rc;

	if (!fx->open)
		msg_begin(fx, now_ns);
	rc = ipfix_builder_add_record(&fx->b, tid, rec, len, err);
	if (rc == 1) {
		if (msg_flush(fx, err) == -1)
			return -1;
		msg_begin(fx, now_ns);
		rc = ipfix_builder_add_record(&fx->b, tid, rec, len, err);
	}
	return rc == 0 ? 0 : -1;
}

/* Records --------------------------------------------------------------- */

/* dateTimeMicro/Nanoseconds are NTP timestamps (RFC 7011 §6.1.9-10). */
static uint64_t
ntp_time(int64_t ns, bool micro)
{
	uint64_t sec, frac;

	if (ns < 0)
		ns = 0;
	sec = (uint64_t)(ns / NS) + NTP_EPOCH_OFFSET;
	frac = (uint64_t)(ns % NS);
	if (micro)
		frac -= frac % 1000;
	frac = (frac << 32) / NS;
	if (micro)
		frac &= ~(uint64_t)0x7ff;
	return sec << 32 | (frac & 0xffffffffu);
}

static uint64_t
time_value(uint16_t id, int64_t ns)
{
	if (id == 152 || id == 153)
		return ns <= 0 ? 0 : (uint64_t)(ns / 1000000);
	return ntp_time(ns, id == 154 || id == 155);
}

static uint64_t
dir_value(const struct elem *e, const struct flowcache_dir *d)
{
	switch (e->src) {
	case S_TOS:
		return d->tos;
	case S_FLAGS:
		return d->tcp_flags;
	case S_TTLMIN:
		return d->ttl_min;
	case S_TTLMAX:
		return d->ttl_max;
	case S_OCTETS:
		return d->octets;
	case S_PACKETS:
		return d->packets;
	case S_START:
		return d->packets ? time_value(e->id, d->start_ns) : 0;
	default:
		return d->packets ? time_value(e->id, d->end_ns) : 0;
	}
}

static uint64_t
key_value(const struct elem *e, const struct flowcache_flow *f)
{
	switch (e->src) {
	case S_SPORT:
		return f->key.sport;
	case S_DPORT:
		return f->key.dport;
	case S_PROTO:
		return f->key.proto;
	case S_VLAN:
		return f->key.vlan;
	case S_IFINDEX:
		return f->key.ifindex;
	case S_ICMP4:
	case S_ICMP6:
		return (uint64_t)f->icmp_type << 8 | f->icmp_code;
	case S_REASON:
		return f->reason;
	case S_BIDIR:
		return 1;	/* initiator: the first packet's sender */
	default:
		return dir_value(e, &f->dir[0]);
	}
}

static void
put_uint(uint8_t *p, uint64_t v, uint16_t len)
{
	uint16_t i;

	for (i = len; i-- > 0; v >>= 8)
		p[i] = (uint8_t)v;
}

static size_t
put_elem(uint8_t *p, const struct elem *e, bool rev,
    const struct flowcache_flow *f)
{
	switch (e->src) {
	case S_SRC4:
	case S_SRC6:
		memcpy(p, f->key.src, e->len);
		break;
	case S_DST4:
	case S_DST6:
		memcpy(p, f->key.dst, e->len);
		break;
	default:
		put_uint(p, rev ? dir_value(e, &f->dir[1]) : key_value(e, f),
		    e->len);
	}
	return e->len;
}

int
flowexport_flow(struct flowexport *fx, const struct flowcache_flow *f,
    int64_t now_ns, struct ipfix_err *err)
{
	uint8_t rec[MAX_FIELDS * 16];
	int family = f->key.ipver == 6 ? 6 : 4;
	size_t i, len = 0;

	for (i = 0; i < fx->nfields; i++)
		len += put_elem(rec + len, elem_for(&fx->fields[i], family),
		    fx->fields[i].reverse, f);
	if (msg_add(fx, family == 6 ? FLOWEXPORT_TID_V6 : FLOWEXPORT_TID_V4,
	    rec, len, now_ns, err) == -1)
		return -1;
	fx->st.flow_records++;
	return 0;
}

/* Options records ------------------------------------------------------- */

static uint64_t
ms(int64_t ns)
{
	return ns <= 0 ? 0 : (uint64_t)(ns / 1000000);
}

static int
options_records(struct flowexport *fx, const struct flowexport_meter *m,
    int64_t now_ns, struct ipfix_err *err)
{
	uint8_t r[64];
	uint64_t ms_v[3] = { fx->st.messages, fx->st.flow_records,
	    fx->st.octets };
	uint64_t mr_v[4] = { m->ignored_packets, m->ignored_octets,
	    ms(m->first_ignored_ns), ms(m->last_ignored_ns) };
	size_t i;

	put_uint(r, fx->cfg.odid, 4);
	put_uint(r + 4, fx->cfg.process_id, 4);
	for (i = 0; i < 3; i++)
		put_uint(r + 8 + 8 * i, ms_v[i], 8);
	if (msg_add(fx, FLOWEXPORT_TID_MSTATS, r, 32, now_ns, err) == -1)
		return -1;
	for (i = 0; i < 4; i++)
		put_uint(r + 8 + 8 * i, mr_v[i], 8);
	if (msg_add(fx, FLOWEXPORT_TID_MREL, r, 40, now_ns, err) == -1)
		return -1;
	/* ipfix-gen never drops a record it made: write errors are fatal */
	put_uint(r, fx->cfg.process_id, 4);
	memset(r + 4, 0, 40);
	if (msg_add(fx, FLOWEXPORT_TID_EREL, r, 44, now_ns, err) == -1)
		return -1;
	fx->st.options_records += 3;
	return 0;
}

int
flowexport_start(struct flowexport *fx, int64_t now_ns,
    const struct flowexport_meter *m, struct ipfix_err *err)
{
	size_t i;

	int rc;

	msg_begin(fx, now_ns);
	for (i = 0; i < 5; i++) {
		rc = ipfix_builder_add_template(&fx->b, fx->tmpl[i], err);
		if (rc == 1) {
			if (msg_flush(fx, err) == -1)
				return -1;
			msg_begin(fx, now_ns);
			rc = ipfix_builder_add_template(&fx->b, fx->tmpl[i],
			    err);
		}
		if (rc != 0)
			return -1;
	}
	return options_records(fx, m, now_ns, err);
}

int
flowexport_finish(struct flowexport *fx, int64_t now_ns,
    const struct flowexport_meter *m, struct ipfix_err *err)
{
	if (msg_flush(fx, err) == -1)
		return -1;
	msg_begin(fx, now_ns);
	if (options_records(fx, m, now_ns, err) == -1)
		return -1;
	return msg_flush(fx, err);
}
