/*
 * collector: sessions from chan listeners (or opened by hand) through one
 * decoder into sessout, with per-session and per-exporter accounting.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "assoc.h"
#include "collector.h"
#include "compress.h"
#include "endpoint.h"
#include "grow.h"
#include "nfv9.h"
#include "resume.h"

#define DEFAULT_MAX_TEMPLATES	4096

/* A Transport Session, kept after its end for the statistics. */
struct csess {
	struct ipfix_collector_sess_stats st;
	enum ipfix_transport_kind kind;
	struct ipfix_chan *chan;		/* NULL when opened by hand */
	struct ipfix_chan_listener *l;
	struct ipfix_z *z;
	bool stream_z;
	uint64_t offset;		/* bytes fed, for error offsets */
	bool seen_msg;			/* its first message came */
};

struct clisten {
	struct ipfix_collector *col;
	struct ipfix_chan_listener *l;
};

struct ipfix_collector {
	struct ipfix_collector_config cfg;
	struct ipfix_collector_hooks hooks;
	struct ipfix_decoder *dec;
	struct ipfix_sessout *out;
	struct csess **sess;		/* index id - id_base - 1 */
	size_t nsess, capsess;
	uint32_t id_base;		/* the highest session id of the
					   output file continued */
	struct ipfix_resume_info resumed;
	struct ipfix_assoc *assoc;	/* exporters and their chains */
	struct clisten **ls;
	size_t nls, capls;
	uint64_t refused, dropped_sessions;
	/* the message being decoded */
	struct csess *cur;
	uint16_t stream;
	int64_t recv_ms;
	bool out_failed;		/* sessout refused something since
					   the last ipfix_collector_flush */
	struct ipfix_err out_err;
	uint8_t zbuf[IPFIX_MSG_MAX];
	struct ipfix_nfv9 *v9;		/* NetFlow v9 over UDP, made when
					   first seen */
};

static int64_t
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct csess *
sess_get(const struct ipfix_collector *col, uint32_t id)
{
	if (id <= col->id_base || id - col->id_base > col->nsess)
		return NULL;
	return col->sess[id - col->id_base - 1];
}

/* Decoder callbacks: what the decoder accepted goes to the output -------- */

static void
out_fail(struct ipfix_collector *col, int rc)
{
	if (rc == -1)
		col->out_failed = true;
}

/* A message in odid: the session joins that ODID's chain of its exporter
 * on its first one there, and the output's session details name the
 * predecessor (design.md, association). */
static void
sess_domain(struct ipfix_collector *col, struct csess *s, uint32_t odid)
{
	bool fresh;
	uint32_t prev = ipfix_assoc_domain(col->assoc, s->st.id, odid, &fresh);

	if (!fresh)
		return;
	if (!s->seen_msg)
		s->st.prev = prev;
	s->seen_msg = true;
	out_fail(col, ipfix_sessout_follows(col->out, s->st.id, odid, prev,
	    &col->out_err));
}

static void
dec_message(void *arg, const struct ipfix_msg_ctx *m)
{
	struct ipfix_collector *col = arg;
	struct csess *s = col->cur;

	s->st.c.messages++;
	sess_domain(col, s, m->hdr.odid);
	if (!ipfix_sessout_split(col->out))
		out_fail(col, ipfix_sessout_msg_begin(col->out, s->st.id,
		    m->hdr.odid, m->hdr.export_time, col->stream, col->recv_ms,
		    &col->out_err));
}

static void
dec_template(void *arg, const struct ipfix_msg_ctx *m,
    const struct ipfix_tmpl *t, enum ipfix_tadd how, uint64_t offset)
{
	struct ipfix_collector *col = arg;

	(void)m;
	(void)offset;
	if (!ipfix_sessout_split(col->out))
		out_fail(col, ipfix_sessout_template(col->out, t, how, &col->out_err));
}

static void
dec_withdrawal(void *arg, const struct ipfix_msg_ctx *m, uint16_t set_id,
    uint16_t tid, int removed, uint64_t offset)
{
	struct ipfix_collector *col = arg;

	(void)m;
	(void)offset;
	if (removed > 0 && !ipfix_sessout_split(col->out))
		out_fail(col, ipfix_sessout_withdraw(col->out, set_id, tid,
		    &col->out_err));
}

static void
dec_record(void *arg, const struct ipfix_msg_ctx *m,
    const struct ipfix_tmpl *t, const struct ipfix_rec *r)
{
	struct ipfix_collector *col = arg;

	col->cur->st.c.records++;
	ipfix_assoc_records(col->assoc, col->cur->st.id, m->hdr.odid, t, r->p,
	    r->len, 1);
	if (!ipfix_sessout_split(col->out))
		out_fail(col, ipfix_sessout_record(col->out, t, r->p, r->len,
		    &col->out_err));
}

static bool
dec_records(void *arg, const struct ipfix_msg_ctx *m,
    const struct ipfix_tmpl *t, const uint8_t *p, size_t len, uint32_t n,
    uint64_t offset)
{
	struct ipfix_collector *col = arg;

	(void)offset;
	col->cur->st.c.records += n;
	ipfix_assoc_records(col->assoc, col->cur->st.id, m->hdr.odid, t, p,
	    len, n);
	if (!ipfix_sessout_split(col->out))
		out_fail(col, ipfix_sessout_records(col->out, t, p, len, n,
		    &col->out_err));
	return true;
}

static void
dec_problem(void *arg, const struct ipfix_problem *p)
{
	struct ipfix_collector *col = arg;

	if (p->code == IPFIX_E_NO_TEMPLATE)
		col->cur->st.c.no_template++;
	if (col->hooks.on_problem != NULL)
		col->hooks.on_problem(col->hooks.arg, col->cur->st.id, p);
}

static void
dec_message_end(void *arg, const struct ipfix_msg_ctx *m)
{
	struct ipfix_collector *col = arg;

	(void)m;
	if (!ipfix_sessout_split(col->out))
		out_fail(col, ipfix_sessout_msg_end(col->out, &col->out_err));
}

static const struct ipfix_decoder_ops dec_ops = {
	.on_message = dec_message,
	.on_template = dec_template,
	.on_withdrawal = dec_withdrawal,
	.on_record = dec_record,
	.on_records = dec_records,
	.on_problem = dec_problem,
	.on_message_end = dec_message_end,
};

/* Life cycle ------------------------------------------------------------ */

/* --append continues one raw file: checked before the output is opened
 * (a gzip writer would truncate it). */
static int
resume_check(const struct ipfix_sessout_config *o, struct ipfix_err *err)
{
	if (o->append && (o->split_dir != NULL || o->gzip ||
	    o->path == NULL || strcmp(o->path, "-") == 0))
		return ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL,
		    "appending needs one raw output file");
	return 0;
}

/* --append: the output file's sessions and chains are taken back, so an
 * exporter's next session continues its chain; new ids follow the file's. */
static int
resume(struct ipfix_collector *col, struct ipfix_err *err)
{
	const struct ipfix_sessout_config *o = &col->cfg.out;
	struct ipfix_err e;

	if (!o->append)
		return 0;
	if (ipfix_resume_read(o->path, col->assoc, col->out,
	    ipfix_cert_subject, &col->resumed, &e) == -1)
		return ipfix_err_set(err, e.code, e.offset, e.check,
		    "appending to %s: %s", o->path, e.reason);
	col->id_base = col->resumed.last_id;
	return 0;
}

struct ipfix_collector *
ipfix_collector_new(const struct ipfix_collector_config *cfg,
    const struct ipfix_collector_hooks *hooks, struct ipfix_err *err)
{
	struct ipfix_collector *col;
	struct ipfix_decoder_config dc;

	if ((col = calloc(1, sizeof(*col))) == NULL) {
		ipfix_err_sys(err, IPFIX_E_NOMEM, "collector");
		return NULL;
	}
	col->cfg = *cfg;
	if (hooks != NULL)
		col->hooks = *hooks;
	memset(&dc, 0, sizeof(dc));
	dc.limits.max_templates = cfg->max_templates ? cfg->max_templates :
	    DEFAULT_MAX_TEMPLATES;
	/* The decoder ages templates by Export Time, which an exporter
	 * replaying old data keeps: off unless asked for. A silent UDP
	 * session still loses its templates at the idle timeout. */
	dc.limits.udp_lifetime = cfg->udp_template_lifetime;
	dc.max_list_depth = 8;
	dc.strict = cfg->strict;
	if ((col->assoc = ipfix_assoc_new()) == NULL ||
	    (col->dec = ipfix_decoder_new(&dc, &dec_ops, col)) == NULL) {
		ipfix_err_set(err, IPFIX_E_NOMEM, IPFIX_NO_OFFSET, NULL,
		    "decoder");
		ipfix_assoc_free(col->assoc);
		free(col);
		return NULL;
	}
	if (resume_check(&cfg->out, err) == -1 ||
	    (col->out = ipfix_sessout_open(&cfg->out, err)) == NULL ||
	    resume(col, err) == -1) {
		(void)ipfix_sessout_close(col->out, NULL);
		ipfix_assoc_free(col->assoc);
		ipfix_decoder_free(col->dec);
		free(col);
		return NULL;
	}
	return col;
}

void
ipfix_collector_resumed(const struct ipfix_collector *col,
    struct ipfix_resume_info *info)
{
	*info = col->resumed;
}

int
ipfix_collector_free(struct ipfix_collector *col, struct ipfix_err *err)
{
	int rc;

	if (col == NULL)
		return 0;
	for (size_t i = 0; i < col->nls; i++) {
		/* each open session's on_close runs from here */
		ipfix_chan_listener_free(col->ls[i]->l);
		free(col->ls[i]);
	}
	free(col->ls);
	for (size_t i = 0; i < col->nsess; i++) {
		if (col->sess[i]->st.open)
			ipfix_collector_close(col, col->sess[i]->st.id, NULL);
		free(col->sess[i]);
	}
	free(col->sess);
	ipfix_nfv9_free(col->v9);
	ipfix_assoc_free(col->assoc);
	rc = ipfix_sessout_close(col->out, err);
	ipfix_decoder_free(col->dec);
	free(col);
	return rc;
}

/* Sessions -------------------------------------------------------------- */

static void
addr_text(const struct sockaddr_storage *ss, char *buf, size_t cap,
    bool with_port)
{
	char a[IPFIX_ADDRSTR_MAX];
	const struct sockaddr_in6 *s6 = (const void *)ss;
	struct sockaddr_in s4;

	/* show IPv4-mapped peers of a dual-stack listener as IPv4 */
	if (ss->ss_family == AF_INET6 &&
	    IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
		memset(&s4, 0, sizeof(s4));
		s4.sin_family = AF_INET;
		s4.sin_port = s6->sin6_port;
		memcpy(&s4.sin_addr, s6->sin6_addr.s6_addr + 12, 4);
		ipfix_addr_format((const struct sockaddr *)&s4, sizeof(s4), a,
		    sizeof(a));
	} else
		ipfix_addr_format((const struct sockaddr *)ss, sizeof(*ss), a,
		    sizeof(a));
	if (!with_port && strrchr(a, ':') != NULL)
		*strrchr(a, ':') = '\0';
	if (!with_port && a[0] == '[') {
		memmove(a, a + 1, strlen(a));
		if (strchr(a, ']') != NULL)
			*strchr(a, ']') = '\0';
	}
	snprintf(buf, cap, "%s", a);
}

static const char *
proto_text(uint8_t proto)
{
	return proto == IPPROTO_TCP ? "tcp" : proto == IPPROTO_SCTP ?
	    "sctp" : "udp";
}

static void
sess_describe(struct csess *s, const struct ipfix_collector_peer *p)
{
	char a[IPFIX_ADDRSTR_MAX], b[IPFIX_ADDRSTR_MAX];

	addr_text(&p->exporter, a, sizeof(a), true);
	addr_text(&p->collector, b, sizeof(b), true);
	snprintf(s->st.desc, sizeof(s->st.desc), "%s %s -> %s",
	    p->scheme ? p->scheme : proto_text(p->proto), a, b);
	snprintf(s->st.identity, sizeof(s->st.identity), "%s",
	    p->identity ? p->identity : "");
	s->st.resumed = p->resumed;
}

static int
sess_link(struct ipfix_collector *col, struct csess *s,
    const struct ipfix_collector_peer *p, struct ipfix_err *err)
{
	char key[300], a[IPFIX_ADDRSTR_MAX];
	uint32_t e;

	/* One Exporting Process talks over one transport: an exporter's
	 * UDP and TCP sessions are not one chain. */
	addr_text(&p->exporter, a, sizeof(a), false);
	ipfix_assoc_key(key, sizeof(key), s->st.identity, a,
	    p->scheme ? p->scheme : proto_text(p->proto));
	if ((e = ipfix_assoc_session(col->assoc, s->st.id, key,
	    s->st.resumed)) == UINT32_MAX)
		return ipfix_err_set(err, IPFIX_E_NOMEM, IPFIX_NO_OFFSET, NULL,
		    "exporter table");
	s->st.exporter = e;
	return 0;
}

static int
sess_output(struct ipfix_collector *col, struct csess *s,
    const struct ipfix_collector_peer *p, struct ipfix_err *err)
{
	struct ipfix_sessout_session os;

	memset(&os, 0, sizeof(os));
	os.id = s->st.id;
	os.exporter = p->exporter;
	os.collector = p->collector;
	os.proto = p->proto;
	os.identity = p->identity;
	os.der = p->der;
	os.der_len = p->der_len;
	os.start_ms = wall_ms();
	return ipfix_sessout_begin(col->out, &os, err);
}

uint32_t
ipfix_collector_open(struct ipfix_collector *col,
    const struct ipfix_collector_peer *p, struct ipfix_err *err)
{
	struct csess *s;

	if (col->nsess >= UINT32_MAX - 1 - col->id_base ||
	    ipfix_grow((void **)&col->sess, &col->capsess, col->nsess + 1,
	    sizeof(*col->sess)) == -1 ||
	    (s = calloc(1, sizeof(*s))) == NULL) {
		ipfix_err_set(err, IPFIX_E_NOMEM, IPFIX_NO_OFFSET, NULL,
		    "session table");
		return 0;
	}
	s->st.id = col->id_base + (uint32_t)col->nsess + 1;
	s->kind = p->proto == IPPROTO_TCP ? IPFIX_KIND_TCP :
	    p->proto == IPPROTO_SCTP ? IPFIX_KIND_SCTP : IPFIX_KIND_UDP;
	s->stream_z = p->stream_z;
	sess_describe(s, p);
	if (sess_output(col, s, p, err) == -1 ||
	    sess_link(col, s, p, err) == -1) {
		(void)ipfix_sessout_end(col->out, s->st.id, NULL);
		free(s);
		return 0;
	}
	s->st.open = true;
	col->sess[col->nsess++] = s;
	if (col->hooks.on_session != NULL)
		col->hooks.on_session(col->hooks.arg, s->st.id, s->st.desc,
		    true, NULL);
	return s->st.id;
}

void
ipfix_collector_close(struct ipfix_collector *col, uint32_t id,
    const struct ipfix_err *why)
{
	struct csess *s = sess_get(col, id);

	if (s == NULL || !s->st.open)
		return;
	s->st.open = false;
	(void)ipfix_sessout_end(col->out, id, NULL);
	ipfix_decoder_end_session(col->dec, id);
	ipfix_nfv9_end_session(col->v9, id);
	ipfix_z_free(s->z);
	s->z = NULL;
	s->chan = NULL;
	if (col->hooks.on_session != NULL)
		col->hooks.on_session(col->hooks.arg, id, s->st.desc, false,
		    why);
}

/* Messages ---------------------------------------------------------------- */

/* Inflate a compressed frame into col->zbuf. */
static int
inflate_frame(struct ipfix_collector *col, struct csess *s,
    const uint8_t **data, size_t *len, struct ipfix_err *err)
{
	size_t n;

	if (s->z == NULL && (s->z = ipfix_z_new(false, s->stream_z, err)) ==
	    NULL)
		return -1;
	if (ipfix_z_unpack(s->z, *data, *len, col->zbuf, sizeof(col->zbuf),
	    &n, err) == -1)
		return -1;
	s->st.c.compressed++;
	*data = col->zbuf;
	*len = n;
	return 0;
}

/* NetFlow v9 over UDP goes on as the IPFIX message it converts to. */
static int
nfv9_in(struct ipfix_collector *col, struct csess *s, uint64_t off,
    const uint8_t **data, size_t *len, struct ipfix_err *err)
{
	if (col->v9 == NULL && (col->v9 = ipfix_nfv9_new()) == NULL)
		return ipfix_err_sys(err, IPFIX_E_NOMEM, "NetFlow v9");
	ipfix_sessout_set_version(col->out, s->st.id, 9);
	return ipfix_nfv9_convert(col->v9, s->st.id, *data, *len, off, data,
	    len, NULL, err);
}

/* A message the session must answer for: UDP drops it, reliable
 * transports lose the session (RFC 7011 §10.4.1.2, §10.2.4.2). */
static int
malformed(struct csess *s)
{
	s->st.c.malformed++;
	return s->kind == IPFIX_KIND_UDP ? -1 : -2;
}

/* A frame that does not inflate never reaches the decoder: report it the
 * way the decoder reports a malformed message. */
static int
bad_frame(struct ipfix_collector *col, struct csess *s, uint64_t off,
    const struct ipfix_err *err)
{
	struct ipfix_problem p;

	if (col->hooks.on_problem != NULL) {
		memset(&p, 0, sizeof(p));
		p.severity = IPFIX_SEV_MALFORMED;
		p.code = err->code;
		p.offset = off;
		p.session = s->st.id;
		memcpy(p.reason, err->reason, sizeof(p.reason));
		col->hooks.on_problem(col->hooks.arg, s->st.id, &p);
	}
	return malformed(s);
}

/* A message of whole fixed-length data sets takes the decoder's fast
 * path: the callbacks of a feed without its per-set passes. */
static bool
feed_runs(struct ipfix_collector *col, struct ipfix_msg_ctx *m)
{
	struct ipfix_run runs[IPFIX_RUNS_MAX];
	size_t i, n;

	if ((n = ipfix_decoder_runs(col->dec, m, runs, IPFIX_RUNS_MAX)) == 0)
		return false;
	dec_message(col, m);
	for (i = 0; i < n; i++)
		(void)dec_records(col, m, runs[i].t, runs[i].p,
		    (size_t)runs[i].n * runs[i].t->min_len, runs[i].n,
		    runs[i].offset);
	dec_message_end(col, m);
	return true;
}

int
ipfix_collector_feed(struct ipfix_collector *col, uint32_t id,
    const uint8_t *data, size_t len, uint16_t sctp_stream,
    struct ipfix_err *err)
{
	struct csess *s = sess_get(col, id);
	struct ipfix_msg_ctx m;
	struct ipfix_err local;
	uint64_t off;
	int rc;

	if (s == NULL || !s->st.open)
		return ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL,
		    "no open session %u", id);
	if (err == NULL)
		err = &local;
	off = s->offset;
	s->offset += len;
	s->st.c.bytes += len;
	if (ipfix_z_is_frame(data, len) &&
	    inflate_frame(col, s, &data, &len, err) == -1)
		return bad_frame(col, s, off, err);
	if (s->kind == IPFIX_KIND_UDP && ipfix_nfv9_is(data, len) &&
	    nfv9_in(col, s, off, &data, &len, err) == -1)
		return bad_frame(col, s, off, err);
	if (ipfix_sessout_split(col->out) &&
	    ipfix_sessout_raw(col->out, id, data, len, &col->out_err) == -1)
		col->out_failed = true;
	col->cur = s;
	col->stream = sctp_stream;
	col->recv_ms = wall_ms();
	m = (struct ipfix_msg_ctx){ .msg = data, .len = len, .offset = off,
	    .session = id, .stream = sctp_stream, .kind = s->kind };
	rc = feed_runs(col, &m) ? 0 : ipfix_decoder_feed_stream(col->dec,
	    data, len, id, sctp_stream, s->kind, off, err);
	col->cur = NULL;
	if (rc == -1)
		return malformed(s);
	return 0;
}

/* Listeners ----------------------------------------------------------- */

static uint8_t
scheme_proto(enum ipfix_scheme sc)
{
	if (sc == IPFIX_SCHEME_TCP || sc == IPFIX_SCHEME_TLS)
		return IPPROTO_TCP;
	if (sc == IPFIX_SCHEME_SCTP || sc == IPFIX_SCHEME_DTLS_SCTP)
		return IPPROTO_SCTP;
	return IPPROTO_UDP;
}

static void
identity_text(const struct ipfix_chan_identity *id, char *buf, size_t cap)
{
	buf[0] = '\0';
	if (id == NULL || !id->verified)
		return;
	if (id->psk_identity[0] != '\0')
		snprintf(buf, cap, "psk=%s", id->psk_identity);
	else if (id->sans[0] != '\0')
		snprintf(buf, cap, "subject=%s; san=%s", id->subject,
		    id->sans);
	else
		snprintf(buf, cap, "subject=%s", id->subject);
}

static void
lsn_open(void *arg, struct ipfix_chan *c)
{
	struct clisten *cl = arg;
	const struct ipfix_chan_identity *ci = ipfix_chan_identity(c);
	struct ipfix_collector_peer p;
	char ident[800];
	struct ipfix_err err;
	struct csess *s;
	uint32_t id;

	memset(&p, 0, sizeof(p));
	p.exporter = ipfix_chan_peer(c)->addr;
	p.collector = ipfix_chan_local(c)->addr;
	p.proto = scheme_proto(ipfix_chan_scheme(c));
	p.scheme = ipfix_scheme_name(ipfix_chan_scheme(c));
	p.stream_z = p.proto != IPPROTO_UDP;
	identity_text(ci, ident, sizeof(ident));
	p.identity = ident[0] != '\0' ? ident : NULL;
	if (ci != NULL && ci->verified && ci->der_len > 0) {
		p.der = ci->der;
		p.der_len = ci->der_len;
	}
	p.resumed = ci != NULL && ci->resumed;
	if ((id = ipfix_collector_open(cl->col, &p, &err)) == 0) {
		cl->col->dropped_sessions++;
		ipfix_chan_listener_drop(cl->l, c);
		return;
	}
	s = sess_get(cl->col, id);
	s->chan = c;
	s->l = cl->l;
	ipfix_chan_set_data(c, s);
}

static void
lsn_message(void *arg, struct ipfix_chan *c, const struct ipfix_tmsg *m)
{
	struct clisten *cl = arg;
	struct csess *s = ipfix_chan_data(c);
	struct ipfix_err err;

	if (s == NULL || m->event != IPFIX_TEV_NONE)
		return;
	if (ipfix_collector_feed(cl->col, s->st.id, m->data, m->len,
	    m->stream, &err) == -2) {
		cl->col->dropped_sessions++;
		ipfix_collector_close(cl->col, s->st.id, &err);
		ipfix_chan_set_data(c, NULL);
		ipfix_chan_listener_drop(cl->l, c);
	}
}

/* A reliable transport that ended with a reset (or inside a message)
 * lost what the kernel or the peer still held: sequence numbers cannot
 * count that tail. A datagram session's gaps are counted as usual. */
static bool
loss_unknown(const struct csess *s, const struct ipfix_err *err)
{
	if (s->kind == IPFIX_KIND_UDP)
		return false;
	return err->code == IPFIX_E_NET || err->code == IPFIX_E_IO ||
	    err->code == IPFIX_E_TRUNCATED;
}

static void
lsn_close(void *arg, struct ipfix_chan *c, const struct ipfix_err *err)
{
	struct clisten *cl = arg;
	struct csess *s = ipfix_chan_data(c);

	if (s != NULL && err != NULL && err->code != IPFIX_OK) {
		cl->col->dropped_sessions++;
		if (loss_unknown(s, err))
			s->st.c.loss_unknown = 1;
	}
	if (s != NULL)
		ipfix_collector_close(cl->col, s->st.id, err);
	ipfix_chan_set_data(c, NULL);
}

static void
lsn_refused(void *arg, const struct ipfix_tpeer *peer,
    const struct ipfix_err *err)
{
	struct clisten *cl = arg;
	char a[IPFIX_ADDRSTR_MAX] = "?";

	cl->col->refused++;
	if (peer != NULL && peer->addrlen > 0)
		ipfix_addr_format((const struct sockaddr *)&peer->addr,
		    peer->addrlen, a, sizeof(a));
	if (cl->col->hooks.on_refused != NULL)
		cl->col->hooks.on_refused(cl->col->hooks.arg, a, err);
}

static const struct ipfix_listen_ops lsn_ops = {
	.on_open = lsn_open,
	.on_message = lsn_message,
	.on_close = lsn_close,
	.on_refused = lsn_refused,
};

int
ipfix_collector_listen(struct ipfix_collector *col,
    const struct ipfix_endpoint *ep, struct ipfix_sec_ctx *sec,
    struct ev_loop *ev, struct ipfix_err *err)
{
	struct clisten *cl;

	if (ipfix_grow((void **)&col->ls, &col->capls, col->nls + 1,
	    sizeof(*col->ls)) == -1 || (cl = calloc(1, sizeof(*cl))) == NULL)
		return ipfix_err_set(err, IPFIX_E_NOMEM, IPFIX_NO_OFFSET, NULL,
		    "listener table");
	cl->col = col;
	cl->l = ipfix_chan_listen(ep, &col->cfg.topts, sec, &col->cfg.limits,
	    ev, &lsn_ops, cl, err);
	if (cl->l == NULL) {
		free(cl);
		return -1;
	}
	col->ls[col->nls++] = cl;
	return 0;
}

/* Output and statistics ------------------------------------------------ */

int
ipfix_collector_reopen(struct ipfix_collector *col, const char *new_path,
    struct ipfix_err *err)
{
	return ipfix_sessout_reopen(col->out, new_path, err);
}

int
ipfix_collector_flush(struct ipfix_collector *col, struct ipfix_err *err)
{
	if (col->out_failed) {
		col->out_failed = false;
		if (err != NULL)
			*err = col->out_err;
		return -1;
	}
	return ipfix_sessout_flush(col->out, err);
}

static void
add_counts(struct ipfix_collector_counts *a,
    const struct ipfix_collector_counts *b)
{
	a->messages += b->messages;
	a->records += b->records;
	a->lost += b->lost;
	a->malformed += b->malformed;
	a->bytes += b->bytes;
	a->compressed += b->compressed;
	a->no_template += b->no_template;
	a->loss_unknown += b->loss_unknown;
}

void
ipfix_collector_idle(struct ipfix_collector *col)
{
	if (!col->out_failed)
		out_fail(col, ipfix_sessout_flush(col->out, &col->out_err));
}

/* Loss comes from the decoder's per (session, ODID) sequence tracking. */
static void
sum_lost(const struct ipfix_domain_stats *d, void *arg)
{
	const struct ipfix_collector *col = arg;
	struct csess *s = sess_get(col, d->session);

	if (s != NULL)
		s->st.c.lost += d->lost;
	ipfix_assoc_gaps_add(col->assoc, d->session, d->odid, d->lost);
}

static void
refresh_lost(const struct ipfix_collector *col)
{
	for (size_t i = 0; i < col->nsess; i++)
		col->sess[i]->st.c.lost = 0;
	ipfix_assoc_gaps_clear(col->assoc);
	ipfix_decoder_foreach_domain(col->dec, sum_lost, (void *)col);
}

static void
add_listen_stats(const struct ipfix_collector *col,
    struct ipfix_collector_totals *t)
{
	struct ipfix_listen_stats ls;

	for (size_t i = 0; i < col->nls; i++) {
		ipfix_chan_listener_stats(col->ls[i]->l, &ls);
		t->handshakes_pending += ls.handshakes_pending;
		t->cookies_sent += ls.cookies_sent;
		t->cookies_bad += ls.cookies_bad;
		t->evicted += ls.evicted;
		t->timed_out += ls.timed_out;
		t->not_ipfix += ls.not_ipfix;
	}
}

void
ipfix_collector_totals(const struct ipfix_collector *col,
    struct ipfix_collector_totals *t)
{
	memset(t, 0, sizeof(*t));
	refresh_lost(col);
	t->sessions_opened = col->nsess;
	t->refused = col->refused;
	t->dropped_sessions = col->dropped_sessions;
	for (size_t i = 0; i < col->nsess; i++) {
		if (col->sess[i]->st.open)
			t->sessions_open++;
		if (col->sess[i]->st.resumed)
			t->resumed++;
		add_counts(&t->c, &col->sess[i]->st.c);
	}
	add_listen_stats(col, t);
	ipfix_sessout_stats(col->out, &t->out);
}

void
ipfix_collector_foreach_exporter(const struct ipfix_collector *col,
    void (*fn)(const struct ipfix_collector_exp_stats *, void *), void *arg)
{
	struct ipfix_collector_exp_stats e;
	struct ipfix_assoc_exp x;

	refresh_lost(col);
	for (uint32_t i = 0; i < ipfix_assoc_nexporters(col->assoc); i++) {
		ipfix_assoc_exporter(col->assoc, i, &x);
		memset(&e, 0, sizeof(e));
		e.index = i;
		snprintf(e.key, sizeof(e.key), "%s", x.key);
		e.sessions = x.sessions;
		e.handoffs = x.handoffs;
		e.restarts = x.restarts;
		e.resumed = x.resumed;
		e.lost_between = x.lost_between;
		e.duplicated = x.duplicated;
		for (size_t j = 0; j < col->nsess; j++)
			if (col->sess[j]->st.exporter == i)
				add_counts(&e.c, &col->sess[j]->st.c);
		e.c.lost += x.lost_between;
		fn(&e, arg);
	}
}

void
ipfix_collector_foreach_session(const struct ipfix_collector *col,
    void (*fn)(const struct ipfix_collector_sess_stats *, void *), void *arg)
{
	refresh_lost(col);
	for (size_t i = 0; i < col->nsess; i++)
		fn(&col->sess[i]->st, arg);
}

void
ipfix_collector_foreach_domain(const struct ipfix_collector *col,
    void (*fn)(const struct ipfix_domain_stats *, void *), void *arg)
{
	ipfix_decoder_foreach_domain(col->dec, fn, arg);
}
