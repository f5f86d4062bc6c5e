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
		p->opt.max_depth = IPFIX_WALK_DEPTH;
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

const char *
ipfix_print_label(const struct ipfix_field *f, char *buf, size_t size)
{
	if (f->ie != NULL && f->ie->name != NULL)
		return f->ie->name;
	return ipfix_ie_label(f->pen, f->id, buf, size);
}

void
ipfix_print_put_label(struct ipfix_ob *ob, const struct ipfix_field *f)
{
	char lab[32];
	const char *s = ipfix_print_label(f, lab, sizeof(lab));

	ipfix_ob_write(ob, s, strlen(s));
}

/* Names are written once per field of every record: a cached name is
 * copied as one constant-size block (the padding is overwritten or left
 * past the end), which beats strlen and a variable-length memcpy. */
const struct ipfix_print_label_slot *
ipfix_print_slot_fill(struct ipfix_printer *p, const struct ipfix_ie *ie)
{
	struct ipfix_print_label_slot *sl;
	size_t n;

	if (ie->name == NULL || (n = strlen(ie->name)) > sizeof(sl->text))
		return NULL;
	sl = &p->labels[(uintptr_t)ie / sizeof(*ie) % IPFIX_PRINT_LABEL_SLOTS];
	memset(sl->text, 0, sizeof(sl->text));
	memcpy(sl->text, ie->name, n);
	sl->len = n;
	sl->ie = ie;
	return sl;
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

/* Text records and lists: a visitor of walk.h ---------------------------- */

void
ipfix_print_fields(struct ipfix_printer *p, const struct ipfix_msg_ctx *m,
    const struct ipfix_tmpl *t, const struct ipfix_rec *r,
    const struct ipfix_walk_ops *ops)
{
	/* JSON keys name repeated elements "#2", "#3"... (C26). */
	struct ipfix_walk w = { ops, p, p->ts, m->session, m->hdr.odid,
	    m->hdr.export_time, p->opt.max_depth, false, p->opt.json };

	ipfix_walk_record(&w, t, r);
}

const char *
ipfix_print_malformed(enum ipfix_type list)
{
	if (list == IPFIX_T_BASICLIST)
		return "malformed basicList";
	if (list == IPFIX_T_SUBTEMPLATELIST)
		return "malformed subTemplateList";
	return "malformed subTemplateMultiList";
}

static void
text_raw(struct ipfix_printer *p, const char *why, const struct ipfix_value *v)
{
	ipfix_ob_putc(&p->ob, '[');
	ipfix_ob_puts(&p->ob, why);
	ipfix_ob_write(&p->ob, ": 0x", 4);
	ipfix_ob_hex(&p->ob, v->raw, v->len);
	ipfix_ob_putc(&p->ob, ']');
}

/* "name=" before a field, a space before a list element. */
static void
text_head(struct ipfix_printer *p, const struct ipfix_walk_at *at)
{
	const struct ipfix_print_label_slot *sl;
	char *q, *s;

	if (at->list != NULL) {
		ipfix_ob_putc(&p->ob, ' ');
		return;
	}
	if ((sl = ipfix_print_slot(p, at->f->ie)) == NULL) {
		if (at->index > 0)
			ipfix_ob_putc(&p->ob, ' ');
		ipfix_print_put_label(&p->ob, at->f);
		ipfix_ob_putc(&p->ob, '=');
		return;
	}
	s = q = ipfix_ob_room(&p->ob, IPFIX_PRINT_LABEL_MAX + 2);
	*q = ' ';
	q += at->index > 0;
	memcpy(q, sl->text, IPFIX_PRINT_LABEL_MAX);
	q += sl->len;
	*q++ = '=';
	p->ob.len += (size_t)(q - s);
}

static void
text_value(void *arg, const struct ipfix_walk_at *at,
    const struct ipfix_value *v)
{
	struct ipfix_printer *p = arg;

	text_head(p, at);
	ipfix_print_scalar(&p->ob, v, false);
}

static void
text_truncated(void *arg, const struct ipfix_walk_at *at,
    const struct ipfix_err *err)
{
	struct ipfix_printer *p = arg;

	(void)err;
	text_head(p, at);
	ipfix_ob_puts(&p->ob, "<truncated>");
}

static void
text_depth_limit(void *arg, const struct ipfix_walk_at *at,
    const struct ipfix_value *v)
{
	text_head(arg, at);
	text_raw(arg, "depth limit", v);
}

static void
text_list_bad(void *arg, const struct ipfix_walk_list *l,
    const struct ipfix_err *err)
{
	(void)err;
	text_head(arg, l->at);
	text_raw(arg, ipfix_print_malformed(l->type), l->v);
}

static void
text_list_begin(void *arg, const struct ipfix_walk_list *l)
{
	struct ipfix_printer *p = arg;
	char lab[32];

	text_head(p, l->at);
	ipfix_ob_putc(&p->ob, '[');
	ipfix_ob_puts(&p->ob, ipfix_list_semantic_name(l->semantic));
	if (l->type != IPFIX_T_BASICLIST)
		return;
	ipfix_ob_putc(&p->ob, ' ');
	ipfix_ob_puts(&p->ob, ipfix_print_label(l->elem, lab, sizeof(lab)));
	ipfix_ob_putc(&p->ob, ':');
}

static void
text_list_end(void *arg, const struct ipfix_walk_list *l,
    const struct ipfix_err *err)
{
	struct ipfix_printer *p = arg;

	(void)l;
	if (err != NULL)
		ipfix_ob_puts(&p->ob, " <malformed>");
	ipfix_ob_putc(&p->ob, ']');
}

/* " T:" before the records of sub-template T, "; T:" between blocks. */
static void
text_block_begin(void *arg, const struct ipfix_walk_list *l,
    const struct ipfix_walk_block *b)
{
	struct ipfix_printer *p = arg;

	(void)l;
	ipfix_ob_puts(&p->ob, b->index > 0 ? "; " : " ");
	ipfix_ob_u64(&p->ob, b->tid);
	if (b->t != NULL)
		ipfix_ob_putc(&p->ob, ':');
}

static void
text_unknown(void *arg, const struct ipfix_walk_list *l,
    const struct ipfix_walk_block *b)
{
	struct ipfix_printer *p = arg;

	(void)l;
	ipfix_ob_puts(&p->ob, " unknown: 0x");
	ipfix_ob_hex(&p->ob, b->recs->p + b->recs->pos,
	    ipfix_cursor_left(b->recs));
}

static void
text_rec_begin(void *arg, const struct ipfix_walk_block *b, unsigned n)
{
	struct ipfix_printer *p = arg;

	(void)b;
	(void)n;
	ipfix_ob_write(&p->ob, " {", 2);
}

static void
text_rec_end(void *arg, const struct ipfix_walk_block *b)
{
	struct ipfix_printer *p = arg;

	(void)b;
	ipfix_ob_putc(&p->ob, '}');
}

/* Records cut short inside a list are not flagged here: --validate
 * reports them (C38). */
static const struct ipfix_walk_ops text_ops = {
	.value = text_value,
	.truncated = text_truncated,
	.depth_limit = text_depth_limit,
	.list_bad = text_list_bad,
	.list_begin = text_list_begin,
	.list_end = text_list_end,
	.block_begin = text_block_begin,
	.unknown = text_unknown,
	.rec_begin = text_rec_begin,
	.rec_end = text_rec_end,
};

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
	ipfix_print_fields(p, m, t, r, &text_ops);
	ipfix_ob_putc(&p->ob, '\n');
}

void
ipfix_print_origin(struct ipfix_printer *p, const struct ipfix_origin *x)
{
	p->origin = x;
	p->ctx_valid = false;
	if (x == NULL || p->opt.json)
		return;
	ipfix_ob_puts(&p->ob, "  exporter: ");
	ipfix_ob_puts(&p->ob, x->label);
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
