/*
 * origin: the exporters of a collector's merged output (origin.h). The
 * Export Session Details records are kept per session (5-tuple) for the
 * whole stream, which stays small: one entry per Transport Session.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "origin.h"
#include "value.h"

#define IE_EXPORTER_V4		130
#define IE_EXPORTER_V6		131
#define IE_COLLECTOR_V4		211
#define IE_COLLECTOR_V6		212
#define IE_EXPORT_PROTO		215
#define IE_COLLECTOR_PORT	216
#define IE_EXPORTER_PORT	217
#define IE_MESSAGE_SCOPE	263
#define IE_SESSION_SCOPE	267
#define IE_EXPORTER_CERT	275
#define IE_PEN_SESSION		1	/* sessout.h: of IPFIX_ORIGIN_PEN */
#define IE_PEN_FOLLOWS		2

/* A Transport Session as both kinds of details records name it. */
struct skey {
	uint8_t exp[16], col[16];
	uint16_t exp_port, col_port;
	uint8_t proto;
	bool v6;
};

/* A session's details: its identity and the collector's ids. */
struct sdet {
	char identity[IPFIX_ORIGIN_ID_MAX];
	uint32_t session, follows;
};

struct sent {
	struct skey k;
	struct sdet d;
};

struct ipfix_origins {
	ipfix_der_namer namer;
	struct sent *s;
	size_t n, cap;
	struct ipfix_origin cur;
	uint64_t cur_msg;		/* offset + 1 of the message named */
};

struct ipfix_origins *
ipfix_origins_new(ipfix_der_namer namer)
{
	struct ipfix_origins *o = calloc(1, sizeof(*o));

	if (o != NULL)
		o->namer = namer;
	return o;
}

void
ipfix_origins_free(struct ipfix_origins *o)
{
	if (o == NULL)
		return;
	free(o->s);
	free(o);
}

/* The certificate field: text ("psk=ID", an identity) or DER. */
static void
cert_text(const struct ipfix_origins *o, const struct ipfix_value *v,
    char *out, size_t cap)
{
	out[0] = '\0';
	if (v->len == 0)
		return;
	if (v->raw[0] != 0x30 && ipfix_utf8_valid(v->raw, v->len)) {
		snprintf(out, cap, "%.*s", (int)v->len, (const char *)v->raw);
		return;
	}
	if (o->namer != NULL)
		o->namer(v->raw, v->len, out, cap);
	if (out[0] == '\0')
		snprintf(out, cap, "certificate of %zu bytes", v->len);
}

/* The collector's own fields (sessout.h): session ids. */
static void
take_pen(const struct ipfix_field *f, const struct ipfix_value *v,
    struct sdet *d)
{
	uint32_t id;

	/* no registry knows them: read as the octets they are */
	if (f->pen != IPFIX_ORIGIN_PEN || v->len != 4)
		return;
	id = (uint32_t)v->raw[0] << 24 | (uint32_t)v->raw[1] << 16 |
	    (uint32_t)v->raw[2] << 8 | v->raw[3];
	if (f->id == IE_PEN_SESSION)
		d->session = id;
	else if (f->id == IE_PEN_FOLLOWS)
		d->follows = id;
}

static void
take(const struct ipfix_origins *o, struct skey *k, const struct ipfix_field *f,
    const struct ipfix_value *v, struct sdet *d)
{
	size_t n = v->len < 16 ? v->len : 16;

	if (f->pen != 0) {
		take_pen(f, v, d);
		return;
	}
	switch (f->id) {
	case IE_EXPORTER_V6:
		k->v6 = true;
		/* FALLTHROUGH */
	case IE_EXPORTER_V4:
		memcpy(k->exp, v->raw, n);
		break;
	case IE_COLLECTOR_V4:
	case IE_COLLECTOR_V6:
		memcpy(k->col, v->raw, n);
		break;
	case IE_EXPORTER_PORT: k->exp_port = (uint16_t)v->v.u; break;
	case IE_COLLECTOR_PORT: k->col_port = (uint16_t)v->v.u; break;
	case IE_EXPORT_PROTO: k->proto = (uint8_t)v->v.u; break;
	case IE_EXPORTER_CERT:
		cert_text(o, v, d->identity, sizeof(d->identity));
		break;
	}
}

/* The fields of a details record into k (the identity and ids into d). */
static bool
read_details(const struct ipfix_origins *o, const struct ipfix_tmpl *t,
    const struct ipfix_rec *r, struct skey *k, struct sdet *d)
{
	struct ipfix_cursor c;
	struct ipfix_value v;
	struct ipfix_err err;

	memset(k, 0, sizeof(*k));
	memset(d, 0, sizeof(*d));
	ipfix_cursor_init(&c, r->p, r->len, r->offset);
	for (uint16_t i = 0; i < t->nfields; i++) {
		if (t->fields[i].pen != 0 && t->fields[i].pen !=
		    IPFIX_ORIGIN_PEN) {
			if (ipfix_field_skip(&c, &t->fields[i], &err) == -1)
				return false;
			continue;
		}
		if (ipfix_value_read(&c, &t->fields[i], &v, &err) == -1)
			return false;
		take(o, k, &t->fields[i], &v, d);
	}
	return true;
}

static struct sent *
find(const struct ipfix_origins *o, const struct skey *k)
{
	for (size_t i = o->n; i > 0; i--)
		if (memcmp(&o->s[i - 1].k, k, sizeof(*k)) == 0)
			return &o->s[i - 1];
	return NULL;
}

static void
put_session(struct ipfix_origins *o, const struct skey *k,
    const struct sdet *d)
{
	struct sent *e = find(o, k), *ns;

	if (e == NULL) {
		if (o->n == o->cap) {
			size_t cap = o->cap ? o->cap * 2 : 16;

			if ((ns = realloc(o->s, cap * sizeof(*ns))) == NULL)
				return;	/* unnamed later: not an error */
			o->s = ns;
			o->cap = cap;
		}
		e = &o->s[o->n++];
		e->k = *k;
	}
	e->d = *d;
}

static const char *
transport_of(uint8_t proto, bool secured)
{
	if (proto == IPPROTO_TCP)
		return secured ? "tls" : "tcp";
	if (proto == IPPROTO_SCTP)
		return secured ? "dtls-sctp" : "sctp";
	return secured ? "dtls" : "udp";
}

static void
set_current(struct ipfix_origins *o, const struct skey *k,
    const struct ipfix_msg_ctx *m)
{
	const struct sent *e = find(o, k);
	struct ipfix_origin *x = &o->cur;

	memset(x, 0, sizeof(*x));
	inet_ntop(k->v6 ? AF_INET6 : AF_INET, k->exp, x->addr,
	    sizeof(x->addr));
	x->port = k->exp_port;
	x->proto = k->proto;
	if (e != NULL) {
		snprintf(x->identity, sizeof(x->identity), "%s",
		    e->d.identity);
		x->session = e->d.session;
		x->follows = e->d.follows;
	}
	x->transport = transport_of(k->proto, x->identity[0] != '\0');
	snprintf(x->label, sizeof(x->label), k->v6 ? "%s [%s]:%u%s%s" :
	    "%s %s:%u%s%s", x->transport, x->addr, x->port,
	    x->identity[0] != '\0' ? " " : "", x->identity);
	o->cur_msg = m->offset + 1;
}

bool
ipfix_origins_record(struct ipfix_origins *o, const struct ipfix_msg_ctx *m,
    const struct ipfix_tmpl *t, const struct ipfix_rec *r)
{
	struct sdet d;
	struct skey k;
	uint16_t scope;

	if (t->scope_count != 1 || t->id < IPFIX_ORIGIN_TID_FIRST)
		return false;
	scope = t->fields[0].id;
	if (t->fields[0].pen != 0 || (scope != IE_SESSION_SCOPE &&
	    scope != IE_MESSAGE_SCOPE))
		return false;
	if (!read_details(o, t, r, &k, &d))
		return true;
	/* Both kinds name the session of the message they are in (the
	 * session's comes first). */
	if (scope == IE_SESSION_SCOPE)
		put_session(o, &k, &d);
	set_current(o, &k, m);
	return true;
}

const struct ipfix_origin *
ipfix_origins_current(const struct ipfix_origins *o,
    const struct ipfix_msg_ctx *m)
{
	return o->cur_msg == m->offset + 1 ? &o->cur : NULL;
}

bool
ipfix_origin_match(const struct ipfix_origin *x, const char *what)
{
	char ap[IPFIX_ADDRSTR_MAX + 8], bp[IPFIX_ADDRSTR_MAX + 8];
	const char *cn;
	size_t n;

	snprintf(ap, sizeof(ap), "%s:%u", x->addr, x->port);
	snprintf(bp, sizeof(bp), "[%s]:%u", x->addr, x->port);
	if (strcmp(what, x->addr) == 0 || strcmp(what, ap) == 0 ||
	    strcmp(what, bp) == 0 ||
	    (x->identity[0] != '\0' && strcmp(what, x->identity) == 0))
		return true;
	if (strncmp(x->identity, "psk=", 4) == 0)
		return strcmp(what, x->identity + 4) == 0;
	/* a CN in "subject=CN=name,O=..." or "...,CN=name" */
	n = strlen(what);
	for (cn = strstr(x->identity, "CN="); cn != NULL;
	    cn = strstr(cn + 3, "CN="))
		if (strncmp(cn + 3, what, n) == 0 &&
		    (cn[3 + n] == '\0' || cn[3 + n] == ',' ||
		    cn[3 + n] == ';' || cn[3 + n] == '/'))
			return true;
	return false;
}
