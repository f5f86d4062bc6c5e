/*
 * chan: the dispatch of chan.h over each kind's ops table, and the client
 * side (the listener is in chan_listen.c, the plain kind in chan_plain.c,
 * the secured kinds in chan_tls.c and chan_dtls.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chan_int.h"

static const struct ipfix_chan_ops *
ops_for(enum ipfix_scheme s)
{
	switch (s) {
	case IPFIX_SCHEME_UDP:
	case IPFIX_SCHEME_TCP:
	case IPFIX_SCHEME_SCTP:
		return &ipfix_chan_plain_ops;
	case IPFIX_SCHEME_TLS:
		return &ipfix_chan_tls_ops;
	case IPFIX_SCHEME_DTLS:
		return &ipfix_chan_dtls_ops;
	case IPFIX_SCHEME_DTLS_SCTP:
		return &ipfix_chan_dtls_sctp_ops;
	}
	return NULL;
}

/* The kind of ep, checking that secured schemes come with a context. */
const struct ipfix_chan_ops *
ipfix_chan_kind(const struct ipfix_endpoint *ep, struct ipfix_sec_ctx *sec,
    struct ipfix_err *err)
{
	const struct ipfix_chan_ops *ops = ops_for(ep->scheme);

	if (ops == NULL) {
		ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL,
		    "chan: unknown scheme");
		return NULL;
	}
	if (ep->secure && sec == NULL) {
		ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL,
		    "chan: %s needs a security context",
		    ipfix_scheme_name(ep->scheme));
		return NULL;
	}
	return ops;
}

/* Transport options as the scheme needs them (RFC 6083: SCTP-AUTH). */
void
ipfix_chan_topts(const struct ipfix_endpoint *ep,
    const struct ipfix_topts *in, struct ipfix_topts *out)
{
	if (in != NULL)
		*out = *in;
	else
		memset(out, 0, sizeof(*out));
	if (ep->scheme == IPFIX_SCHEME_DTLS_SCTP)
		out->sctp_auth = true;
}

struct ipfix_chan *
ipfix_chan_connect(const struct ipfix_endpoint *ep,
    const struct ipfix_topts *topts, struct ipfix_sec_ctx *sec,
    struct ipfix_err *err)
{
	const struct ipfix_chan_ops *ops;
	struct ipfix_topts o;
	struct ipfix_chan *c;

	if ((ops = ipfix_chan_kind(ep, sec, err)) == NULL)
		return NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		ipfix_err_set(err, IPFIX_E_NOMEM, IPFIX_NO_OFFSET, NULL,
		    "chan: out of memory");
		return NULL;
	}
	c->ops = ops;
	c->scheme = ep->scheme;
	c->state = IPFIX_CHAN_CONNECTING;
	c->secctx = sec;
	snprintf(c->host, sizeof(c->host), "%s", ep->host);
	ipfix_chan_topts(ep, topts, &o);
	if ((c->t = ipfix_transport_connect(ep, &o, err)) == NULL) {
		ipfix_chan_free(c);
		return NULL;
	}
	c->local = c->t->local;
	c->peer = c->t->peer;
	if (ops->init != NULL && ops->init(c, false, err) == -1) {
		ipfix_chan_free(c);
		return NULL;
	}
	return c;
}

enum ipfix_chan_state
ipfix_chan_service(struct ipfix_chan *c, struct ipfix_err *err)
{
	if (c->state == IPFIX_CHAN_CLOSED || c->state == IPFIX_CHAN_FAILED)
		return c->state;
	c->state = c->ops->service(c, err);
	if (c->t != NULL && !c->shared) {
		c->local = c->t->local;
		if (c->t->peer.addrlen > 0)
			c->peer = c->t->peer;
	}
	return c->state;
}

enum ipfix_chan_state
ipfix_chan_state(const struct ipfix_chan *c)
{
	return c->state;
}

int
ipfix_chan_fd(const struct ipfix_chan *c)
{
	return c->t != NULL ? c->t->fd : -1;
}

int
ipfix_chan_events(const struct ipfix_chan *c)
{
	return c->ops->events(c);
}

long
ipfix_chan_timeout_ms(const struct ipfix_chan *c)
{
	return c->ops->timeout_ms(c);
}

int
ipfix_chan_send(struct ipfix_chan *c, const uint8_t *msg, size_t len,
    const struct ipfix_tsend *how, struct ipfix_err *err)
{
	int rc;

	if (c->state == IPFIX_CHAN_FAILED || c->state == IPFIX_CHAN_CLOSED ||
	    c->state == IPFIX_CHAN_CLOSING)
		return ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL,
		    "chan: send on a session that is %s",
		    c->state == IPFIX_CHAN_CLOSING ? "closing" : "closed");
	if (len > ipfix_chan_max_msg(c))
		return ipfix_err_set(err, IPFIX_E_LIMIT, IPFIX_NO_OFFSET,
		    "C87", "chan: message of %zu bytes exceeds the session's "
		    "limit of %zu", len, ipfix_chan_max_msg(c));
	rc = c->ops->send(c, msg, len, how, err);
	if (rc == IPFIX_T_ERR && c->l == NULL)
		c->state = IPFIX_CHAN_FAILED;
	if (c->l != NULL)
		ipfix_chan_listener_watch(c);
	return rc;
}

size_t
ipfix_chan_max_msg(const struct ipfix_chan *c)
{
	return c->ops->max_msg(c);
}

int
ipfix_chan_recv(struct ipfix_chan *c, struct ipfix_tmsg *m,
    struct ipfix_err *err)
{
	int rc;

	memset(m, 0, sizeof(*m));
	if (c->state == IPFIX_CHAN_FAILED || c->state == IPFIX_CHAN_CLOSED)
		return IPFIX_T_EOF;
	rc = c->ops->recv(c, m, err);
	if (rc == IPFIX_T_ERR && c->l == NULL)
		c->state = IPFIX_CHAN_FAILED;
	else if (rc == IPFIX_T_EOF && c->l == NULL)
		c->state = IPFIX_CHAN_CLOSED;
	return rc;
}

int
ipfix_chan_shutdown(struct ipfix_chan *c, struct ipfix_err *err)
{
	int rc;

	if (c->state == IPFIX_CHAN_CLOSED || c->state == IPFIX_CHAN_FAILED ||
	    c->state == IPFIX_CHAN_CLOSING)
		return 0;
	if ((rc = c->ops->shutdown(c, err)) == -1)
		c->state = IPFIX_CHAN_FAILED;
	return rc;
}

int
ipfix_chan_probe(struct ipfix_chan *c, struct ipfix_err *err)
{
	if (c->ops->probe == NULL || c->l != NULL)
		return ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL,
		    "chan: %s sessions have no liveness probe", c->ops->name);
	if (c->state != IPFIX_CHAN_UP)
		return ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL,
		    "chan: probe on a session that is not up");
	return c->ops->probe(c, err);
}

enum ipfix_chan_probe
ipfix_chan_probe_state(const struct ipfix_chan *c)
{
	return c->ops->probe_state != NULL ? c->ops->probe_state(c) :
	    IPFIX_PROBE_IDLE;
}

uint64_t
ipfix_chan_probes_answered(const struct ipfix_chan *c)
{
	return c->ops->probes_answered != NULL ?
	    c->ops->probes_answered(c) : 0;
}

void
ipfix_chan_free(struct ipfix_chan *c)
{
	if (c == NULL)
		return;
	if (c->ops != NULL && c->ops->free != NULL)
		c->ops->free(c);
	if (!c->shared)
		ipfix_transport_close(c->t);
	free(c);
}

const struct ipfix_chan_identity *
ipfix_chan_identity(const struct ipfix_chan *c)
{
	return &c->id;
}

const struct ipfix_tpeer *
ipfix_chan_local(const struct ipfix_chan *c)
{
	return &c->local;
}

const struct ipfix_tpeer *
ipfix_chan_peer(const struct ipfix_chan *c)
{
	return &c->peer;
}

enum ipfix_scheme
ipfix_chan_scheme(const struct ipfix_chan *c)
{
	return c->scheme;
}

void
ipfix_chan_set_data(struct ipfix_chan *c, void *data)
{
	c->data = data;
}

void *
ipfix_chan_data(const struct ipfix_chan *c)
{
	return c->data;
}
