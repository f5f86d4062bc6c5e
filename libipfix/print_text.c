#include <stdlib.h>
#include <string.h>

#include "print_int.h"

/* Printer object ---------------------------------------------------------- */

struct ipfix_printer *
ipfix_printer_new(FILE *out, const struct ipfix_print_options *opt,
    const struct ipfix_tstore *templates,
    const char *(*session_name)(void *, uint32_t), void *session_arg)
{
	struct ipfix_printer *p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	if (ipfix_ob_init(&p->ob, out) == -1) {
		free(p);
		return NULL;
	}
	if (opt != NULL)
		p->opt = *opt;
	if (p->opt.max_depth == 0)
		p->opt.max_depth = IPFIX_PRINT_DEPTH;
	p->ts = templates;
	p->session_name = session_name;
	p->session_arg = session_arg;
	return p;
}

int
ipfix_printer_free(struct ipfix_printer *p)
{
	int rc;

	if (p == NULL)
		return 0;
	rc = ipfix_ob_fini(&p->ob);
	free(p);
	return rc;
}

int
ipfix_printer_flush(struct ipfix_printer *p)
{
	return ipfix_ob_flush(&p->ob);
}

uint64_t
ipfix_printer_messages(const struct ipfix_printer *p)
{
	return p->messages;
}

const char *
ipfix_print_session_name(struct ipfix_printer *p, uint32_t session)
{
	const char *s;

	if (p->session_name == NULL)
		return NULL;
	if (!p->name_valid || p->name_session != session) {
		s = p->session_name(p->session_arg, session);
		p->name[0] = '\0';
		if (s != NULL)
			snprintf(p->name, sizeof(p->name), "%s", s);
		p->name_session = session;
		p->name_valid = true;
	}
	return p->name[0] != '\0' ? p->name : NULL;
}

const struct ipfix_tmpl *
ipfix_print_subtmpl(const struct ipfix_printer *p,
    const struct ipfix_msg_ctx *m, uint16_t tid)
{
	if (p->ts == NULL)
		return NULL;
	return ipfix_tstore_get(p->ts, m->session, m->hdr.odid, tid,
	    m->hdr.export_time);
}

const char *
ipfix_print_label(const struct ipfix_field *f, char *buf, size_t size)
{
	if (f->ie != NULL && f->ie->name != NULL)
		return f->ie->name;
	return ipfix_ie_label(f->pen, f->id, buf, size);
}

const char *
ipfix_severity_name(enum ipfix_severity s)
{
	switch (s) {
	case IPFIX_SEV_NOTE:
		return "note";
	case IPFIX_SEV_WARN:
		return "warning";
	case IPFIX_SEV_MALFORMED:
		return "malformed";
	}
	return "?";
}

/* Scalars ----------------------------------------------------------------- */

static void
put_time(struct ipfix_ob *ob, const struct ipfix_value *v, bool json)
{
	int64_t sec;
	uint32_t nsec;
	unsigned digits;

	switch (v->type) {
	case IPFIX_T_DATETIME_SECONDS:
		sec = (int64_t)v->v.u, nsec = 0, digits = 0;
		break;
	case IPFIX_T_DATETIME_MILLISECONDS:
		sec = (int64_t)(v->v.u / 1000);
		nsec = (uint32_t)(v->v.u % 1000) * 1000000, digits = 3;
		break;
	case IPFIX_T_DATETIME_MICROSECONDS:
		sec = v->v.t.sec, nsec = v->v.t.nsec, digits = 6;
		break;
	default:
		sec = v->v.t.sec, nsec = v->v.t.nsec, digits = 9;
		break;
	}
	if (json)
		ipfix_ob_putc(ob, '"');
	ipfix_ob_time(ob, sec, nsec, digits);
	if (json)
		ipfix_ob_putc(ob, '"');
}

static void
put_octets(struct ipfix_ob *ob, const struct ipfix_value *v, bool json)
{
	if (json)
		ipfix_ob_putc(ob, '"');
	else
		ipfix_ob_write(ob, "0x", 2);
	ipfix_ob_hex(ob, v->raw, v->len);
	if (json)
		ipfix_ob_putc(ob, '"');
}

/* Fixed-length strings are often NUL-padded C strings (Cisco's VRFname,
 * samplerName): the padding is not shown. */
static void
put_string(struct ipfix_ob *ob, const struct ipfix_value *v, bool json)
{
	size_t n = v->len;

	while (n > 0 && v->raw[n - 1] == '\0')
		n--;
	ipfix_ob_putc(ob, '"');
	if (json)
		ipfix_ob_str_json(ob, v->raw, n);
	else
		ipfix_ob_str_text(ob, v->raw, n);
	ipfix_ob_putc(ob, '"');
}

static void
put_float(struct ipfix_ob *ob, const struct ipfix_value *v, bool json)
{
	bool odd = v->v.f != v->v.f || v->v.f - v->v.f != 0;

	/* JSON has no NaN or Infinity literals: quote them. */
	if (json && odd)
		ipfix_ob_putc(ob, '"');
	ipfix_ob_double(ob, v->v.f, v->type == IPFIX_T_FLOAT32 ||
	    v->len == 4);
	if (json && odd)
		ipfix_ob_putc(ob, '"');
}

/* A value its type does not allow: its octets, marked (C33, C31). */
static void
put_bad(struct ipfix_ob *ob, const struct ipfix_value *v, bool json)
{
	if (json) {
		ipfix_ob_puts(ob, "{\"invalid\":\"");
		ipfix_ob_hex(ob, v->raw, v->len);
		ipfix_ob_puts(ob, "\"}");
		return;
	}
	ipfix_ob_puts(ob, "<invalid 0x");
	ipfix_ob_hex(ob, v->raw, v->len);
	ipfix_ob_putc(ob, '>');
}

static bool
is_addr(enum ipfix_type t)
{
	return t == IPFIX_T_MACADDRESS || t == IPFIX_T_IPV4ADDRESS ||
	    t == IPFIX_T_IPV6ADDRESS;
}

/* Addresses of the right size, else the octets (quoted hex in JSON). */
static void
put_addr_or_octets(struct ipfix_ob *ob, const struct ipfix_value *v,
    bool json)
{
	if (!is_addr(v->type) || v->len != ipfix_type_size(v->type)) {
		put_octets(ob, v, json);
		return;
	}
	if (json)
		ipfix_ob_putc(ob, '"');
	if (v->type == IPFIX_T_MACADDRESS)
		ipfix_ob_mac(ob, v->raw);
	else if (v->type == IPFIX_T_IPV4ADDRESS)
		ipfix_ob_ipv4(ob, v->raw);
	else
		ipfix_ob_ipv6(ob, v->raw);
	if (json)
		ipfix_ob_putc(ob, '"');
}

void
ipfix_print_scalar(struct ipfix_ob *ob, const struct ipfix_value *v,
    bool json)
{
	if (v->bad) {
		put_bad(ob, v, json);
		return;
	}
	switch (v->type) {
	case IPFIX_T_UNSIGNED8:
	case IPFIX_T_UNSIGNED16:
	case IPFIX_T_UNSIGNED32:
	case IPFIX_T_UNSIGNED64:
		ipfix_ob_u64(ob, v->v.u);
		break;
	case IPFIX_T_SIGNED8:
	case IPFIX_T_SIGNED16:
	case IPFIX_T_SIGNED32:
	case IPFIX_T_SIGNED64:
		ipfix_ob_i64(ob, v->v.i);
		break;
	case IPFIX_T_FLOAT32:
	case IPFIX_T_FLOAT64:
		put_float(ob, v, json);
		break;
	case IPFIX_T_BOOLEAN:
		ipfix_ob_puts(ob, v->v.b ? "true" : "false");
		break;
	case IPFIX_T_STRING:
		put_string(ob, v, json);
		break;
	case IPFIX_T_DATETIME_SECONDS:
	case IPFIX_T_DATETIME_MILLISECONDS:
	case IPFIX_T_DATETIME_MICROSECONDS:
	case IPFIX_T_DATETIME_NANOSECONDS:
		put_time(ob, v, json);
		break;
	default:
		put_addr_or_octets(ob, v, json);
		break;
	}
}

/* Text records and lists ------------------------------------------------- */

static void text_fields(struct ipfix_printer *p, const struct ipfix_msg_ctx *m,
    const struct ipfix_tmpl *t, struct ipfix_cursor *c, unsigned depth);
static void text_value(struct ipfix_printer *p, const struct ipfix_msg_ctx *m,
    const struct ipfix_value *v, unsigned depth);

static void
text_raw(struct ipfix_printer *p, const char *why, const struct ipfix_value *v)
{
	ipfix_ob_putc(&p->ob, '[');
	ipfix_ob_puts(&p->ob, why);
	ipfix_ob_write(&p->ob, ": 0x", 4);
	ipfix_ob_hex(&p->ob, v->raw, v->len);
	ipfix_ob_putc(&p->ob, ']');
}

static void
text_records(struct ipfix_printer *p, const struct ipfix_msg_ctx *m,
    uint16_t tid, const struct ipfix_cursor *recs, unsigned depth)
{
	const struct ipfix_tmpl *t = ipfix_print_subtmpl(p, m, tid);
	struct ipfix_rec_iter it;
	struct ipfix_rec r;
	struct ipfix_cursor c;
	struct ipfix_err err;

	ipfix_ob_u64(&p->ob, tid);
	if (t == NULL) {
		ipfix_ob_puts(&p->ob, " unknown: 0x");
		ipfix_ob_hex(&p->ob, recs->p + recs->pos, ipfix_cursor_left(recs));
		return;
	}
	ipfix_ob_putc(&p->ob, ':');
	ipfix_rec_iter_init_bytes(&it, recs, t);
	while (ipfix_rec_next(&it, &r, &err) == 1) {
		ipfix_ob_write(&p->ob, " {", 2);
		ipfix_cursor_init(&c, r.p, r.len, r.offset);
		text_fields(p, m, t, &c, depth);
		ipfix_ob_putc(&p->ob, '}');
	}
}

static void
text_basiclist(struct ipfix_printer *p, const struct ipfix_msg_ctx *m,
    const struct ipfix_value *v, unsigned depth)
{
	struct ipfix_basiclist bl;
	struct ipfix_value e;
	struct ipfix_err err;
	char lab[32];
	int rc;

	if (ipfix_basiclist_open(v, &bl, &err) == -1) {
		text_raw(p, "malformed basicList", v);
		return;
	}
	ipfix_ob_putc(&p->ob, '[');
	ipfix_ob_puts(&p->ob, ipfix_list_semantic_name(bl.semantic));
	ipfix_ob_putc(&p->ob, ' ');
	ipfix_ob_puts(&p->ob, ipfix_print_label(&bl.field, lab, sizeof(lab)));
	ipfix_ob_putc(&p->ob, ':');
	while ((rc = ipfix_basiclist_next(&bl, &e, &err)) == 1) {
		ipfix_ob_putc(&p->ob, ' ');
		text_value(p, m, &e, depth);
	}
	if (rc == -1)
		ipfix_ob_puts(&p->ob, " <malformed>");
	ipfix_ob_putc(&p->ob, ']');
}

static void
text_stlist(struct ipfix_printer *p, const struct ipfix_msg_ctx *m,
    const struct ipfix_value *v, unsigned depth)
{
	struct ipfix_stlist sl;
	struct ipfix_err err;

	if (ipfix_stlist_open(v, &sl, &err) == -1) {
		text_raw(p, "malformed subTemplateList", v);
		return;
	}
	ipfix_ob_putc(&p->ob, '[');
	ipfix_ob_puts(&p->ob, ipfix_list_semantic_name(sl.semantic));
	ipfix_ob_putc(&p->ob, ' ');
	text_records(p, m, sl.tid, &sl.recs, depth);
	ipfix_ob_putc(&p->ob, ']');
}

static void
text_stmlist(struct ipfix_printer *p, const struct ipfix_msg_ctx *m,
    const struct ipfix_value *v, unsigned depth)
{
	struct ipfix_stmlist ml;
	struct ipfix_stml_block b;
	struct ipfix_err err;
	int rc, n = 0;

	if (ipfix_stmlist_open(v, &ml, &err) == -1) {
		text_raw(p, "malformed subTemplateMultiList", v);
		return;
	}
	ipfix_ob_putc(&p->ob, '[');
	ipfix_ob_puts(&p->ob, ipfix_list_semantic_name(ml.semantic));
	while ((rc = ipfix_stmlist_next(&ml, &b, &err)) == 1) {
		ipfix_ob_puts(&p->ob, n++ > 0 ? "; " : " ");
		text_records(p, m, b.tid, &b.recs, depth);
	}
	if (rc == -1)
		ipfix_ob_puts(&p->ob, " <malformed>");
	ipfix_ob_putc(&p->ob, ']');
}

static void
text_value(struct ipfix_printer *p, const struct ipfix_msg_ctx *m,
    const struct ipfix_value *v, unsigned depth)
{
	bool list = !v->bad && (v->type == IPFIX_T_BASICLIST ||
	    v->type == IPFIX_T_SUBTEMPLATELIST ||
	    v->type == IPFIX_T_SUBTEMPLATEMULTILIST);

	if (!list) {
		ipfix_print_scalar(&p->ob, v, false);
		return;
	}
	/* Lists nest without limit on the wire; output does not (C38). */
	if (depth >= p->opt.max_depth) {
		text_raw(p, "depth limit", v);
		return;
	}
	if (v->type == IPFIX_T_BASICLIST)
		text_basiclist(p, m, v, depth + 1);
	else if (v->type == IPFIX_T_SUBTEMPLATELIST)
		text_stlist(p, m, v, depth + 1);
	else
		text_stmlist(p, m, v, depth + 1);
}

/* Fields in template order, repeated elements included (C26). */
static void
text_fields(struct ipfix_printer *p, const struct ipfix_msg_ctx *m,
    const struct ipfix_tmpl *t, struct ipfix_cursor *c, unsigned depth)
{
	struct ipfix_value v;
	struct ipfix_err err;
	char lab[32];
	uint16_t i;

	for (i = 0; i < t->nfields; i++) {
		if (i > 0)
			ipfix_ob_putc(&p->ob, ' ');
		ipfix_ob_puts(&p->ob, ipfix_print_label(&t->fields[i], lab,
		    sizeof(lab)));
		ipfix_ob_putc(&p->ob, '=');
		if (ipfix_value_read(c, &t->fields[i], &v, &err) == -1) {
			ipfix_ob_puts(&p->ob, "<truncated>");
			return;
		}
		text_value(p, m, &v, depth);
	}
}

/* Text entry points ------------------------------------------------------- */

static void
text_message(struct ipfix_printer *p, const struct ipfix_msg_ctx *m)
{
	struct ipfix_ob *ob = &p->ob;
	const char *name = ipfix_print_session_name(p, m->session);

	ipfix_ob_puts(ob, "message ");
	ipfix_ob_u64(ob, p->messages);
	ipfix_ob_puts(ob, ": odid=");
	ipfix_ob_u64(ob, m->hdr.odid);
	ipfix_ob_puts(ob, " seq=");
	ipfix_ob_u64(ob, m->hdr.seq);
	ipfix_ob_puts(ob, " export=");
	ipfix_ob_time(ob, m->hdr.export_time, 0, 0);
	ipfix_ob_puts(ob, " length=");
	ipfix_ob_u64(ob, m->hdr.length);
	if (m->session != 0) {
		ipfix_ob_puts(ob, " session=");
		ipfix_ob_u64(ob, m->session);
	}
	if (name != NULL) {
		ipfix_ob_puts(ob, " (");
		ipfix_ob_puts(ob, name);
		ipfix_ob_putc(ob, ')');
	}
	if (p->opt.offsets) {
		ipfix_ob_puts(ob, " offset=");
		ipfix_ob_u64(ob, m->offset);
	}
	ipfix_ob_putc(ob, '\n');
}

void
ipfix_print_message(struct ipfix_printer *p, const struct ipfix_msg_ctx *m)
{
	p->messages++;
	if (!p->opt.json)
		text_message(p, m);
	else if (p->opt.json_messages)
		ipfix_pj_message(p, m);
}

void
ipfix_print_message_skip(struct ipfix_printer *p)
{
	p->messages++;
}

static void
text_field_spec(struct ipfix_ob *ob, const struct ipfix_field *f)
{
	char lab[32];

	ipfix_ob_puts(ob, ipfix_print_label(f, lab, sizeof(lab)));
	if (f->ie != NULL) {
		ipfix_ob_putc(ob, '(');
		if (f->pen != 0) {
			ipfix_ob_u64(ob, f->pen);
			ipfix_ob_putc(ob, '/');
		}
		ipfix_ob_u64(ob, f->id);
		ipfix_ob_putc(ob, ')');
	}
	ipfix_ob_putc(ob, '[');
	if (f->len == IPFIX_VARLEN)
		ipfix_ob_putc(ob, 'v');
	else
		ipfix_ob_u64(ob, f->len);
	ipfix_ob_putc(ob, ']');
}

void
ipfix_print_template(struct ipfix_printer *p, const struct ipfix_msg_ctx *m,
    const struct ipfix_tmpl *t)
{
	struct ipfix_ob *ob = &p->ob;
	uint16_t i;

	if (p->opt.json) {
		if (p->opt.json_templates)
			ipfix_pj_template(p, m, t);
		return;
	}
	ipfix_ob_puts(ob, t->options ? "  options-template " : "  template ");
	ipfix_ob_u64(ob, t->id);
	ipfix_ob_putc(ob, ':');
	for (i = 0; i < t->nfields; i++) {
		if (t->options && i == 0)
			ipfix_ob_puts(ob, " scope");
		if (t->options && i == t->scope_count)
			ipfix_ob_puts(ob, " |");
		ipfix_ob_putc(ob, ' ');
		text_field_spec(ob, &t->fields[i]);
	}
	ipfix_ob_putc(ob, '\n');
}

void
ipfix_print_withdrawal(struct ipfix_printer *p, const struct ipfix_msg_ctx *m,
    uint16_t set_id, uint16_t tid)
{
	struct ipfix_ob *ob = &p->ob;

	if (p->opt.json) {
		if (p->opt.json_templates)
			ipfix_pj_withdrawal(p, m, set_id, tid);
		return;
	}
	if (tid == IPFIX_SET_TEMPLATE || tid == IPFIX_SET_OPTIONS_TEMPLATE) {
		ipfix_ob_puts(ob, tid == IPFIX_SET_TEMPLATE ?
		    "  withdraw all templates\n" :
		    "  withdraw all options-templates\n");
		return;
	}
	ipfix_ob_puts(ob, set_id == IPFIX_SET_OPTIONS_TEMPLATE ?
	    "  withdraw options-template " : "  withdraw template ");
	ipfix_ob_u64(ob, tid);
	ipfix_ob_putc(ob, '\n');
}

void
ipfix_print_record(struct ipfix_printer *p, const struct ipfix_msg_ctx *m,
    const struct ipfix_tmpl *t, const struct ipfix_rec *r)
{
	struct ipfix_cursor c;

	if (p->opt.json) {
		ipfix_pj_record(p, m, t, r);
		return;
	}
	ipfix_ob_puts(&p->ob, "  data ");
	ipfix_ob_u64(&p->ob, t->id);
	if (p->opt.offsets) {
		ipfix_ob_puts(&p->ob, " @");
		ipfix_ob_u64(&p->ob, r->offset);
	}
	ipfix_ob_write(&p->ob, ": ", 2);
	ipfix_cursor_init(&c, r->p, r->len, r->offset);
	text_fields(p, m, t, &c, 0);
	ipfix_ob_putc(&p->ob, '\n');
}

void
ipfix_print_note(struct ipfix_printer *p, const char *kind, const char *text)
{
	if (p->opt.json) {
		ipfix_pj_note(p, kind, text);
		return;
	}
	ipfix_ob_puts(&p->ob, kind);
	ipfix_ob_write(&p->ob, ": ", 2);
	ipfix_ob_puts(&p->ob, text);
	ipfix_ob_putc(&p->ob, '\n');
}

void
ipfix_print_problem(struct ipfix_printer *p, const char *where,
    const struct ipfix_problem *pr)
{
	struct ipfix_ob *ob = &p->ob;

	if (p->opt.json) {
		ipfix_pj_problem(p, where, pr);
		return;
	}
	if (where != NULL) {
		ipfix_ob_puts(ob, where);
		ipfix_ob_write(ob, ": ", 2);
	}
	ipfix_ob_puts(ob, ipfix_severity_name(pr->severity));
	ipfix_ob_putc(ob, ' ');
	ipfix_ob_puts(ob, pr->check != NULL ? pr->check : "-");
	if (pr->offset != IPFIX_NO_OFFSET) {
		ipfix_ob_puts(ob, " at offset ");
		ipfix_ob_u64(ob, pr->offset);
	}
	ipfix_ob_puts(ob, " (session ");
	ipfix_ob_u64(ob, pr->session);
	ipfix_ob_puts(ob, ", odid ");
	ipfix_ob_u64(ob, pr->odid);
	ipfix_ob_puts(ob, "): ");
	ipfix_ob_puts(ob, pr->reason[0] != '\0' ? pr->reason :
	    ipfix_strerror(pr->code));
	ipfix_ob_putc(ob, '\n');
}
