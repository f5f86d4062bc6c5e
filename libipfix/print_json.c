#include <string.h>

#include "print_int.h"

/*
 * NDJSON rendering. Record fields sit at the top level of the object, keyed
 * by element name, next to the metadata keys type, odid, template,
 * export_time, session, peer and offset (no IE has one of those names). A
 * repeated element (C26) gets "#2", "#3", ... after its name so that every
 * key is unique and template order is kept.
 */

static void json_fields(struct ipfix_printer *p, const struct ipfix_msg_ctx *m,
    const struct ipfix_tmpl *t, struct ipfix_cursor *c, unsigned depth);
static void json_value(struct ipfix_printer *p, const struct ipfix_msg_ctx *m,
    const struct ipfix_value *v, unsigned depth);

static void
key(struct ipfix_ob *ob, const char *k)
{
	ipfix_ob_putc(ob, '"');
	ipfix_ob_puts(ob, k);
	ipfix_ob_write(ob, "\":", 2);
}

static void
json_raw(struct ipfix_printer *p, const char *why, const uint8_t *raw,
    size_t len)
{
	ipfix_ob_puts(&p->ob, "{\"error\":");
	ipfix_ob_json_lit(&p->ob, why);
	ipfix_ob_puts(&p->ob, ",\"hex\":\"");
	ipfix_ob_hex(&p->ob, raw, len);
	ipfix_ob_puts(&p->ob, "\"}");
}

static void
json_semantic(struct ipfix_ob *ob, uint8_t semantic)
{
	ipfix_ob_puts(ob, "{\"semantic\":");
	ipfix_ob_json_lit(ob, ipfix_list_semantic_name(semantic));
}

/* {"template":T,"records":[...]} for the records of one (sub)template. */
static void
json_records(struct ipfix_printer *p, const struct ipfix_msg_ctx *m,
    uint16_t tid, const struct ipfix_cursor *recs, unsigned depth)
{
	const struct ipfix_tmpl *t = ipfix_print_subtmpl(p, m, tid);
	struct ipfix_rec_iter it;
	struct ipfix_rec r;
	struct ipfix_cursor c;
	struct ipfix_err err;
	int n = 0;

	key(&p->ob, "template");
	ipfix_ob_u64(&p->ob, tid);
	if (t == NULL) {
		ipfix_ob_puts(&p->ob, ",\"unknown\":true,\"hex\":\"");
		ipfix_ob_hex(&p->ob, recs->p + recs->pos, ipfix_cursor_left(recs));
		ipfix_ob_putc(&p->ob, '"');
		return;
	}
	ipfix_ob_puts(&p->ob, ",\"records\":[");
	ipfix_rec_iter_init_bytes(&it, recs, t);
	while (ipfix_rec_next(&it, &r, &err) == 1) {
		ipfix_ob_puts(&p->ob, n++ > 0 ? ",{" : "{");
		ipfix_cursor_init(&c, r.p, r.len, r.offset);
		json_fields(p, m, t, &c, depth);
		ipfix_ob_putc(&p->ob, '}');
	}
	ipfix_ob_putc(&p->ob, ']');
}

static void
json_basiclist(struct ipfix_printer *p, const struct ipfix_msg_ctx *m,
    const struct ipfix_value *v, unsigned depth)
{
	struct ipfix_basiclist bl;
	struct ipfix_value e;
	struct ipfix_err err;
	char lab[32];
	int rc, n = 0;

	if (ipfix_basiclist_open(v, &bl, &err) == -1) {
		json_raw(p, "malformed basicList", v->raw, v->len);
		return;
	}
	json_semantic(&p->ob, bl.semantic);
	ipfix_ob_puts(&p->ob, ",\"element\":");
	ipfix_ob_json_lit(&p->ob, ipfix_print_label(&bl.field, lab,
	    sizeof(lab)));
	ipfix_ob_puts(&p->ob, ",\"values\":[");
	while ((rc = ipfix_basiclist_next(&bl, &e, &err)) == 1) {
		if (n++ > 0)
			ipfix_ob_putc(&p->ob, ',');
		json_value(p, m, &e, depth);
	}
	ipfix_ob_putc(&p->ob, ']');
	if (rc == -1)
		ipfix_ob_puts(&p->ob, ",\"error\":\"malformed\"");
	ipfix_ob_putc(&p->ob, '}');
}

static void
json_stlist(struct ipfix_printer *p, const struct ipfix_msg_ctx *m,
    const struct ipfix_value *v, unsigned depth)
{
	struct ipfix_stlist sl;
	struct ipfix_err err;

	if (ipfix_stlist_open(v, &sl, &err) == -1) {
		json_raw(p, "malformed subTemplateList", v->raw, v->len);
		return;
	}
	json_semantic(&p->ob, sl.semantic);
	ipfix_ob_putc(&p->ob, ',');
	json_records(p, m, sl.tid, &sl.recs, depth);
	ipfix_ob_putc(&p->ob, '}');
}

static void
json_stmlist(struct ipfix_printer *p, const struct ipfix_msg_ctx *m,
    const struct ipfix_value *v, unsigned depth)
{
	struct ipfix_stmlist ml;
	struct ipfix_stml_block b;
	struct ipfix_err err;
	int rc, n = 0;

	if (ipfix_stmlist_open(v, &ml, &err) == -1) {
		json_raw(p, "malformed subTemplateMultiList", v->raw, v->len);
		return;
	}
	json_semantic(&p->ob, ml.semantic);
	ipfix_ob_puts(&p->ob, ",\"blocks\":[");
	while ((rc = ipfix_stmlist_next(&ml, &b, &err)) == 1) {
		ipfix_ob_puts(&p->ob, n++ > 0 ? ",{" : "{");
		json_records(p, m, b.tid, &b.recs, depth);
		ipfix_ob_putc(&p->ob, '}');
	}
	ipfix_ob_putc(&p->ob, ']');
	if (rc == -1)
		ipfix_ob_puts(&p->ob, ",\"error\":\"malformed\"");
	ipfix_ob_putc(&p->ob, '}');
}

static void
json_value(struct ipfix_printer *p, const struct ipfix_msg_ctx *m,
    const struct ipfix_value *v, unsigned depth)
{
	bool list = !v->bad && (v->type == IPFIX_T_BASICLIST ||
	    v->type == IPFIX_T_SUBTEMPLATELIST ||
	    v->type == IPFIX_T_SUBTEMPLATEMULTILIST);

	if (!list) {
		ipfix_print_scalar(&p->ob, v, true);
		return;
	}
	if (depth >= p->opt.max_depth) {
		json_raw(p, "depth limit", v->raw, v->len);
		return;
	}
	if (v->type == IPFIX_T_BASICLIST)
		json_basiclist(p, m, v, depth + 1);
	else if (v->type == IPFIX_T_SUBTEMPLATELIST)
		json_stlist(p, m, v, depth + 1);
	else
		json_stmlist(p, m, v, depth + 1);
}

static bool
same_ie(const struct ipfix_field *a, const struct ipfix_field *b)
{
	return a->id == b->id && a->pen == b->pen;
}

/* How many earlier fields carry the same element. A 64-bit filter on the
 * id keeps this linear for the usual template without repeats. */
static unsigned
occurrence(const struct ipfix_tmpl *t, uint16_t i, uint64_t *seen)
{
	uint64_t bit = (uint64_t)1 << (t->fields[i].id & 63);
	unsigned n = 0;
	uint16_t j;

	if ((*seen & bit) != 0)
		for (j = 0; j < i; j++)
			n += same_ie(&t->fields[j], &t->fields[i]);
	*seen |= bit;
	return n;
}

static void
json_fields(struct ipfix_printer *p, const struct ipfix_msg_ctx *m,
    const struct ipfix_tmpl *t, struct ipfix_cursor *c, unsigned depth)
{
	struct ipfix_value v;
	struct ipfix_err err;
	uint64_t seen = 0;
	unsigned n;
	char lab[32];
	uint16_t i;

	for (i = 0; i < t->nfields; i++) {
		if (i > 0)
			ipfix_ob_putc(&p->ob, ',');
		ipfix_ob_putc(&p->ob, '"');
		ipfix_ob_puts(&p->ob, ipfix_print_label(&t->fields[i], lab,
		    sizeof(lab)));
		if ((n = occurrence(t, i, &seen)) > 0) {
			ipfix_ob_putc(&p->ob, '#');
			ipfix_ob_u64(&p->ob, n + 1);
		}
		ipfix_ob_write(&p->ob, "\":", 2);
		if (ipfix_value_read(c, &t->fields[i], &v, &err) == -1) {
			ipfix_ob_puts(&p->ob, "{\"error\":\"truncated\"}");
			return;
		}
		json_value(p, m, &v, depth);
	}
}

/* "odid":N,"export_time":"...","session":S,"peer":"..." */
static void
json_context(struct ipfix_printer *p, const struct ipfix_msg_ctx *m)
{
	struct ipfix_ob *ob = &p->ob;
	const char *name;

	ipfix_ob_puts(ob, ",\"odid\":");
	ipfix_ob_u64(ob, m->hdr.odid);
	ipfix_ob_puts(ob, ",\"export_time\":\"");
	ipfix_ob_time(ob, m->hdr.export_time, 0, 0);
	ipfix_ob_putc(ob, '"');
	if (m->session != 0) {
		ipfix_ob_puts(ob, ",\"session\":");
		ipfix_ob_u64(ob, m->session);
	}
	if ((name = ipfix_print_session_name(p, m->session)) != NULL) {
		ipfix_ob_puts(ob, ",\"peer\":");
		ipfix_ob_json_lit(ob, name);
	}
}

void
ipfix_pj_message(struct ipfix_printer *p, const struct ipfix_msg_ctx *m)
{
	struct ipfix_ob *ob = &p->ob;

	ipfix_ob_puts(ob, "{\"type\":\"message\",\"message\":");
	ipfix_ob_u64(ob, p->messages);
	json_context(p, m);
	ipfix_ob_puts(ob, ",\"seq\":");
	ipfix_ob_u64(ob, m->hdr.seq);
	ipfix_ob_puts(ob, ",\"length\":");
	ipfix_ob_u64(ob, m->hdr.length);
	ipfix_ob_puts(ob, ",\"offset\":");
	ipfix_ob_u64(ob, m->offset);
	ipfix_ob_puts(ob, "}\n");
}

static void
json_field_spec(struct ipfix_ob *ob, const struct ipfix_field *f, bool scope)
{
	char lab[32];

	ipfix_ob_puts(ob, "{\"name\":");
	ipfix_ob_json_lit(ob, ipfix_print_label(f, lab, sizeof(lab)));
	ipfix_ob_puts(ob, ",\"id\":");
	ipfix_ob_u64(ob, f->id);
	if (f->pen != 0) {
		ipfix_ob_puts(ob, ",\"pen\":");
		ipfix_ob_u64(ob, f->pen);
	}
	ipfix_ob_puts(ob, ",\"length\":");
	if (f->len == IPFIX_VARLEN)
		ipfix_ob_puts(ob, "\"variable\"");
	else
		ipfix_ob_u64(ob, f->len);
	ipfix_ob_puts(ob, ",\"type\":");
	ipfix_ob_json_lit(ob, ipfix_type_name(f->ie != NULL ?
	    (enum ipfix_type)f->ie->type : IPFIX_T_OCTETARRAY));
	if (scope)
		ipfix_ob_puts(ob, ",\"scope\":true");
	ipfix_ob_putc(ob, '}');
}

void
ipfix_pj_template(struct ipfix_printer *p, const struct ipfix_msg_ctx *m,
    const struct ipfix_tmpl *t)
{
	struct ipfix_ob *ob = &p->ob;
	uint16_t i;

	ipfix_ob_puts(ob, t->options ? "{\"type\":\"options-template\"" :
	    "{\"type\":\"template\"");
	json_context(p, m);
	ipfix_ob_puts(ob, ",\"template\":");
	ipfix_ob_u64(ob, t->id);
	ipfix_ob_puts(ob, ",\"fields\":[");
	for (i = 0; i < t->nfields; i++) {
		if (i > 0)
			ipfix_ob_putc(ob, ',');
		json_field_spec(ob, &t->fields[i], i < t->scope_count);
	}
	ipfix_ob_puts(ob, "]}\n");
}

void
ipfix_pj_withdrawal(struct ipfix_printer *p, const struct ipfix_msg_ctx *m,
    uint16_t set_id, uint16_t tid)
{
	struct ipfix_ob *ob = &p->ob;

	ipfix_ob_puts(ob, "{\"type\":\"withdrawal\"");
	json_context(p, m);
	ipfix_ob_puts(ob, ",\"set\":");
	ipfix_ob_u64(ob, set_id);
	ipfix_ob_puts(ob, ",\"template\":");
	ipfix_ob_u64(ob, tid);
	if (tid == IPFIX_SET_TEMPLATE || tid == IPFIX_SET_OPTIONS_TEMPLATE)
		ipfix_ob_puts(ob, ",\"all\":true");
	ipfix_ob_puts(ob, "}\n");
}

/* "field_offsets":[...]: where each value starts (after a varlen
 * prefix), so a record can be laid over another decoder's output. */
static void
json_field_offsets(struct ipfix_ob *ob, const struct ipfix_tmpl *t,
    const struct ipfix_rec *r)
{
	struct ipfix_cursor c;
	struct ipfix_value v;
	struct ipfix_err err;
	uint16_t i;

	ipfix_ob_puts(ob, ",\"field_offsets\":[");
	ipfix_cursor_init(&c, r->p, r->len, r->offset);
	for (i = 0; i < t->nfields; i++) {
		if (ipfix_value_read(&c, &t->fields[i], &v, &err) == -1)
			break;
		if (i > 0)
			ipfix_ob_putc(ob, ',');
		ipfix_ob_u64(ob, r->offset + (uint64_t)(v.raw - r->p));
	}
	ipfix_ob_putc(ob, ']');
}

void
ipfix_pj_record(struct ipfix_printer *p, const struct ipfix_msg_ctx *m,
    const struct ipfix_tmpl *t, const struct ipfix_rec *r)
{
	struct ipfix_ob *ob = &p->ob;
	struct ipfix_cursor c;

	ipfix_ob_puts(ob, "{\"type\":\"record\"");
	json_context(p, m);
	ipfix_ob_puts(ob, ",\"template\":");
	ipfix_ob_u64(ob, t->id);
	if (p->opt.offsets) {
		ipfix_ob_puts(ob, ",\"offset\":");
		ipfix_ob_u64(ob, r->offset);
	}
	if (t->nfields > 0)
		ipfix_ob_putc(ob, ',');
	ipfix_cursor_init(&c, r->p, r->len, r->offset);
	json_fields(p, m, t, &c, 0);
	if (p->opt.offsets)
		json_field_offsets(ob, t, r);
	ipfix_ob_puts(ob, "}\n");
}

void
ipfix_pj_note(struct ipfix_printer *p, const char *kind, const char *text)
{
	ipfix_ob_puts(&p->ob, "{\"type\":\"note\",\"kind\":");
	ipfix_ob_json_lit(&p->ob, kind);
	ipfix_ob_puts(&p->ob, ",\"text\":");
	ipfix_ob_json_lit(&p->ob, text);
	ipfix_ob_puts(&p->ob, "}\n");
}

void
ipfix_pj_problem(struct ipfix_printer *p, const char *where,
    const struct ipfix_problem *pr)
{
	struct ipfix_ob *ob = &p->ob;

	ipfix_ob_puts(ob, "{\"type\":\"problem\",\"severity\":");
	ipfix_ob_json_lit(ob, ipfix_severity_name(pr->severity));
	if (where != NULL) {
		ipfix_ob_puts(ob, ",\"file\":");
		ipfix_ob_json_lit(ob, where);
	}
	ipfix_ob_puts(ob, ",\"check\":");
	if (pr->check != NULL)
		ipfix_ob_json_lit(ob, pr->check);
	else
		ipfix_ob_puts(ob, "null");
	if (pr->offset != IPFIX_NO_OFFSET) {
		ipfix_ob_puts(ob, ",\"offset\":");
		ipfix_ob_u64(ob, pr->offset);
	}
	ipfix_ob_puts(ob, ",\"session\":");
	ipfix_ob_u64(ob, pr->session);
	ipfix_ob_puts(ob, ",\"odid\":");
	ipfix_ob_u64(ob, pr->odid);
	ipfix_ob_puts(ob, ",\"reason\":");
	ipfix_ob_json_lit(ob, pr->reason[0] != '\0' ? pr->reason :
	    ipfix_strerror(pr->code));
	ipfix_ob_puts(ob, "}\n");
}
