/*
 * nfv9: NetFlow v9 packets to IPFIX messages. Every read of the packet
 * goes through a cursor; every write checks the room left in the one
 * output buffer the converter owns.
 */
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "grow.h"
#include "nfv9.h"

#define OUT_MAX		65535u	/* the IPFIX Length field's limit */
#define REC_MAX		(OUT_MAX - 16 - 4)	/* a record in one message */
#define IPFIX_HDR	16
#define E_BIT		0x8000u
#define V9_FIRST	22	/* FIRST_SWITCHED: sysUpTime ms */
#define V9_LAST		21	/* LAST_SWITCHED */
#define IE_START_MS	152	/* flowStartMilliseconds */
#define IE_END_MS	153	/* flowEndMilliseconds */

struct v9field {
	uint16_t type, len;
};

struct v9tmpl {
	uint16_t id;
	uint16_t n;		/* fields */
	uint16_t nscope;	/* the first nscope fields are scope fields */
	uint32_t reclen;	/* v9 record length */
	struct v9field *f;	/* owned */
};

struct v9dom {
	uint32_t session, source;
	uint32_t seq;		/* data records converted so far */
	struct v9tmpl *t;	/* owned, nt of them */
	size_t nt, cap;
};

struct ipfix_nfv9 {
	struct v9dom *d;	/* owned, nd of them */
	size_t nd, capd;
	uint8_t out[OUT_MAX];
};

/* The packet being converted. */
struct conv {
	struct ipfix_nfv9 *nf;
	struct v9dom *dom;
	uint32_t sysup, secs;
	size_t n;		/* bytes written to nf->out */
	bool full;		/* a write did not fit */
	uint32_t records;
	unsigned skipped;
};

struct ipfix_nfv9 *
ipfix_nfv9_new(void)
{
	return calloc(1, sizeof(struct ipfix_nfv9));
}

static void
dom_clear(struct v9dom *d)
{
	size_t i;

	for (i = 0; i < d->nt; i++)
		free(d->t[i].f);
	free(d->t);
}

void
ipfix_nfv9_free(struct ipfix_nfv9 *nf)
{
	size_t i;

	if (nf == NULL)
		return;
	for (i = 0; i < nf->nd; i++)
		dom_clear(&nf->d[i]);
	free(nf->d);
	free(nf);
}

void
ipfix_nfv9_end_session(struct ipfix_nfv9 *nf, uint32_t session)
{
	size_t i = 0;

	if (nf == NULL)
		return;
	while (i < nf->nd) {
		if (nf->d[i].session != session) {
			i++;
			continue;
		}
		dom_clear(&nf->d[i]);
		nf->d[i] = nf->d[--nf->nd];
	}
}

bool
ipfix_nfv9_is(const uint8_t *p, size_t len)
{
	return len >= NFV9_HDR_LEN && ipfix_be16(p) == NFV9_VERSION;
}

bool
ipfix_nfv9_frames(const uint8_t *p, size_t len)
{
	size_t pos = NFV9_HDR_LEN, fs;

	if (!ipfix_nfv9_is(p, len) || len == NFV9_HDR_LEN)
		return false;
	while (len - pos >= 4) {
		if ((fs = ipfix_be16(p + pos + 2)) < 4 || fs > len - pos)
			return false;
		pos += fs;
	}
	return pos == len;
}

static struct v9dom *
dom_get(struct ipfix_nfv9 *nf, uint32_t session, uint32_t source)
{
	struct v9dom *d;
	size_t i;

	for (i = 0; i < nf->nd; i++) {
		if (nf->d[i].session == session && nf->d[i].source == source)
			return &nf->d[i];
	}
	if (nf->nd >= NFV9_MAX_DOMAINS ||
	    ipfix_grow((void **)&nf->d, &nf->capd, nf->nd + 1,
	    sizeof(*nf->d)) == -1)
		return NULL;
	d = &nf->d[nf->nd++];
	memset(d, 0, sizeof(*d));
	d->session = session;
	d->source = source;
	return d;
}

static struct v9tmpl *
tmpl_find(struct v9dom *d, uint16_t id)
{
	size_t i;

	for (i = 0; i < d->nt; i++) {
		if (d->t[i].id == id)
			return &d->t[i];
	}
	return NULL;
}

/* Store t (taking its fields), replacing a template of the same id. */
static int
tmpl_store(struct v9dom *d, struct v9tmpl *t)
{
	struct v9tmpl *old = tmpl_find(d, t->id);

	if (old != NULL) {
		free(old->f);
		*old = *t;
		return 0;
	}
	if (d->nt >= NFV9_MAX_TEMPLATES ||
	    ipfix_grow((void **)&d->t, &d->cap, d->nt + 1, sizeof(*d->t)) ==
	    -1)
		return -1;
	d->t[d->nt++] = *t;
	return 0;
}

/* Output ------------------------------------------------------------------ */

static uint8_t *
room(struct conv *cv, size_t k)
{
	uint8_t *q;

	if (cv->full || k > OUT_MAX - cv->n) {
		cv->full = true;
		return NULL;
	}
	q = cv->nf->out + cv->n;
	cv->n += k;
	return q;
}

static void
put16(struct conv *cv, uint16_t v)
{
	uint8_t *q = room(cv, 2);

	if (q != NULL)
		ipfix_put16(q, v);
}

static void
put32(struct conv *cv, uint32_t v)
{
	uint8_t *q = room(cv, 4);

	if (q != NULL)
		ipfix_put32(q, v);
}

/* v9 scope types (RFC 3954 §6.1) as IANA elements. */
static uint16_t
scope_ie(uint16_t type, uint16_t len)
{
	switch (type) {
	case 1:		/* System */
		return len == 4 ? 130 : len == 16 ? 131 : 144;
	case 2:		/* Interface */
		return 10;
	case 3:		/* Line Card */
		return 141;
	case 4:		/* NetFlow Cache */
		return 143;
	case 5:		/* Template */
		return 145;
	default:
		return 0;
	}
}

static bool
is_time(const struct v9field *f)
{
	return (f->type == V9_FIRST || f->type == V9_LAST) && f->len == 4;
}

/* The element id (with the E bit for PEN 9) a v9 field becomes; other
 * scope types count as the vendor's. */
static uint16_t
ipfix_id(const struct v9field *f, bool scope)
{
	uint16_t ie = scope ? scope_ie(f->type, f->len) : f->type;

	if (scope && ie == 0)
		return f->type | E_BIT;
	return ie;
}

/* One field specifier in IPFIX form. */
static void
put_spec(struct conv *cv, const struct v9field *f, bool scope)
{
	uint16_t ie = ipfix_id(f, scope);

	if (!scope && is_time(f)) {
		put16(cv, f->type == V9_FIRST ? IE_START_MS : IE_END_MS);
		put16(cv, 8);
		return;
	}
	put16(cv, ie);
	put16(cv, f->len);
	if (ie & E_BIT)
		put32(cv, NFV9_PEN_VENDOR);
}

/* The template as an IPFIX (options) template set of its own. */
static void
put_tmpl(struct conv *cv, const struct v9tmpl *t)
{
	size_t at = cv->n;
	uint16_t i;

	put16(cv, t->nscope > 0 ? 3 : 2);
	put16(cv, 0);
	put16(cv, t->id);
	put16(cv, t->n);
	if (t->nscope > 0)
		put16(cv, t->nscope);
	for (i = 0; i < t->n; i++)
		put_spec(cv, &t->f[i], i < t->nscope);
	if (!cv->full)
		ipfix_put16(cv->nf->out + at + 2, (uint16_t)(cv->n - at));
}

/* Templates --------------------------------------------------------------- */

static bool
all_zero(const struct ipfix_cursor *c)
{
	size_t i;

	for (i = c->pos; i < c->len; i++) {
		if (c->p[i] != 0)
			return false;
	}
	return true;
}

static int
read_fields(struct ipfix_cursor *c, struct v9tmpl *t, struct ipfix_err *err)
{
	uint64_t at = ipfix_cursor_offset(c);
	uint32_t grown = 0;
	const char *why;
	uint16_t i;

	if ((size_t)t->n * 4 > ipfix_cursor_left(c))
		return ipfix_err_set(err, IPFIX_E_TEMPLATE, at, NULL,
		    "NetFlow v9 template %u: %u fields run past its FlowSet",
		    t->id, t->n);
	if ((t->f = calloc(t->n, sizeof(*t->f))) == NULL)
		return ipfix_err_set(err, IPFIX_E_NOMEM, at, NULL,
		    "out of memory for NetFlow v9 template %u", t->id);
	for (i = 0; i < t->n; i++) {
		t->f[i].type = ipfix_get_u16(c);
		t->f[i].len = ipfix_get_u16(c);
		t->reclen += t->f[i].len;
		grown += i >= t->nscope && is_time(&t->f[i]) ? 4 : 0;
		/* 65535 would mean variable length in IPFIX, and a vendor
		 * type 32768 (or scope type 0) enterprise element 0 */
		if (t->f[i].len == 0xffff ||
		    ipfix_id(&t->f[i], i < t->nscope) == E_BIT)
			break;
	}
	if (i == t->n && t->reclen > 0 && t->reclen + grown <= REC_MAX)
		return 0;
	why = i == t->n ? "record length 0 or above an IPFIX message's" :
	    t->f[i].len == 0xffff ? "field length 65535" :
	    "field type 0 or 32768";
	free(t->f);
	return ipfix_err_set(err, IPFIX_E_TEMPLATE, at, NULL,
	    "NetFlow v9 template %u: %s", t->id, why);
}

/* The header of one (options) template record; 0 at the padding. */
static int
read_head(struct ipfix_cursor *c, bool options, struct v9tmpl *t,
    struct ipfix_err *err)
{
	uint64_t at = ipfix_cursor_offset(c);
	uint16_t slen = 0, olen;

	memset(t, 0, sizeof(*t));
	if (ipfix_cursor_left(c) < 4 || all_zero(c))
		return 0;	/* padding to a 32-bit boundary */
	t->id = ipfix_get_u16(c);
	olen = ipfix_get_u16(c);
	if (options) {
		slen = olen;
		olen = ipfix_get_u16(c);
	}
	if (c->bad || t->id < 256 || (options && (slen % 4 != 0 ||
	    olen % 4 != 0 || slen + olen == 0)) || (!options && olen == 0))
		return ipfix_err_set(err, IPFIX_E_TEMPLATE, at, NULL,
		    "NetFlow v9 %stemplate record: id %u, %s %u", options ?
		    "options " : "", t->id, options ? "lengths" : "fields",
		    options ? (unsigned)(slen + olen) : olen);
	t->nscope = (uint16_t)(slen / 4);
	t->n = options ? (uint16_t)((slen + olen) / 4) : olen;
	return 1;
}

static int
tmpl_flowset(struct conv *cv, struct ipfix_cursor *c, bool options,
    struct ipfix_err *err)
{
	struct v9tmpl t;
	int rc;

	while ((rc = read_head(c, options, &t, err)) == 1) {
		if (read_fields(c, &t, err) == -1)
			return -1;
		/* v9 options data starts with its scope fields too */
		put_tmpl(cv, &t);
		if (tmpl_store(cv->dom, &t) == -1) {
			free(t.f);
			return ipfix_err_set(err, IPFIX_E_LIMIT,
			    ipfix_cursor_offset(c), NULL, "NetFlow v9 "
			    "source %u: template %u above the limit of %u",
			    cv->dom->source, t.id, NFV9_MAX_TEMPLATES);
		}
	}
	return rc;
}

/* Data -------------------------------------------------------------------- */

/* Absolute milliseconds of a sysUpTime reading (RFC 3954 §5.1): the
 * export's unix_secs less the uptime elapsed since; the signed difference
 * takes uptime wrap and a flow stamped just after the header. */
static uint64_t
abs_ms(const struct conv *cv, uint32_t up)
{
	int64_t ms = (int64_t)cv->secs * 1000 - (int32_t)(cv->sysup - up);

	return ms < 0 ? 0 : (uint64_t)ms;
}

static void
put_record(struct conv *cv, const struct v9tmpl *t, const uint8_t *r)
{
	uint8_t *q;
	uint16_t i;

	for (i = 0; i < t->n; i++) {
		const struct v9field *f = &t->f[i];

		if (i >= t->nscope && is_time(f)) {
			if ((q = room(cv, 8)) != NULL)
				ipfix_put64(q, abs_ms(cv, ipfix_be32(r)));
		} else if ((q = room(cv, f->len)) != NULL)
			memcpy(q, r, f->len);
		r += f->len;
	}
}

static void
data_flowset(struct conv *cv, uint16_t id, const uint8_t *body, size_t len)
{
	const struct v9tmpl *t = tmpl_find(cv->dom, id);
	size_t at = cv->n, i, nrec;
	uint8_t *q;

	if (t == NULL) {	/* as it came: reported as without template */
		put16(cv, id);
		put16(cv, (uint16_t)(len + 4));
		if ((q = room(cv, len)) != NULL)
			memcpy(q, body, len);
		return;
	}
	if ((nrec = len / t->reclen) == 0)
		return;		/* padding only */
	put16(cv, id);
	put16(cv, 0);
	for (i = 0; i < nrec; i++)
		put_record(cv, t, body + i * t->reclen);
	if (!cv->full)
		ipfix_put16(cv->nf->out + at + 2, (uint16_t)(cv->n - at));
	cv->records += (uint32_t)nrec;
}

/* Packet ------------------------------------------------------------------ */

/* One FlowSet: its templates in the first pass, its data in the second,
 * so that data ahead of its template in the same packet is not lost. */
static int
flowset(struct conv *cv, struct ipfix_cursor *c, bool data,
    struct ipfix_err *err)
{
	uint64_t at = ipfix_cursor_offset(c);
	uint16_t id = ipfix_get_u16(c), len = ipfix_get_u16(c);
	struct ipfix_cursor body;

	if (c->bad || len < 4 || len - 4u > ipfix_cursor_left(c))
		return ipfix_err_set(err, IPFIX_E_SET, at, NULL,
		    "NetFlow v9 FlowSet %u: length %u with %zu bytes left",
		    id, len, ipfix_cursor_left(c) + 4);
	ipfix_cursor_init(&body, c->p + c->pos, len - 4u, at + 4);
	c->pos += len - 4u;
	if (!data && (id == 0 || id == 1))
		return tmpl_flowset(cv, &body, id == 1, err);
	if (data && id >= 256)
		data_flowset(cv, id, body.p, body.len);
	else if (data && id > 1)
		cv->skipped++;
	return 0;
}

static int
header(struct conv *cv, struct ipfix_cursor *c, uint32_t session,
    struct ipfix_err *err)
{
	uint32_t source;
	uint16_t version;

	version = ipfix_get_u16(c);
	(void)ipfix_get_u16(c);		/* count: records, not framing */
	cv->sysup = ipfix_get_u32(c);
	cv->secs = ipfix_get_u32(c);
	(void)ipfix_get_u32(c);		/* package sequence */
	source = ipfix_get_u32(c);
	if (c->bad || version != NFV9_VERSION)
		return ipfix_err_set(err, IPFIX_E_VERSION, c->base, NULL,
		    "not a NetFlow v9 packet (%zu bytes, version %u)", c->len,
		    version);
	/* a header alone carries nothing: junk that starts 00 09 */
	if (ipfix_cursor_left(c) < 4)
		return ipfix_err_set(err, IPFIX_E_LENGTH, c->base, NULL,
		    "NetFlow v9 packet of %zu bytes without a FlowSet",
		    c->len);
	if ((cv->dom = dom_get(cv->nf, session, source)) == NULL)
		return ipfix_err_set(err, IPFIX_E_LIMIT, c->base + 16, NULL,
		    "NetFlow v9 source %u: more than %u sources", source,
		    NFV9_MAX_DOMAINS);
	return 0;
}

int
ipfix_nfv9_convert(struct ipfix_nfv9 *nf, uint32_t session,
    const uint8_t *p, size_t len, uint64_t base, const uint8_t **msg,
    size_t *mlen, unsigned *skipped, struct ipfix_err *err)
{
	struct conv cv = { .nf = nf, .n = IPFIX_HDR };
	struct ipfix_cursor c;
	uint8_t *h = nf->out;

	size_t start;
	int pass;

	ipfix_cursor_init(&c, p, len, base);
	if (header(&cv, &c, session, err) == -1)
		return -1;
	start = c.pos;
	for (pass = 0; pass < 2; pass++) {
		c.pos = start;
		while (ipfix_cursor_left(&c) >= 4) {
			if (flowset(&cv, &c, pass == 1, err) == -1)
				return -1;
		}
	}
	if (cv.full)
		return ipfix_err_set(err, IPFIX_E_LIMIT, base, NULL,
		    "NetFlow v9 packet of %zu bytes: its IPFIX form exceeds "
		    "65535 bytes", len);
	ipfix_put16(h, 10);
	ipfix_put16(h + 2, (uint16_t)cv.n);
	ipfix_put32(h + 4, cv.secs);
	ipfix_put32(h + 8, cv.dom->seq);
	ipfix_put32(h + 12, cv.dom->source);
	cv.dom->seq += cv.records;
	*msg = nf->out;
	*mlen = cv.n;
	if (skipped != NULL)
		*skipped = cv.skipped;
	return 0;
}
