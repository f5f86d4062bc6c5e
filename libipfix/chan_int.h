/*
 * chan_int: what the session kinds behind chan.h share (layer 4, private to
 * chan*.c and tls.c): the session and listener structures and the ops table
 * each kind fills (plain, TLS, DTLS, DTLS/SCTP), after curl's Curl_ssl.
 * No OpenSSL type appears here; secured kinds keep theirs behind c->sec.
 */
#ifndef IPFIX_CHAN_INT_H
#define IPFIX_CHAN_INT_H

#include "chan.h"

/*
 * One kind of session. Client sessions own their transport; listener
 * sessions on UDP or SCTP share the listener's and get their datagrams or
 * user messages through input. gate, input and lfree may be NULL.
 */
struct ipfix_chan_ops {
	const char *name;
	/* Set up c->sec on a new client (after the transport exists) or
	 * listener session (server true). */
	int (*init)(struct ipfix_chan *c, bool server, struct ipfix_err *err);
	/* Drive handshake, flush, timers; returns the new state. */
	enum ipfix_chan_state (*service)(struct ipfix_chan *c,
	    struct ipfix_err *err);
	int (*events)(const struct ipfix_chan *c);
	long (*timeout_ms)(const struct ipfix_chan *c);
	int (*send)(struct ipfix_chan *c, const uint8_t *msg, size_t len,
	    const struct ipfix_tsend *how, struct ipfix_err *err);
	int (*recv)(struct ipfix_chan *c, struct ipfix_tmsg *m,
	    struct ipfix_err *err);
	/* Listener sessions on a shared transport: one datagram / user
	 * message of this peer (valid during the call). */
	int (*input)(struct ipfix_chan *c, const struct ipfix_tmsg *m,
	    struct ipfix_err *err);
	size_t (*max_msg)(const struct ipfix_chan *c);
	int (*shutdown)(struct ipfix_chan *c, struct ipfix_err *err);
	void (*free)(struct ipfix_chan *c);	/* c->sec only */
	/*
	 * Listener on UDP: every datagram passes here first, with cur the
	 * peer's session or NULL. CHAN_GATE_NEW: open a (new) session for
	 * the peer, replacing cur (RFC 6347 §4.2.8); the datagram was
	 * consumed. CHAN_GATE_PASS: give it to cur. CHAN_GATE_DROP:
	 * answered or ignored here. Without gate: PASS, or NEW then input.
	 */
	int (*gate)(struct ipfix_chan_listener *l, const struct ipfix_tmsg *m,
	    struct ipfix_chan *cur);
	/* Listener-wide state of the kind (cookie secret...) in l->ksec. */
	int (*linit)(struct ipfix_chan_listener *l, struct ipfix_err *err);
	void (*lfree)(struct ipfix_chan_listener *l);
	/* Secured kinds: the session's SSL, for tls_probe.c (void: no
	 * OpenSSL type here). NULL for plain kinds. */
	void *(*ssl)(const struct ipfix_chan *c);
};

struct ipfix_chan {
	const struct ipfix_chan_ops *ops;
	enum ipfix_scheme scheme;
	enum ipfix_chan_state state;
	struct ipfix_transport *t;	/* owned unless shared is true */
	bool shared;			/* the listener's UDP/SCTP transport */
	struct ipfix_tpeer local, peer;
	struct ipfix_chan_identity id;
	struct ipfix_sec_ctx *secctx;	/* not owned */
	void *sec;			/* the kind's state, owned */
	char host[IPFIX_HOST_MAX];	/* the URL host (client) */
	void *data;			/* the caller's */

	/* Plain listener sessions on shared transports: the message input
	 * handed in, returned once by recv. */
	const struct ipfix_tmsg *pend;

	/* Listener bookkeeping. */
	struct ipfix_chan_listener *l;
	struct ipfix_chan *prev, *next;
	struct ipfix_chan *hnext;	/* peer hash chain (shared only) */
	uint64_t born_ms, last_ms;	/* creation, last input */
	bool opened;			/* on_open was called */
	bool shut_sent;			/* transport shutdown done */
	uint64_t close_by_ms;		/* CLOSING: give up draining then */
	bool doomed;			/* to be closed at the next reap */
	bool dead;			/* on_close was called */
	struct ipfix_err close_err;
	bool close_failed;
	int ev_mask;			/* what is registered for c->t->fd */
};

struct ipfix_chan_listener {
	const struct ipfix_chan_ops *ops;
	enum ipfix_scheme scheme;
	struct ipfix_transport *t;
	struct ipfix_topts topts;
	struct ev_loop *ev;
	struct ipfix_listen_ops cb;
	void *arg;
	struct ipfix_listen_limits lim;
	struct ipfix_sec_ctx *sec;	/* not owned */
	void *ksec;			/* the kind's listener state, owned */
	struct ipfix_chan *sessions;
	struct ipfix_chan **bucket;	/* shared sessions by peer */
	size_t nbucket;			/* a power of two, fixed */
	struct ipfix_listen_stats st;
	long long tick_id, svc_id;
	int busy;			/* inside a callback dispatch */
};

#define CHAN_GATE_DROP	0
#define CHAN_GATE_NEW	1
#define CHAN_GATE_PASS	2

/* The ops of each kind. */
extern const struct ipfix_chan_ops ipfix_chan_plain_ops;
extern const struct ipfix_chan_ops ipfix_chan_tls_ops;
extern const struct ipfix_chan_ops ipfix_chan_dtls_ops;
extern const struct ipfix_chan_ops ipfix_chan_dtls_sctp_ops;

/* From tls.c: the context's limits (defaults when c is NULL). */
unsigned ipfix_sec_ctx_hs_timeout(const struct ipfix_sec_ctx *c);
unsigned ipfix_sec_ctx_max_handshakes(const struct ipfix_sec_ctx *c);

/* chan.c: the kind of ep (NULL with err when a secured scheme has no
 * context); the transport options the scheme needs (DTLS/SCTP: AUTH). */
const struct ipfix_chan_ops *ipfix_chan_kind(const struct ipfix_endpoint *ep,
    struct ipfix_sec_ctx *sec, struct ipfix_err *err);
void ipfix_chan_topts(const struct ipfix_endpoint *ep,
    const struct ipfix_topts *in, struct ipfix_topts *out);
/* chan_listen.c: re-register a listener session's fd for what it waits
 * for now (after a send queued output). */
void ipfix_chan_listener_watch(struct ipfix_chan *c);

/* chan_plain.c, for the secured kinds too: the transport's own events,
 * timeout and message size. */
int ipfix_chan_plain_events(const struct ipfix_chan *c);
long ipfix_chan_plain_timeout(const struct ipfix_chan *c);
size_t ipfix_chan_plain_mtu(const struct ipfix_chan *c);

/* Same address family, address and port (SCTP: same association). */
bool ipfix_chan_peer_eq(const struct ipfix_tpeer *a,
    const struct ipfix_tpeer *b, bool by_assoc);
/* Find a listener session by peer, NULL if none. */
struct ipfix_chan *ipfix_chan_listener_find(struct ipfix_chan_listener *l,
    const struct ipfix_tpeer *peer);
/* Refusal before a session exists: counts it and calls on_refused. */
void ipfix_chan_listener_refuse(struct ipfix_chan_listener *l,
    const struct ipfix_tpeer *peer, const struct ipfix_err *err);

#endif
