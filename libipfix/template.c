/*
 * template: parsing and encoding of (Options) Template Records, and the
 * template store keyed by (session, ODID, template id).
 */
#include <stdlib.h>
#include <string.h>

#include "template.h"

#define ENTERPRISE_BIT 0x8000u
#define ALL_TEMPLATES(id) ((id) == IPFIX_SET_TEMPLATE || \
    (id) == IPFIX_SET_OPTIONS_TEMPLATE)
/* Largest data record that fits in a message: 65535 - header - set header. */
#define MAX_RECORD_LEN (65535u - 16u - 4u)

struct ipfix_tmpl *
ipfix_tmpl_new(uint16_t id, uint16_t nfields, uint16_t scope_count)
{
	struct ipfix_tmpl *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	/* calloc(0) may return NULL; keep fields non-NULL for simplicity */
	t->fields = calloc(nfields > 0 ? nfields : 1, sizeof(*t->fields));
	if (t->fields == NULL) {
		free(t);
		return NULL;
	}
	t->id = id;
	t->nfields = nfields;
	t->scope_count = scope_count;
	t->options = scope_count > 0;
	return t;
}

void
ipfix_tmpl_free(struct ipfix_tmpl *t)
{
	if (t == NULL)
		return;
	free(t->fields);
	free(t);
}

struct ipfix_tmpl *
ipfix_tmpl_dup(const struct ipfix_tmpl *t)
{
	struct ipfix_tmpl *n;
	struct ipfix_field *fields;

	if ((n = ipfix_tmpl_new(t->id, t->nfields, t->scope_count)) == NULL)
		return NULL;
	fields = n->fields;
	*n = *t;
	n->fields = fields;
	if (t->nfields > 0)
		memcpy(n->fields, t->fields, t->nfields * sizeof(*t->fields));
	return n;
}

/* Sum of the fixed lengths plus one prefix byte per varlen field, saturated
 * at 65535 (such a template can frame no record and is rejected by parse). */
void
ipfix_tmpl_finish(struct ipfix_tmpl *t)
{
	uint32_t min = 0;
	uint16_t i;

	t->varlen = false;
	for (i = 0; i < t->nfields; i++) {
		struct ipfix_field *f = &t->fields[i];

		f->ie = ipfix_ie_lookup(f->pen, f->id);
		if (f->len == IPFIX_VARLEN) {
			t->varlen = true;
			min += 1;
		} else
			min += f->len;
	}
	t->min_len = min > 65535 ? 65535 : (uint16_t)min;
}

#define IE_EXPORTED_RECORDS	42	/* exportedFlowRecordTotalCount */
#define IE_NOT_SENT_RECORDS	166	/* notSentFlowTotalCount */

bool
ipfix_tmpl_exp_stats(const struct ipfix_tmpl *t)
{
	if (!t->options)
		return false;
	for (uint16_t i = 0; i < t->nfields; i++)
		if (t->fields[i].pen == 0 &&
		    (t->fields[i].id == IE_EXPORTED_RECORDS ||
		    t->fields[i].id == IE_NOT_SENT_RECORDS))
			return true;
	return false;
}

bool
ipfix_tmpl_equal(const struct ipfix_tmpl *a, const struct ipfix_tmpl *b)
{
	uint16_t i;

	if (a->id != b->id || a->nfields != b->nfields ||
	    a->scope_count != b->scope_count || a->options != b->options)
		return false;
	for (i = 0; i < a->nfields; i++) {
		if (a->fields[i].pen != b->fields[i].pen ||
		    a->fields[i].id != b->fields[i].id ||
		    a->fields[i].len != b->fields[i].len)
			return false;
	}
	return true;
}

size_t
ipfix_tmpl_wire_size(const struct ipfix_tmpl *t)
{
	size_t n = t->options ? 6 : 4;
	uint16_t i;

	for (i = 0; i < t->nfields; i++)
		n += t->fields[i].pen != 0 ? 8 : 4;
	return n;
}

size_t
ipfix_tmpl_encode(const struct ipfix_tmpl *t, uint8_t *buf, size_t size)
{
	size_t need = ipfix_tmpl_wire_size(t), pos;
	uint16_t i;

	if (need > size)
		return 0;
	ipfix_put16(buf, t->id);
	ipfix_put16(buf + 2, t->nfields);
	pos = 4;
	if (t->options) {
		ipfix_put16(buf + 4, t->scope_count);
		pos = 6;
	}
	for (i = 0; i < t->nfields; i++) {
		const struct ipfix_field *f = &t->fields[i];

		ipfix_put16(buf + pos, (uint16_t)(f->id |
		    (f->pen != 0 ? ENTERPRISE_BIT : 0)));
		ipfix_put16(buf + pos + 2, f->len);
		pos += 4;
		if (f->pen != 0) {
			ipfix_put32(buf + pos, f->pen);
			pos += 4;
		}
	}
	return pos;
}

size_t
ipfix_tmpl_wire_match(const struct ipfix_tmpl *t, const uint8_t *p,
    size_t left)
{
	size_t need = ipfix_tmpl_wire_size(t), pos;
	uint16_t i;

	if (need > left || ipfix_be16(p) != t->id ||
	    ipfix_be16(p + 2) != t->nfields ||
	    (t->options && ipfix_be16(p + 4) != t->scope_count))
		return 0;
	pos = t->options ? 6 : 4;
	for (i = 0; i < t->nfields; i++) {
		const struct ipfix_field *f = &t->fields[i];

		if (ipfix_be16(p + pos) != (uint16_t)(f->id |
		    (f->pen != 0 ? ENTERPRISE_BIT : 0)) ||
		    ipfix_be16(p + pos + 2) != f->len ||
		    (f->pen != 0 && ipfix_be32(p + pos + 4) != f->pen))
			return 0;
		pos += f->pen != 0 ? 8 : 4;
	}
	return pos;
}

/* Parsing ---------------------------------------------------------------- */

static int
parse_withdrawal(uint64_t at, uint16_t set_id, uint16_t id, uint16_t *wid,
    struct ipfix_err *err)
{
	if (ALL_TEMPLATES(id) && id != set_id)
		return ipfix_err_set(err, IPFIX_E_TEMPLATE, at, "C44",
		    "withdrawal of all templates with id %u in set %u",
		    id, set_id);
	if (!ALL_TEMPLATES(id) && id < IPFIX_MIN_DATA_SET_ID)
		return ipfix_err_set(err, IPFIX_E_TEMPLATE, at, "C22",
		    "withdrawal of template id %u (below 256)", id);
	*wid = id;
	return 0;
}

/* One field specifier; on error err is set and -1 returned. A tolerated
 * deviation sets its bit in *quirks. */
static int
parse_field(struct ipfix_cursor *c, struct ipfix_field *f, bool tolerant,
    uint8_t *quirks, struct ipfix_err *err)
{
	uint64_t at = ipfix_cursor_offset(c);
	uint16_t raw;

	raw = ipfix_get_u16(c);
	f->len = ipfix_get_u16(c);
	f->id = raw & ~ENTERPRISE_BIT;
	f->pen = (raw & ENTERPRISE_BIT) != 0 ? ipfix_get_u32(c) : 0;
	if (c->bad)
		return ipfix_err_set(err, IPFIX_E_TEMPLATE, at, "C25",
		    "field specifier runs past the end of the set");
	if ((raw & ENTERPRISE_BIT) != 0 && f->id == 0)
		return ipfix_err_set(err, IPFIX_E_TEMPLATE, at, "C21",
		    "enterprise element id 0 (PEN %u)", f->pen);
	/* PEN 0 with the E bit cannot be told apart from an IANA element
	 * once stored; keep it as IANA, which is what it names. */
	if ((raw & ENTERPRISE_BIT) != 0 && f->pen == 0)
		*quirks |= IPFIX_TQ_PEN0;
	f->ie = ipfix_ie_lookup(f->pen, f->id);
	if (f->ie != NULL && !ipfix_type_length_ok(f->ie->type, f->len)) {
		/* the length on the wire frames the record either way:
		 * taking it costs no data (issue 12) */
		if (tolerant && f->len != IPFIX_VARLEN) {
			*quirks |= IPFIX_TQ_LENGTH;
			return 0;
		}
		return ipfix_err_set(err, IPFIX_E_TEMPLATE, at, "C31",
		    "field length %u not allowed for %s (%s)", f->len,
		    f->ie->name, ipfix_type_name(f->ie->type));
	}
	return 0;
}

static int
parse_fields(struct ipfix_cursor *c, struct ipfix_tmpl *t, bool tolerant,
    struct ipfix_err *err)
{
	uint16_t i;

	for (i = 0; i < t->nfields; i++) {
		if (parse_field(c, &t->fields[i], tolerant, &t->quirks,
		    err) == -1)
			return -1;
	}
	ipfix_tmpl_finish(t);
	return 0;
}

static int
check_header(uint64_t at, uint16_t set_id, uint16_t id, uint16_t count,
    uint16_t scope, bool tolerant, struct ipfix_err *err)
{
	if (id < IPFIX_MIN_DATA_SET_ID)
		return ipfix_err_set(err, IPFIX_E_TEMPLATE, at, "C22",
		    "template id %u below 256", id);
	if (set_id == IPFIX_SET_OPTIONS_TEMPLATE && scope > count)
		return ipfix_err_set(err, IPFIX_E_TEMPLATE, at + 4, "C24",
		    "scope field count %u (field count %u)", scope, count);
	if (set_id == IPFIX_SET_OPTIONS_TEMPLATE && scope == 0 && !tolerant)
		return ipfix_err_set(err, IPFIX_E_TEMPLATE, at + 4, "C24",
		    "scope field count 0 (field count %u)", count);
	return 0;
}

int
ipfix_tmpl_parse(struct ipfix_cursor *c, uint16_t set_id, bool tolerant,
    struct ipfix_tmpl **out, uint16_t *wid, struct ipfix_err *err)
{
	uint64_t at = ipfix_cursor_offset(c);
	uint16_t id, count, scope = 0;
	struct ipfix_tmpl *t;

	*out = NULL;
	id = ipfix_get_u16(c);
	count = ipfix_get_u16(c);
	if (!c->bad && count == 0)
		return parse_withdrawal(at, set_id, id, wid, err);
	if (set_id == IPFIX_SET_OPTIONS_TEMPLATE)
		scope = ipfix_get_u16(c);
	if (c->bad)
		return ipfix_err_set(err, IPFIX_E_TEMPLATE, at, "C25",
		    "template record header runs past the end of the set");
	if (check_header(at, set_id, id, count, scope, tolerant, err) == -1)
		return -1;
	if ((t = ipfix_tmpl_new(id, count, scope)) == NULL)
		return ipfix_err_set(err, IPFIX_E_NOMEM, at, NULL,
		    "out of memory for template %u", id);
	if (set_id == IPFIX_SET_OPTIONS_TEMPLATE && scope == 0)
		t->quirks |= IPFIX_TQ_NOSCOPE;
	if (parse_fields(c, t, tolerant, err) == -1) {
		ipfix_tmpl_free(t);
		return -1;
	}
	if (t->min_len > MAX_RECORD_LEN) {
		ipfix_tmpl_free(t);
		return ipfix_err_set(err, IPFIX_E_TEMPLATE, at, NULL,
		    "template %u: record length above any message size", id);
	}
	*out = t;
	return 1;
}

/* The first field whose length its type does not allow, and how many. */
static unsigned
odd_lengths(const struct ipfix_tmpl *t, uint16_t *first, uint64_t *rel)
{
	uint64_t pos = (t->quirks & IPFIX_TQ_NOSCOPE) || t->options ? 6 : 4;
	unsigned n = 0;
	uint16_t i;

	for (i = 0; i < t->nfields; i++) {
		const struct ipfix_field *f = &t->fields[i];

		if (f->ie != NULL && !ipfix_type_length_ok(f->ie->type,
		    f->len) && n++ == 0) {
			*first = i;
			*rel = pos;
		}
		pos += f->pen != 0 ? 8 : 4;
	}
	return n;
}

unsigned
ipfix_tmpl_quirk(const struct ipfix_tmpl *t, uint64_t at,
    struct ipfix_err *err)
{
	const struct ipfix_field *f;
	uint64_t rel = 0;
	uint16_t i = 0;
	unsigned n;

	if (t->quirks == 0)
		return 0;
	if ((n = odd_lengths(t, &i, &rel)) > 0) {
		f = &t->fields[i];
		ipfix_err_set(err, IPFIX_E_TEMPLATE, at + rel, "C31",
		    "template %u: field length %u not allowed for %s (%s); "
		    "decoded by its length%s", t->id, f->len, f->ie->name,
		    ipfix_type_name(f->ie->type), n > 1 ?
		    " (and more fields)" : "");
		return n + ((t->quirks & IPFIX_TQ_NOSCOPE) != 0);
	}
	if (t->quirks & IPFIX_TQ_NOSCOPE) {
		ipfix_err_set(err, IPFIX_E_TEMPLATE, at + 4, "C24",
		    "options template %u has scope field count 0; decoded as "
		    "a template without scope", t->id);
		return 1;
	}
	ipfix_err_set(err, IPFIX_E_TEMPLATE, at, "C20",
	    "template %u: enterprise bit with enterprise number 0; taken as "
	    "the IANA element", t->id);
	return 1;
}

/* Store ------------------------------------------------------------------ */

struct tentry {
	struct tentry *hnext;	/* hash chain */
	struct tentry *dnext;	/* domain list, ascending id */
	struct tdomain *dom;
	uint32_t session;
	uint32_t odid;
	uint16_t id;
	struct ipfix_tmpl *t;	/* owned */
};

struct tdomain {
	struct tdomain *hnext;
	uint32_t session;
	uint32_t odid;
	size_t count;
	struct tentry *list;
};

struct ipfix_tstore {
	struct ipfix_tstore_limits lim;
	struct tentry **tb;	/* power-of-two bucket array */
	size_t tbmask;
	size_t ntmpl;
	struct tdomain **db;
	size_t dbmask;
	size_t ndom;
};

#define INITIAL_BUCKETS 64

static size_t
hash3(uint32_t session, uint32_t odid, uint32_t id)
{
	uint64_t h = ((uint64_t)session << 32 | odid) * 0x9E3779B97F4A7C15ull;

	h ^= id * 0xC2B2AE3D27D4EB4Full;
	h ^= h >> 29;
	return (size_t)(h * 0xBF58476D1CE4E5B9ull >> 17);
}

struct ipfix_tstore *
ipfix_tstore_new(const struct ipfix_tstore_limits *lim)
{
	struct ipfix_tstore *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	if (lim != NULL)
		s->lim = *lim;
	s->tb = calloc(INITIAL_BUCKETS, sizeof(*s->tb));
	s->db = calloc(INITIAL_BUCKETS, sizeof(*s->db));
	if (s->tb == NULL || s->db == NULL) {
		free(s->tb);
		free(s->db);
		free(s);
		return NULL;
	}
	s->tbmask = s->dbmask = INITIAL_BUCKETS - 1;
	return s;
}

void
ipfix_tstore_free(struct ipfix_tstore *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i <= s->dbmask; i++) {
		struct tdomain *d, *dn;

		for (d = s->db[i]; d != NULL; d = dn) {
			struct tentry *e, *en;

			dn = d->hnext;
			for (e = d->list; e != NULL; e = en) {
				en = e->dnext;
				ipfix_tmpl_free(e->t);
				free(e);
			}
			free(d);
		}
	}
	free(s->tb);
	free(s->db);
	free(s);
}

static struct tdomain *
domain_find(const struct ipfix_tstore *s, uint32_t session, uint32_t odid)
{
	struct tdomain *d;

	d = s->db[hash3(session, odid, 0) & s->dbmask];
	for (; d != NULL; d = d->hnext) {
		if (d->session == session && d->odid == odid)
			return d;
	}
	return NULL;
}

static struct tentry *
entry_find(const struct ipfix_tstore *s, uint32_t session, uint32_t odid,
    uint16_t id)
{
	struct tentry *e;

	e = s->tb[hash3(session, odid, id) & s->tbmask];
	for (; e != NULL; e = e->hnext) {
		if (e->id == id && e->session == session && e->odid == odid)
			return e;
	}
	return NULL;
}

/* Doubles the template table once it is fuller than one entry per bucket;
 * a failed resize just keeps the longer chains. */
static void
tb_grow(struct ipfix_tstore *s)
{
	size_t n = (s->tbmask + 1) * 2, i;
	struct tentry **tb, *e, *en;

	if (s->ntmpl <= s->tbmask + 1 || (tb = calloc(n, sizeof(*tb))) == NULL)
		return;
	for (i = 0; i <= s->tbmask; i++) {
		for (e = s->tb[i]; e != NULL; e = en) {
			size_t h = hash3(e->session, e->odid, e->id) & (n - 1);

			en = e->hnext;
			e->hnext = tb[h];
			tb[h] = e;
		}
	}
	free(s->tb);
	s->tb = tb;
	s->tbmask = n - 1;
}

static void
db_grow(struct ipfix_tstore *s)
{
	size_t n = (s->dbmask + 1) * 2, i;
	struct tdomain **db, *d, *dn;

	if (s->ndom <= s->dbmask + 1 || (db = calloc(n, sizeof(*db))) == NULL)
		return;
	for (i = 0; i <= s->dbmask; i++) {
		for (d = s->db[i]; d != NULL; d = dn) {
			size_t h = hash3(d->session, d->odid, 0) & (n - 1);

			dn = d->hnext;
			d->hnext = db[h];
			db[h] = d;
		}
	}
	free(s->db);
	s->db = db;
	s->dbmask = n - 1;
}

static struct tdomain *
domain_get(struct ipfix_tstore *s, uint32_t session, uint32_t odid)
{
	struct tdomain *d;
	size_t h;

	if ((d = domain_find(s, session, odid)) != NULL)
		return d;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	d->session = session;
	d->odid = odid;
	h = hash3(session, odid, 0) & s->dbmask;
	d->hnext = s->db[h];
	s->db[h] = d;
	s->ndom++;
	db_grow(s);
	return d;
}

static void
domain_unlink(struct ipfix_tstore *s, struct tdomain *d)
{
	struct tdomain **pp = &s->db[hash3(d->session, d->odid, 0) & s->dbmask];

	while (*pp != d)
		pp = &(*pp)->hnext;
	*pp = d->hnext;
	s->ndom--;
	free(d);
}

static void
entry_insert(struct ipfix_tstore *s, struct tdomain *d, struct tentry *e)
{
	struct tentry **pp = &d->list;
	size_t h = hash3(e->session, e->odid, e->id) & s->tbmask;

	while (*pp != NULL && (*pp)->id < e->id)
		pp = &(*pp)->dnext;
	e->dnext = *pp;
	*pp = e;
	e->hnext = s->tb[h];
	s->tb[h] = e;
	d->count++;
	s->ntmpl++;
	tb_grow(s);
}

/* Unlinks e from the hash and its domain list and frees it. */
static void
entry_remove(struct ipfix_tstore *s, struct tentry *e)
{
	struct tentry **pp;

	pp = &s->tb[hash3(e->session, e->odid, e->id) & s->tbmask];
	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	pp = &e->dom->list;
	while (*pp != e)
		pp = &(*pp)->dnext;
	*pp = e->dnext;
	e->dom->count--;
	s->ntmpl--;
	ipfix_tmpl_free(e->t);
	free(e);
}

/* A re-send at export time 'at': a late UDP message with an older time
 * must not shorten the template's life (serial arithmetic, as in
 * ipfix_tstore_expired). */
static void
seen_at(struct ipfix_tmpl *t, uint32_t at)
{
	if ((int32_t)(at - t->last_seen) > 0)
		t->last_seen = at;
}

static int
replace(struct tentry *e, struct ipfix_tmpl *t)
{
	if (ipfix_tmpl_equal(e->t, t)) {
		seen_at(e->t, t->last_seen);
		ipfix_tmpl_free(t);
		return IPFIX_TADD_SAME;
	}
	ipfix_tmpl_free(e->t);
	t->first_seen = t->last_seen;
	e->t = t;
	return IPFIX_TADD_CHANGED;
}

int
ipfix_tstore_add(struct ipfix_tstore *s, uint32_t session, uint32_t odid,
    struct ipfix_tmpl *t, struct ipfix_err *err)
{
	struct tentry *e;
	struct tdomain *d;

	if ((e = entry_find(s, session, odid, t->id)) != NULL)
		return replace(e, t);
	if ((d = domain_get(s, session, odid)) == NULL ||
	    (e = calloc(1, sizeof(*e))) == NULL) {
		ipfix_tmpl_free(t);
		return ipfix_err_set(err, IPFIX_E_NOMEM, IPFIX_NO_OFFSET,
		    NULL, "out of memory storing template");
	}
	if (s->lim.max_templates != 0 && d->count >= s->lim.max_templates) {
		uint16_t id = t->id;

		free(e);
		ipfix_tmpl_free(t);
		return ipfix_err_set(err, IPFIX_E_LIMIT, IPFIX_NO_OFFSET,
		    NULL, "template %u: limit of %zu templates per domain",
		    id, s->lim.max_templates);
	}
	e->dom = d;
	e->session = session;
	e->odid = odid;
	e->id = t->id;
	e->t = t;
	entry_insert(s, d, e);
	return IPFIX_TADD_NEW;
}

int
ipfix_tstore_withdraw(struct ipfix_tstore *s, uint32_t session,
    uint32_t odid, uint16_t id)
{
	struct tdomain *d;
	struct tentry *e, *en;
	int n = 0;

	if (!ALL_TEMPLATES(id)) {
		if ((e = entry_find(s, session, odid, id)) == NULL)
			return 0;
		entry_remove(s, e);
		return 1;
	}
	if ((d = domain_find(s, session, odid)) == NULL)
		return 0;
	for (e = d->list; e != NULL; e = en) {
		en = e->dnext;
		if (e->t->options == (id == IPFIX_SET_OPTIONS_TEMPLATE)) {
			entry_remove(s, e);
			n++;
		}
	}
	return n;
}

const struct ipfix_tmpl *
ipfix_tstore_find(const struct ipfix_tstore *s, uint32_t session,
    uint32_t odid, uint16_t id)
{
	const struct tentry *e = entry_find(s, session, odid, id);

	return e != NULL ? e->t : NULL;
}

const struct ipfix_tmpl *
ipfix_tstore_touch(struct ipfix_tstore *s, uint32_t session, uint32_t odid,
    uint16_t id, uint32_t now)
{
	struct tentry *e = entry_find(s, session, odid, id);

	if (e == NULL)
		return NULL;
	seen_at(e->t, now);
	return e->t;
}

bool
ipfix_tstore_expired(const struct ipfix_tstore *s,
    const struct ipfix_tmpl *t, uint32_t now)
{
	/* Signed difference: export times may step back a little (UDP
	 * reordering) and wrap in 2106 (RFC 7011 §5.2). */
	int32_t age = (int32_t)(now - t->last_seen);

	return s->lim.udp_lifetime != 0 && age > 0 &&
	    (uint32_t)age > s->lim.udp_lifetime;
}

const struct ipfix_tmpl *
ipfix_tstore_get(const struct ipfix_tstore *s, uint32_t session,
    uint32_t odid, uint16_t id, uint32_t now)
{
	const struct ipfix_tmpl *t = ipfix_tstore_find(s, session, odid, id);

	if (t == NULL || ipfix_tstore_expired(s, t, now))
		return NULL;
	return t;
}

void
ipfix_tstore_drop_session(struct ipfix_tstore *s, uint32_t session)
{
	size_t i;

	for (i = 0; i <= s->dbmask; i++) {
		struct tdomain *d, *dn;

		for (d = s->db[i]; d != NULL; d = dn) {
			dn = d->hnext;
			if (d->session != session)
				continue;
			while (d->list != NULL)
				entry_remove(s, d->list);
			domain_unlink(s, d);
		}
	}
}

void
ipfix_tstore_foreach(const struct ipfix_tstore *s, uint32_t session,
    uint32_t odid, void (*fn)(const struct ipfix_tmpl *, void *), void *arg)
{
	const struct tdomain *d = domain_find(s, session, odid);
	const struct tentry *e;

	if (d == NULL)
		return;
	for (e = d->list; e != NULL; e = e->dnext)
		fn(e->t, arg);
}

size_t
ipfix_tstore_count(const struct ipfix_tstore *s)
{
	return s->ntmpl;
}
