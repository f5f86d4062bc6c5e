#include <string.h>

#include "print_int.h"

/*
 * NDJSON rendering. Record fields sit at the top level of the object, keyed
 * by element name, next to the metadata keys type, odid, template,
 * export_time, session, peer and offset (no IE has one of those names). A
 * repeated element (C26) gets "#2", "#3", ... after its name so that every
 * key is unique and template order is kept.
 */

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

/* Records and lists: a visitor of walk.h ---------------------------------- */

/* "name":, or "name#2": for a repeated element; a comma between list
 * elements. */
static void
json_head(struct ipfix_printer *p, const struct ipfix_walk_at *at)
{
	const struct ipfix_print_label_slot *sl;
	char *q, *s;

	if (at->list != NULL || (sl = ipfix_print_slot(p, at->f->ie)) == NULL) {
		if (at->index > 0)
			ipfix_ob_putc(&p->ob, ',');
		if (at->list != NULL)
			return;
		ipfix_ob_putc(&p->ob, '"');
		ipfix_print_put_label(&p->ob, at->f);
	} else {
		s = q = ipfix_ob_room(&p->ob, IPFIX_PRINT_LABEL_MAX + 2);
		*q = ',';
		q += at->index > 0;
		*q++ = '"';
		memcpy(q, sl->text, IPFIX_PRINT_LABEL_MAX);
		p->ob.len += (size_t)(q + sl->len - s);
	}
	if (at->occurrence > 0) {
		ipfix_ob_putc(&p->ob, '#');
		ipfix_ob_u64(&p->ob, at->occurrence + 1);
	}
	ipfix_ob_write(&p->ob, "\":", 2);
}

static void
json_value(void *arg, const struct ipfix_walk_at *at,
    const struct ipfix_value *v)
{
	struct ipfix_printer *p = arg;

	json_head(p, at);
	ipfix_print_scalar(&p->ob, v, true);
}

static void
json_truncated(void *arg, const struct ipfix_walk_at *at,
    const struct ipfix_err *err)
{
	struct ipfix_printer *p = arg;

	(void)err;
	json_head(p, at);
	ipfix_ob_puts(&p->ob, "{\"error\":\"truncated\"}");
}

static void
json_depth_limit(void *arg, const struct ipfix_walk_at *at,
    const struct ipfix_value *v)
{
	json_head(arg, at);
	json_raw(arg, "depth limit", v->raw, v->len);
}

static void
json_list_bad(void *arg, const struct ipfix_walk_list *l,
    const struct ipfix_err *err)
{
	(void)err;
	json_head(arg, l->at);
	json_raw(arg, ipfix_print_malformed(l->type), l->v->raw, l->v->len);
}

/* {"semantic":S, then "element":E,"values":[ or "blocks":[ */
static void
json_list_begin(void *arg, const struct ipfix_walk_list *l)
{
	struct ipfix_printer *p = arg;
	char lab[32];

	json_head(p, l->at);
	ipfix_ob_puts(&p->ob, "{\"semantic\":");
	ipfix_ob_json_lit(&p->ob, ipfix_list_semantic_name(l->semantic));
	if (l->type == IPFIX_T_BASICLIST) {
		ipfix_ob_puts(&p->ob, ",\"element\":");
		ipfix_ob_json_lit(&p->ob, ipfix_print_label(l->elem, lab,
		    sizeof(lab)));
		ipfix_ob_puts(&p->ob, ",\"values\":[");
	} else if (l->type == IPFIX_T_SUBTEMPLATELIST)
		ipfix_ob_putc(&p->ob, ',');
	else
		ipfix_ob_puts(&p->ob, ",\"blocks\":[");
}

static void
json_list_end(void *arg, const struct ipfix_walk_list *l,
    const struct ipfix_err *err)
{
	struct ipfix_printer *p = arg;

	if (l->type != IPFIX_T_SUBTEMPLATELIST)
		ipfix_ob_putc(&p->ob, ']');
	if (err != NULL)
		ipfix_ob_puts(&p->ob, ",\"error\":\"malformed\"");
	ipfix_ob_putc(&p->ob, '}');
}

/* "template":T,"records":[...] for the records of one sub-template, in
 * an object of its own inside a subTemplateMultiList. */
static void
json_block_begin(void *arg, const struct ipfix_walk_list *l,
    const struct ipfix_walk_block *b)
{
	struct ipfix_printer *p = arg;

	if (l->type == IPFIX_T_SUBTEMPLATEMULTILIST)
		ipfix_ob_puts(&p->ob, b->index > 0 ? ",{" : "{");
	key(&p->ob, "template");
	ipfix_ob_u64(&p->ob, b->tid);
	if (b->t != NULL)
		ipfix_ob_puts(&p->ob, ",\"records\":[");
}

static void
json_block_end(void *arg, const struct ipfix_walk_list *l,
    const struct ipfix_walk_block *b)
{
	struct ipfix_printer *p = arg;

	if (b->t != NULL)
		ipfix_ob_putc(&p->ob, ']');
	if (l->type == IPFIX_T_SUBTEMPLATEMULTILIST)
		ipfix_ob_putc(&p->ob, '}');
}

static void
json_unknown(void *arg, const struct ipfix_walk_list *l,
    const struct ipfix_walk_block *b)
{
	struct ipfix_printer *p = arg;

	(void)l;
	ipfix_ob_puts(&p->ob, ",\"unknown\":true,\"hex\":\"");
	ipfix_ob_hex(&p->ob, b->recs->p + b->recs->pos,
	    ipfix_cursor_left(b->recs));
	ipfix_ob_putc(&p->ob, '"');
}

static void
json_rec_begin(void *arg, const struct ipfix_walk_block *b, unsigned n)
{
	struct ipfix_printer *p = arg;

	(void)b;
	ipfix_ob_puts(&p->ob, n > 0 ? ",{" : "{");
}

static void
json_rec_end(void *arg, const struct ipfix_walk_block *b)
{
	struct ipfix_printer *p = arg;

	(void)b;
	ipfix_ob_putc(&p->ob, '}');
}

static const struct ipfix_walk_ops json_ops = {
	.value = json_value,
	.truncated = json_truncated,
	.depth_limit = json_depth_limit,
	.list_bad = json_list_bad,
	.list_begin = json_list_begin,
	.list_end = json_list_end,
	.block_begin = json_block_begin,
	.block_end = json_block_end,
	.unknown = json_unknown,
	.rec_begin = json_rec_begin,
	.rec_end = json_rec_end,
};

/* "exporter":{...}: who sent the record (a collector's output). */
static void
json_origin(struct ipfix_ob *ob, const struct ipfix_origin *x)
{
	ipfix_ob_puts(ob, ",\"exporter\":{\"address\":");
	ipfix_ob_json_lit(ob, x->addr);
	ipfix_ob_puts(ob, ",\"port\":");
	ipfix_ob_u64(ob, x->port);
	ipfix_ob_puts(ob, ",\"transport\":");
	ipfix_ob_json_lit(ob, x->transport);
	if (x->identity[0] != '\0') {
		ipfix_ob_puts(ob, ",\"identity\":");
		ipfix_ob_json_lit(ob, x->identity);
	}
	ipfix_ob_putc(ob, '}');
}

/* "odid":N,"export_time":"...","session":S,"peer":"..." */
static void
json_context_put(struct ipfix_printer *p, const struct ipfix_msg_ctx *m,
    const char *name)
{
	struct ipfix_ob *ob = &p->ob;

	ipfix_ob_puts(ob, ",\"odid\":");
	ipfix_ob_u64(ob, m->hdr.odid);
	ipfix_ob_puts(ob, ",\"export_time\":\"");
	ipfix_ob_time(ob, m->hdr.export_time, 0, 0);
	ipfix_ob_putc(ob, '"');
	if (m->session != 0) {
		ipfix_ob_puts(ob, ",\"session\":");
		ipfix_ob_u64(ob, m->session);
	}
	if (name != NULL) {
		ipfix_ob_puts(ob, ",\"peer\":");
		ipfix_ob_json_lit(ob, name);
	}
	if (p->origin != NULL)
		json_origin(ob, p->origin);
}

/*
 * Written once per key and then copied. The session name is a function of
 * the session (ipfix_print_session_name caches it the same way). A name
 * short enough bounds the text (6 bytes per escaped byte, plus < 128 for
 * the rest) within ctx and within the room reserved first, so nothing is
 * drained in between and the bytes just written are all in ob->buf.
 */
static void
json_context(struct ipfix_printer *p, const struct ipfix_msg_ctx *m)
{
	struct ipfix_ob *ob = &p->ob;
	const char *name;
	size_t start;

	if (p->ctx_valid && p->ctx_session == m->session &&
	    p->ctx_odid == m->hdr.odid && p->ctx_export == m->hdr.export_time) {
		ipfix_ob_write(ob, p->ctx, p->ctx_len);
		return;
	}
	p->ctx_valid = false;
	name = ipfix_print_session_name(p, m->session);
	/* an exporter's identity may be long: not cached */
	if ((name != NULL && strlen(name) > (sizeof(p->ctx) - 128) / 6) ||
	    p->origin != NULL) {
		json_context_put(p, m, name);
		return;
	}
	ipfix_ob_room(ob, sizeof(p->ctx));
	start = ob->len;
	json_context_put(p, m, name);
	p->ctx_len = ob->len - start;
	memcpy(p->ctx, ob->buf + start, p->ctx_len);
	p->ctx_session = m->session;
	p->ctx_odid = m->hdr.odid;
	p->ctx_export = m->hdr.export_time;
	p->ctx_valid = true;
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
 * prefix), so a record can be laid over another decoder's output. A flat
 * walk: list contents are not listed. */
static void
offset_value(void *arg, const struct ipfix_walk_at *at,
    const struct ipfix_value *v)
{
	struct ipfix_ob *ob = arg;

	if (at->index > 0)
		ipfix_ob_putc(ob, ',');
	ipfix_ob_u64(ob, v->offset);
}

static void
json_field_offsets(struct ipfix_ob *ob, const struct ipfix_tmpl *t,
    const struct ipfix_rec *r)
{
	static const struct ipfix_walk_ops ops = { .value = offset_value };
	struct ipfix_walk w = { &ops, ob, NULL, 0, 0, 0, 0, true, false };

	ipfix_ob_puts(ob, ",\"field_offsets\":[");
	ipfix_walk_record(&w, t, r);
	ipfix_ob_putc(ob, ']');
}

void
ipfix_pj_record(struct ipfix_printer *p, const struct ipfix_msg_ctx *m,
    const struct ipfix_tmpl *t, const struct ipfix_rec *r)
{
	struct ipfix_ob *ob = &p->ob;

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
	ipfix_print_fields(p, m, t, r, &json_ops);
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
