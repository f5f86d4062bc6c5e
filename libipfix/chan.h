/*
 * chan: a Transport Session as the Exporting and Collecting Processes see
 * it (layer 4, over transport): IPFIX messages out and in, plain or secured
 * with TLS (over TCP) or DTLS (over UDP, or over SCTP per RFC 6083), with
 * the peer's authenticated identity. Each kind fills a struct
 * ipfix_chan_ops (plain, TLS, DTLS, DTLS/SCTP); OpenSSL appears only in
 * the security modules behind it (tls.c, dtls_bio.c, chan_*.c), never in
 * the exporter or collector. Non-blocking, driven by an event loop: poll
 * ipfix_chan_fd for ipfix_chan_events and call ipfix_chan_service when it
 * is ready or when ipfix_chan_timeout_ms expires.
 */
#ifndef IPFIX_CHAN_H
#define IPFIX_CHAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "endpoint.h"
#include "err.h"
#include "evloop.h"
#include "transport.h"

/* Security configuration, the same options in every tool (design.md §4). */
struct ipfix_sec_config {
	const char *cert;		/* PEM certificate (chain) file */
	const char *key;		/* PEM private key file */
	const char *ca;			/* PEM CA file or a CA directory */
	const char *const *peer_names;	/* accepted peer names (NULL-ended):
					   client: the collector's reference
					   identity (default: the URL host);
					   server: exporters it accepts (any
					   verified one when NULL) */
	const char *psk_identity;
	const char *psk_file;		/* hex or raw key */
	const char *ciphers;		/* OpenSSL cipher list / suites */
	const char *keylog;		/* NSS key log file, or NULL: then
					   SSLKEYLOGFILE if set */
	bool insecure;			/* no peer verification: asked for by
					   name, warned about by the tool */
	unsigned handshake_timeout_ms;	/* default 10000 */
	unsigned dtls_timer_ms;		/* initial DTLS retransmission timer,
					   default 1000 (RFC 6347) */
	unsigned max_handshakes;	/* server: in progress at once (0: 64) */
	bool allow_renegotiation_probe;	/* server: accept the exporter's
					   abbreviated renegotiation probe */
};

#define IPFIX_CHAN_DER_MAX	4096	/* largest peer certificate kept */

/* What a session knows of its peer once the handshake is done. */
struct ipfix_chan_identity {
	char subject[256];		/* certificate subject, "" if none */
	char sans[512];			/* subjectAltNames, comma separated */
	char psk_identity[128];		/* PSK identity, "" if none */
	char cipher[64];		/* negotiated suite, "" when plain */
	char version[16];		/* "TLSv1.3", "DTLSv1.2", "" */
	bool resumed;			/* session resumption was used */
	bool verified;			/* peer authenticated */
	/* The peer's certificate in DER (RFC 5655 exporterCertificate);
	 * der_len 0 when there is none or it does not fit. */
	uint8_t der[IPFIX_CHAN_DER_MAX];
	size_t der_len;
};

/* "subject=..." (RFC 2253) of a DER certificate, as the collector names
 * an authenticated session; "" when it does not parse. */
void ipfix_cert_subject(const uint8_t *der, size_t len, char *out,
    size_t cap);

enum ipfix_chan_state {
	IPFIX_CHAN_CONNECTING,	/* transport or handshake in progress */
	IPFIX_CHAN_UP,		/* messages can be sent */
	IPFIX_CHAN_CLOSING,	/* shutdown sent, draining */
	IPFIX_CHAN_CLOSED,	/* done (orderly) */
	IPFIX_CHAN_FAILED,	/* error; see the err of the failing call */
};

struct ipfix_sec_ctx;		/* OpenSSL context; built once per tool run */
struct ipfix_chan;

/*
 * Security context for a client (exporter) or server (collector) of the
 * scheme's kind (datagram for dtls/dtls-sctp, stream for tls). NULL with
 * err naming the file or option at fault (unreadable certificate, key
 * not matching it, bad PSK file...).
 */
struct ipfix_sec_ctx *ipfix_sec_ctx_new(const struct ipfix_sec_config *cfg,
    bool server, enum ipfix_scheme scheme, struct ipfix_err *err);
void ipfix_sec_ctx_free(struct ipfix_sec_ctx *c);

/* Client side --------------------------------------------------------- */

/*
 * Open a new Transport Session to ep (a fresh source port or association
 * each time, C92); sec is NULL for plain schemes. The session starts
 * CONNECTING; service it until UP. A session handed to the same sec
 * context again resumes the previous session when it can (C93).
 */
struct ipfix_chan *ipfix_chan_connect(const struct ipfix_endpoint *ep,
    const struct ipfix_topts *topts, struct ipfix_sec_ctx *sec,
    struct ipfix_err *err);

/* Drive handshake, flushing and timers; returns the state afterwards
 * (IPFIX_CHAN_FAILED with err set). Call when the fd is ready in
 * ipfix_chan_events, or the timeout expired. */
enum ipfix_chan_state ipfix_chan_service(struct ipfix_chan *c,
    struct ipfix_err *err);
enum ipfix_chan_state ipfix_chan_state(const struct ipfix_chan *c);
/* A client whose (D)TLS handshake has not finished: which answer of the
 * peer is missing and what that usually means (GnuTLS and DTLS peers
 * refuse some handshakes without an alert), or NULL. Static text. */
const char *ipfix_chan_stalled(const struct ipfix_chan *c);
int ipfix_chan_fd(const struct ipfix_chan *c);
int ipfix_chan_events(const struct ipfix_chan *c);	/* EV_READ|EV_WRITE */
/* ms until ipfix_chan_service must run, -1 for none. */
long ipfix_chan_timeout_ms(const struct ipfix_chan *c);

/*
 * Send one whole IPFIX message of at most ipfix_chan_max_msg bytes as one
 * datagram / record / SCTP user message: IPFIX_T_OK, IPFIX_T_AGAIN (not
 * taken: retry after service) or IPFIX_T_ERR. how may be NULL. With
 * how->more, the message may wait for the next send, a service call or
 * the shutdown: TCP and TLS then write several in one system call, and
 * DTLS puts several records in one datagram (RFC 6347 §4.1.1).
 */
int ipfix_chan_send(struct ipfix_chan *c, const uint8_t *msg, size_t len,
    const struct ipfix_tsend *how, struct ipfix_err *err);
/* The largest message one send carries: UDP path MTU less headers, DTLS
 * data MTU capped at 16384 (C87, C97), 65535 on TCP/TLS/SCTP. */
size_t ipfix_chan_max_msg(const struct ipfix_chan *c);
/* Messages the peer sent (clients read too, so ICMP errors and closes are
 * seen): IPFIX_T_OK, AGAIN, EOF, ERR. */
int ipfix_chan_recv(struct ipfix_chan *c, struct ipfix_tmsg *m,
    struct ipfix_err *err);
/* Orderly end: flush, close_notify, drain what the peer still sends (TLS
 * 1.3 tickets) so the close does not turn into a reset that loses the
 * peer's unread data. Service until CLOSED. */
int ipfix_chan_shutdown(struct ipfix_chan *c, struct ipfix_err *err);
/* Client sessions only (NULL is fine): a listener frees its own. */
void ipfix_chan_free(struct ipfix_chan *c);

/*
 * Liveness probe (client DTLS/UDP sessions that are up): an abbreviated
 * renegotiation, which only a peer holding this session's keys can answer,
 * retransmitted on a short fixed timer (IPFIX_CHAN_PROBE_TIMER_MS, at most
 * 12 times) instead of the handshake's doubling one. While it is pending,
 * sends return AGAIN. Unanswered, the session FAILS ("probe unanswered");
 * refused by the peer (no_renegotiation), it fails too, and probe_state
 * says REFUSED. -1 with err (IPFIX_E_USAGE) when the kind cannot probe.
 */
#define IPFIX_CHAN_PROBE_TIMER_MS	80
enum ipfix_chan_probe {
	IPFIX_PROBE_IDLE,	/* none pending; the last one (if any) answered */
	IPFIX_PROBE_PENDING,
	IPFIX_PROBE_REFUSED,	/* the peer refused renegotiation */
};
int ipfix_chan_probe(struct ipfix_chan *c, struct ipfix_err *err);
enum ipfix_chan_probe ipfix_chan_probe_state(const struct ipfix_chan *c);
/* Probes answered on this session. */
uint64_t ipfix_chan_probes_answered(const struct ipfix_chan *c);

const struct ipfix_chan_identity *ipfix_chan_identity(
    const struct ipfix_chan *c);
/* Local and peer transport addresses. */
const struct ipfix_tpeer *ipfix_chan_local(const struct ipfix_chan *c);
const struct ipfix_tpeer *ipfix_chan_peer(const struct ipfix_chan *c);
enum ipfix_scheme ipfix_chan_scheme(const struct ipfix_chan *c);

/* Delivery accounting (chan_acct.c) ------------------------------------ */
/* Byte-stream kinds (TCP, TLS): *pos is the stream offset just past the
 * last message sent (its records still held here included), so that a
 * message maps to the wire bytes the peer must acknowledge. false for
 * message kinds (UDP, DTLS, SCTP). */
bool ipfix_chan_tx_pos(const struct ipfix_chan *c, uint64_t *pos);
/* What the peer's kernel acknowledged of the stream (TCP_INFO), also
 * after a reset; -1 when unknown. Not what its application read. */
int ipfix_chan_acked(const struct ipfix_chan *c, uint64_t *acked);
/* The fatal alert the peer sent, -1 for none. */
int ipfix_chan_peer_alert(const struct ipfix_chan *c);
/* The peer refused us with an authentication alert (certificate, PSK,
 * access): retrying cannot mend that. */
bool ipfix_chan_refused(const struct ipfix_chan *c);

/* Server side --------------------------------------------------------- */

struct ipfix_chan_listener;

/*
 * Admission and timeouts of every listener kind. A UDP peer gets a session
 * only with a datagram that starts with a whole IPFIX message header (or
 * a compressed frame's), a DTLS peer only after its cookie verified. At
 * max_sessions the least recently active session idle for at least a
 * second is evicted for the newcomer; when there is none the newcomer is
 * refused. Secured listeners take at most the context's max_handshakes
 * in progress, and at most a quarter of them (at least one) from one
 * source address.
 */
struct ipfix_listen_limits {
	unsigned max_sessions;		/* at once (0: 1024) */
	unsigned idle_timeout_ms;	/* any session: end after this much
					   silence (0: 600 s) */
	unsigned first_msg_ms;		/* any session: end when no message
					   came this long after the peer
					   appeared (0: 60 s) */
};

/* Events a listener reports from ipfix_chan_listener_service. */
struct ipfix_listen_ops {
	/* A new Transport Session is up (handshake done for secured ones). */
	void (*on_open)(void *arg, struct ipfix_chan *c);
	/* One message of session c (data valid during the call only). */
	void (*on_message)(void *arg, struct ipfix_chan *c,
	    const struct ipfix_tmsg *m);
	/* Session c ended (orderly when err is NULL); c is freed after. */
	void (*on_close)(void *arg, struct ipfix_chan *c,
	    const struct ipfix_err *err);
	/* Something refused before a session existed (failed handshake,
	 * bad cookie flood, plaintext on a secure port...), with the peer. */
	void (*on_refused)(void *arg, const struct ipfix_tpeer *peer,
	    const struct ipfix_err *err);
};

/*
 * Listen on ep. UDP: one socket; sessions keyed by the peer's address
 * and port; DTLS: stateless cookies first (C81), one SSL per peer, the RFC
 * 6347 §4.2.8 rule for a new ClientHello from a known peer (C89). TCP/TLS:
 * one session per connection. SCTP: one per association. The listener
 * registers its own descriptors and timers in ev and calls ops from there;
 * a misbehaving peer never fails the listener (it is refused or closed).
 */
struct ipfix_chan_listener *ipfix_chan_listen(const struct ipfix_endpoint *ep,
    const struct ipfix_topts *topts, struct ipfix_sec_ctx *sec,
    const struct ipfix_listen_limits *lim, struct ev_loop *ev,
    const struct ipfix_listen_ops *ops, void *arg, struct ipfix_err *err);
/* End session c now (a peer that broke the rules): on_close follows. */
void ipfix_chan_listener_drop(struct ipfix_chan_listener *l,
    struct ipfix_chan *c);
/* Counters: sessions open, handshakes in progress, refused, cookies. */
struct ipfix_listen_stats {
	uint64_t sessions_opened, sessions_open, handshakes_pending;
	uint64_t refused, cookies_sent, cookies_bad;
	uint64_t evicted;		/* ended for a newcomer (table full) */
	uint64_t timed_out;		/* ended: idle, or no first message */
	uint64_t not_ipfix;		/* UDP datagrams of unknown peers
					   refused: no IPFIX header */
};
/* True when data starts like an IPFIX message (or a compressed frame) of
 * exactly len bytes: what a UDP peer must send to get a session. */
bool ipfix_chan_admit_udp(const uint8_t *data, size_t len);
void ipfix_chan_listener_stats(const struct ipfix_chan_listener *l,
    struct ipfix_listen_stats *st);
/* The listener's own address (the port it got when ep asked for 0). */
const struct ipfix_tpeer *ipfix_chan_listener_local(
    const struct ipfix_chan_listener *l);
/* Close every session (on_close for each) and the socket; free. Not from
 * inside one of the listener's own callbacks. */
void ipfix_chan_listener_free(struct ipfix_chan_listener *l);

/* Per-session user data for the collector. */
void ipfix_chan_set_data(struct ipfix_chan *c, void *data);
void *ipfix_chan_data(const struct ipfix_chan *c);

#endif
