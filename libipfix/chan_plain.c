/*
 * chan_plain: the plain kind of chan (UDP, TCP, kernel SCTP and usrsctp),
 * straight over transport.h. Listener sessions on UDP and SCTP share the
 * listener's transport and receive through input.
 */
#include <string.h>

#include "chan_int.h"

/* How long an orderly close waits for the peer's end after ours. */
#define PLAIN_DRAIN_MS	5000

static int
plain_init(struct ipfix_chan *c, bool server, struct ipfix_err *err)
{
	(void)err;
	if (server)
		c->state = IPFIX_CHAN_UP;
	return 0;
}

/* After our shutdown: read what is left until the peer's end. */
static enum ipfix_chan_state
plain_drain(struct ipfix_chan *c, struct ipfix_err *err)
{
	struct ipfix_tmsg m;
	int rc;

	if (!c->shut_sent) {
		if ((rc = ipfix_transport_shutdown(c->t, err)) == IPFIX_T_ERR)
			return IPFIX_CHAN_FAILED;
		if (rc == IPFIX_T_AGAIN)
			return IPFIX_CHAN_CLOSING;
		c->shut_sent = true;
		if (c->t->proto == IPFIX_TP_UDP)
			return IPFIX_CHAN_CLOSED;
	}
	/* What the peer still says is of no use now; reading it keeps the
	 * close from turning into a reset. */
	while ((rc = ipfix_transport_recv(c->t, &m, err)) == IPFIX_T_OK)
		if (m.event == IPFIX_TEV_DOWN)
			return IPFIX_CHAN_CLOSED;
	if (rc == IPFIX_T_EOF || ev_now_ms() >= c->close_by_ms)
		return IPFIX_CHAN_CLOSED;
	return rc == IPFIX_T_ERR ? IPFIX_CHAN_FAILED : IPFIX_CHAN_CLOSING;
}

static enum ipfix_chan_state
plain_service(struct ipfix_chan *c, struct ipfix_err *err)
{
	int rc;

	if (c->shared)
		return c->state;
	if (ipfix_transport_timeout(c->t) >= 0 &&
	    ipfix_transport_service(c->t, err) == -1)
		return IPFIX_CHAN_FAILED;
	switch (c->state) {
	case IPFIX_CHAN_CONNECTING:
	case IPFIX_CHAN_UP:
		rc = ipfix_transport_flush(c->t, err);
		if (rc == IPFIX_T_ERR)
			return IPFIX_CHAN_FAILED;
		if (rc == IPFIX_T_OK)
			return IPFIX_CHAN_UP;
		return c->state;
	case IPFIX_CHAN_CLOSING:
		return plain_drain(c, err);
	default:
		return c->state;
	}
}

int
ipfix_chan_plain_events(const struct ipfix_chan *c)
{
	if (c->shared)
		return EV_NONE;
	return EV_READ | (ipfix_transport_want_write(c->t) ? EV_WRITE : 0);
}

long
ipfix_chan_plain_timeout(const struct ipfix_chan *c)
{
	long t = c->shared ? -1 : ipfix_transport_timeout(c->t);
	uint64_t now;

	if (c->state == IPFIX_CHAN_CLOSING) {
		now = ev_now_ms();
		if (now >= c->close_by_ms)
			return 0;
		if (t < 0 || c->close_by_ms - now < (uint64_t)t)
			t = (long)(c->close_by_ms - now);
	}
	return t;
}

size_t
ipfix_chan_plain_mtu(const struct ipfix_chan *c)
{
	size_t mtu = 0;

	if (ipfix_transport_mtu(c->t, &mtu, NULL) == -1)
		return 0;
	return mtu > IPFIX_MSG_MAX ? IPFIX_MSG_MAX : mtu;
}

static int
plain_send(struct ipfix_chan *c, const uint8_t *msg, size_t len,
    const struct ipfix_tsend *how, struct ipfix_err *err)
{
	struct ipfix_tsend h = { .pr_rtx = -1 };

	if (!c->shared)
		return ipfix_transport_send(c->t, msg, len, how, err);
	if (how != NULL)
		h = *how;
	h.peer = &c->peer;
	return ipfix_transport_send(c->t, msg, len, &h, err);
}

static int
plain_recv(struct ipfix_chan *c, struct ipfix_tmsg *m, struct ipfix_err *err)
{
	int rc;

	if (c->shared) {
		if (c->pend == NULL)
			return IPFIX_T_AGAIN;
		*m = *c->pend;
		c->pend = NULL;
		return IPFIX_T_OK;
	}
	for (;;) {
		if ((rc = ipfix_transport_recv(c->t, m, err)) != IPFIX_T_OK)
			return rc;
		if (m->event == IPFIX_TEV_NONE)
			return rc;
		if (m->event == IPFIX_TEV_DOWN)
			return IPFIX_T_EOF;
	}
}

static int
plain_input(struct ipfix_chan *c, const struct ipfix_tmsg *m,
    struct ipfix_err *err)
{
	(void)err;
	c->pend = m;
	return 0;
}

static int
plain_shutdown(struct ipfix_chan *c, struct ipfix_err *err)
{
	if (c->shared) {
		c->state = IPFIX_CHAN_CLOSED;
		return 0;
	}
	c->state = IPFIX_CHAN_CLOSING;
	c->close_by_ms = ev_now_ms() + PLAIN_DRAIN_MS;
	c->state = plain_service(c, err);
	return c->state == IPFIX_CHAN_FAILED ? -1 : 0;
}

const struct ipfix_chan_ops ipfix_chan_plain_ops = {
	.name = "plain",
	.init = plain_init,
	.service = plain_service,
	.events = ipfix_chan_plain_events,
	.timeout_ms = ipfix_chan_plain_timeout,
	.send = plain_send,
	.recv = plain_recv,
	.input = plain_input,
	.max_msg = ipfix_chan_plain_mtu,
	.shutdown = plain_shutdown,
};
