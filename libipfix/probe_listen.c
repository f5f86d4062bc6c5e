/*
 * probe_listen: listen mode of dtls-probe. A chan listener with a lenient
 * context (asks for the exporter's certificate, reports its verification,
 * refuses nobody for it) and a ClientHello hook; each exporter becomes
 * one entry: what it offered, how its handshake ended, what it sent
 * (decoded through the printer with dump).
 */
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "print.h"
#include "probe_int.h"

#define DEF_TIMEOUT_MS	10000
#define MAX_ENTRIES	64
#define EV_SETSIZE	4096

struct entry {
	char peer[IPFIX_ADDRSTR_MAX];
	bool have_hello, open, failed, ended;
	struct ipfix_hello_info hello;
	struct ipfix_tls_info info;
	char reason[IPFIX_REASON_MAX];
	uint64_t msgs, bytes;
};

struct lsn {
	const struct ipfix_probe_config *cfg;
	struct ev_loop *ev;
	struct entry *e;		/* MAX_ENTRIES, owned */
	size_t n;
	unsigned ended;
	struct ipfix_decoder *dec;	/* with dump */
	struct ipfix_printer *pr;
};

static void
peer_text(const struct ipfix_tpeer *p, char *buf, size_t cap)
{
	if (p == NULL)
		snprintf(buf, cap, "?");
	else
		ipfix_addr_format((const struct sockaddr *)&p->addr,
		    p->addrlen, buf, cap);
}

/* The peer's entry still in its handshake, or a new one. */
static struct entry *
entry_for(struct lsn *l, const struct ipfix_tpeer *p)
{
	char s[IPFIX_ADDRSTR_MAX];
	size_t i;

	peer_text(p, s, sizeof(s));
	for (i = l->n; i > 0; i--)
		if (strcmp(l->e[i - 1].peer, s) == 0 && !l->e[i - 1].open &&
		    !l->e[i - 1].ended)
			return &l->e[i - 1];
	if (l->n == MAX_ENTRIES)
		return NULL;
	memset(&l->e[l->n], 0, sizeof(l->e[0]));
	snprintf(l->e[l->n].peer, sizeof(l->e[0].peer), "%s", s);
	return &l->e[l->n++];
}

static void
end_one(struct lsn *l, struct entry *e)
{
	e->ended = true;
	if (l->cfg->count > 0 && ++l->ended >= l->cfg->count)
		ev_stop(l->ev);
}

/* --- text output as it happens ---------------------------------------------- */

static void
text_hello(FILE *f, const struct entry *e)
{
	const struct ipfix_hello_info *h = &e->hello;

	fprintf(f, "exporter %s: ClientHello\n", e->peer);
	ipfix_probe_line(f, "  versions:", "%s", h->versions);
	ipfix_probe_line(f, "  ciphers:", "%s", h->ciphers);
	ipfix_probe_line(f, "  groups:", "%s", h->groups);
	ipfix_probe_line(f, "  extensions:", "%s", h->exts);
	ipfix_probe_line(f, "  SNI:", "%s", h->sni[0] != '\0' ? h->sni :
	    "none");
	fflush(f);
}

static void
text_open(FILE *f, const struct entry *e)
{
	const struct ipfix_tls_info *in = &e->info;

	fprintf(f, "exporter %s: handshake ok\n", e->peer);
	ipfix_probe_line(f, "  version:", "%s", in->version);
	ipfix_probe_line(f, "  cipher:", "%s", in->cipher);
	ipfix_probe_line(f, "  group:", "%s", in->group[0] != '\0' ?
	    in->group : "none");
	ipfix_probe_line(f, "  resumed:", "%s", in->resumed ? "yes" : "no");
	if (in->nchain > 0)
		ipfix_probe_text_cert(f, "  certificate:", &in->chain[0]);
	else
		ipfix_probe_line(f, "  certificate:", "none");
	ipfix_probe_line(f, "  verify:", "%s (%ld)", in->verify_text,
	    in->verify_code);
	fflush(f);
}

/* --- listener events --------------------------------------------------------- */

static void
on_hello(void *arg, const struct ipfix_tpeer *peer,
    const struct ipfix_hello_info *h)
{
	struct lsn *l = arg;
	struct entry *e = entry_for(l, peer);

	if (e == NULL)
		return;
	e->hello = *h;
	e->have_hello = true;
	if (!l->cfg->json)
		text_hello(l->cfg->out, e);
}

static void
on_open(void *arg, struct ipfix_chan *c)
{
	struct lsn *l = arg;
	struct entry *e = entry_for(l, ipfix_chan_peer(c));

	if (e == NULL)
		return;
	e->open = true;
	(void)ipfix_chan_tls_info(c, &e->info);
	ipfix_chan_set_data(c, e);
	if (!l->cfg->json)
		text_open(l->cfg->out, e);
}

static enum ipfix_transport_kind
kind_of(enum ipfix_scheme s)
{
	return s == IPFIX_SCHEME_TLS ? IPFIX_KIND_TCP :
	    s == IPFIX_SCHEME_DTLS_SCTP ? IPFIX_KIND_SCTP : IPFIX_KIND_UDP;
}

static void
on_message(void *arg, struct ipfix_chan *c, const struct ipfix_tmsg *m)
{
	struct lsn *l = arg;
	struct entry *e = ipfix_chan_data(c);

	if (e == NULL)
		return;
	e->msgs++;
	e->bytes += m->len;
	if (l->dec != NULL)
		(void)ipfix_decoder_feed(l->dec, m->data, m->len,
		    (uint32_t)(e - l->e) + 1, kind_of(l->cfg->ep.scheme), 0,
		    NULL);
}

static void
on_close(void *arg, struct ipfix_chan *c, const struct ipfix_err *err)
{
	struct lsn *l = arg;
	struct entry *e = ipfix_chan_data(c);

	if (e == NULL)
		return;
	if (err != NULL)
		snprintf(e->reason, sizeof(e->reason), "%s", err->reason);
	if (l->pr != NULL)
		(void)ipfix_printer_flush(l->pr);
	if (!l->cfg->json) {
		fprintf(l->cfg->out, "exporter %s: closed after %llu messages "
		    "(%llu bytes)%s%s\n", e->peer, (unsigned long long)e->msgs,
		    (unsigned long long)e->bytes, err != NULL ? ": " : "",
		    err != NULL ? err->reason : "");
		fflush(l->cfg->out);
	}
	end_one(l, e);
}

static void
on_refused(void *arg, const struct ipfix_tpeer *peer,
    const struct ipfix_err *err)
{
	struct lsn *l = arg;
	struct entry *e = entry_for(l, peer);

	if (e == NULL)
		return;
	e->failed = true;
	snprintf(e->reason, sizeof(e->reason), "%s", err->reason);
	if (!l->cfg->json) {
		fprintf(l->cfg->out, "exporter %s: handshake failed: %s\n",
		    e->peer, err->reason);
		fflush(l->cfg->out);
	}
	end_one(l, e);
}

/* --- dump: the decoder into the printer ---------------------------------------- */

static void
d_message(void *arg, const struct ipfix_msg_ctx *m)
{
	ipfix_print_message(((struct lsn *)arg)->pr, m);
}

static void
d_template(void *arg, const struct ipfix_msg_ctx *m,
    const struct ipfix_tmpl *t, enum ipfix_tadd how, uint64_t offset)
{
	(void)how;
	(void)offset;
	ipfix_print_template(((struct lsn *)arg)->pr, m, t);
}

static void
d_withdrawal(void *arg, const struct ipfix_msg_ctx *m, uint16_t set_id,
    uint16_t tid, int removed, uint64_t offset)
{
	(void)removed;
	(void)offset;
	ipfix_print_withdrawal(((struct lsn *)arg)->pr, m, set_id, tid);
}

static void
d_record(void *arg, const struct ipfix_msg_ctx *m, const struct ipfix_tmpl *t,
    const struct ipfix_rec *r)
{
	ipfix_print_record(((struct lsn *)arg)->pr, m, t, r);
}

static void
d_problem(void *arg, const struct ipfix_problem *p)
{
	ipfix_print_problem(((struct lsn *)arg)->pr, NULL, p);
}

static int
dump_open(struct lsn *l, struct ipfix_err *err)
{
	static const struct ipfix_decoder_ops ops = {
		.on_message = d_message, .on_template = d_template,
		.on_withdrawal = d_withdrawal, .on_record = d_record,
		.on_problem = d_problem,
	};
	struct ipfix_print_options po = { .json = l->cfg->json };
	struct ipfix_decoder_config dc;

	memset(&dc, 0, sizeof(dc));
	if ((l->dec = ipfix_decoder_new(&dc, &ops, l)) == NULL ||
	    (l->pr = ipfix_printer_new(l->cfg->out, &po,
	    ipfix_decoder_templates(l->dec), NULL, NULL)) == NULL)
		return ipfix_err_set(err, IPFIX_E_NOMEM, IPFIX_NO_OFFSET, NULL,
		    "dump: out of memory");
	return 0;
}

/* --- the JSON report at the end --------------------------------------------------- */

static void
json_entry(struct ipfix_jw *j, const struct entry *e)
{
	const struct ipfix_hello_info *h = &e->hello;

	ipfix_jw_open(j, NULL, '{');
	ipfix_jw_str(j, "peer", e->peer);
	if (e->have_hello) {
		ipfix_jw_open(j, "offered", '{');
		ipfix_jw_str(j, "versions", h->versions);
		ipfix_jw_str(j, "ciphers", h->ciphers);
		ipfix_jw_str(j, "groups", h->groups);
		ipfix_jw_str(j, "extensions", h->exts);
		ipfix_jw_str(j, "sni", h->sni);
		ipfix_jw_close(j, '}');
	}
	ipfix_jw_bool(j, "handshake_ok", e->open);
	if (e->open) {
		ipfix_jw_str(j, "version", e->info.version);
		ipfix_jw_str(j, "cipher", e->info.cipher);
		ipfix_jw_str(j, "group", e->info.group);
		ipfix_jw_open(j, "chain", '[');
		if (e->info.nchain > 0)
			ipfix_jw_cert(j, &e->info.chain[0]);
		ipfix_jw_close(j, ']');
		ipfix_jw_str(j, "verify", e->info.verify_text);
	}
	if (e->reason[0] != '\0')
		ipfix_jw_str(j, "error", e->reason);
	ipfix_jw_int(j, "messages", (long long)e->msgs);
	ipfix_jw_int(j, "bytes", (long long)e->bytes);
	ipfix_jw_close(j, '}');
}

static void
json_report(struct lsn *l, const char *local, int rc)
{
	struct ipfix_jw j = { .comma = false };
	size_t i;

	if (ipfix_ob_init(&j.ob, l->cfg->out) == -1)
		return;
	ipfix_jw_open(&j, NULL, '{');
	ipfix_jw_str(&j, "listen", local);
	ipfix_jw_open(&j, "exporters", '[');
	for (i = 0; i < l->n; i++)
		json_entry(&j, &l->e[i]);
	ipfix_jw_close(&j, ']');
	ipfix_jw_int(&j, "exit", rc);
	ipfix_jw_close(&j, '}');
	ipfix_ob_putc(&j.ob, '\n');
	(void)ipfix_ob_fini(&j.ob);
}

/* --- the run ------------------------------------------------------------------------ */

static long
time_up(struct ev_loop *ev, long long id, void *arg)
{
	(void)id;
	(void)arg;
	ev_stop(ev);
	return EV_STOP;
}

static int
verdict(const struct lsn *l)
{
	size_t i;
	bool failed = false;

	for (i = 0; i < l->n; i++) {
		if (l->e[i].open)
			return PROBE_EXIT_OK;
		failed |= l->e[i].failed;
	}
	return failed ? PROBE_EXIT_HANDSHAKE : PROBE_EXIT_UNREACH;
}

static int
serve(struct lsn *l, struct ipfix_sec_ctx *sec, const struct ipfix_probe_ops
    *ops, void *arg, struct ipfix_err *err)
{
	static const struct ipfix_listen_ops lops = {
		.on_open = on_open, .on_message = on_message,
		.on_close = on_close, .on_refused = on_refused,
	};
	const struct ipfix_probe_config *cfg = l->cfg;
	struct ipfix_listen_limits lim = { .max_sessions = MAX_ENTRIES };
	struct ipfix_chan_listener *cl;
	const struct ipfix_tpeer *me;
	char local[IPFIX_ADDRSTR_MAX], line[96];
	int rc;

	cl = ipfix_chan_listen(&cfg->ep, &cfg->topts, sec, &lim, l->ev, &lops,
	    l, err);
	if (cl == NULL)
		return PROBE_EXIT_USAGE;
	me = ipfix_chan_listener_local(cl);
	peer_text(me, local, sizeof(local));
	snprintf(line, sizeof(line), "listening on %s", local);
	if (ops != NULL && ops->on_event != NULL)
		ops->on_event(arg, line);
	if (ev_timer_add(l->ev, cfg->timeout_ms != 0 ? cfg->timeout_ms :
	    DEF_TIMEOUT_MS, time_up, NULL, err) == -1)
		rc = PROBE_EXIT_USAGE;
	else
		rc = ev_run(l->ev, err) == -1 ? PROBE_EXIT_HANDSHAKE : 0;
	ipfix_chan_listener_free(cl);
	if (rc == 0)
		rc = verdict(l);
	if (cfg->json && rc != PROBE_EXIT_USAGE)
		json_report(l, local, rc);
	return rc;
}

int
ipfix_probe_listen(const struct ipfix_probe_config *cfg,
    const struct ipfix_probe_ops *ops, void *arg, struct ipfix_err *err)
{
	static const struct ipfix_probe_hooks hooks = { .on_hello = on_hello };
	struct lsn l = { .cfg = cfg };
	struct ipfix_sec_config sc = cfg->sec;
	struct ipfix_sec_ctx *sec = NULL;
	int rc = PROBE_EXIT_USAGE;

	/* Without --ca nothing can be verified; the lenient hook still
	 * asks for a certificate and reports it. */
	if (sc.ca == NULL && sc.psk_file == NULL)
		sc.insecure = true;
	if ((l.e = calloc(MAX_ENTRIES, sizeof(*l.e))) == NULL ||
	    (l.ev = ev_new(EV_SETSIZE, err)) == NULL ||
	    (sec = ipfix_sec_ctx_new(&sc, true, cfg->ep.scheme, err)) == NULL ||
	    (cfg->dump && dump_open(&l, err) == -1))
		goto out;
	ipfix_sec_ctx_probe(sec, &hooks, &l, true);
	rc = serve(&l, sec, ops, arg, err);
out:
	if (l.pr != NULL)
		(void)ipfix_printer_free(l.pr);
	ipfix_decoder_free(l.dec);
	ipfix_sec_ctx_free(sec);
	if (l.ev != NULL)
		ev_free(l.ev);
	free(l.e);
	return rc;
}
