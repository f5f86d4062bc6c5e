/*
 * transport: one interface over UDP, TCP, kernel SCTP and SCTP over UDP
 * (usrsctp) (layer 3; uses endpoint, err, cursor): connect/listen/accept,
 * send and receive one message, peer identity, MTU; raw bytes and the
 * framer on TCP for TLS. Non-blocking; nothing here sleeps or prints.
 */

/*
 * Shape: a message is a UDP datagram, an SCTP user message (with its
 * stream) or an IPFIX message framed out of the TCP byte stream by its
 * Length field. DTLS's datagram BIO sits on send/recv ("datagram in,
 * datagram out", the peer given per message on listeners); TLS sits on
 * read/write and frames its plaintext with ipfix_framer. Each transport
 * fills a struct ipfix_transport_ops; callers use the functions below.
 */
#ifndef IPFIX_TRANSPORT_H
#define IPFIX_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "endpoint.h"
#include "err.h"

/* Results of the calls below that can wait. */
#define IPFIX_T_ERR	(-1)	/* err is set; the transport is unusable
				   unless err says otherwise */
#define IPFIX_T_AGAIN	0	/* nothing now: wait for the fd */
#define IPFIX_T_OK	1
#define IPFIX_T_EOF	2	/* the peer closed in order */

#define IPFIX_MSG_MAX		65535	/* the IPFIX Length field's limit */
#define IPFIX_SCTP_UDP_PORT	9899	/* RFC 6951 §5.1 */

/* Who a message came from or goes to. */
struct ipfix_tpeer {
	struct sockaddr_storage addr;	/* IP address and port; for usrsctp
					   the UDP encapsulation address */
	socklen_t addrlen;		/* 0 = unknown / connected peer */
	uint32_t assoc;			/* SCTP association id on a
					   one-to-many listener, else 0 */
};

enum ipfix_tevent {
	IPFIX_TEV_NONE,		/* a message */
	IPFIX_TEV_UP,		/* an SCTP association came up */
	IPFIX_TEV_DOWN,		/* an SCTP association ended */
};

/* One received message; data points into the transport and stays valid
 * until the next recv or close on it. */
struct ipfix_tmsg {
	const uint8_t *data;
	size_t len;
	struct ipfix_tpeer peer;
	uint16_t stream;	/* SCTP stream, else 0 */
	bool unordered;		/* SCTP unordered delivery */
	enum ipfix_tevent event;	/* != NONE: no data, an event of peer */
};

/* How to send one message (NULL means: defaults, connected peer). */
struct ipfix_tsend {
	const struct ipfix_tpeer *peer;	/* listeners: the destination */
	uint16_t stream;		/* SCTP stream */
	bool unordered;
	int pr_rtx;	/* >= 0: PR-SCTP, abandon after this many
			   retransmissions (RTX policy); -1 fully reliable.
			   Only for data-only messages (C70). */
	bool more;	/* more messages follow at once: the transport may
			   hold this one (to write several in one system
			   call) until a send without it, a flush or a
			   service call */
};

/* Options; zero means default everywhere. */
struct ipfix_topts {
	bool sctp_udp;		/* SCTP over UDP encapsulation (usrsctp) */
	uint16_t encap_port;	/* its UDP port: listener binds it, client
				   sends to it (default 9899). Kernel SCTP
				   client: the peer's UDP port for RFC 6951
				   (needs sysctl net.sctp.udp_port), 0 off */
	uint16_t streams;	/* SCTP outbound streams (default 16) */
	uint32_t sctp_mtu;	/* usrsctp path MTU (default 1500 minus
				   IP and UDP headers) */
	size_t sndq_max;	/* TCP: bytes queued for sending (1 MiB) */
	int rcvbuf;		/* SO_RCVBUF wish in bytes, 0 = system */
	int sndbuf;		/* SO_SNDBUF wish in bytes, 0 = system */
	size_t dgram_max;	/* UDP client: cap on a datagram's payload
				   whatever the path MTU (DTLS records and
				   their packing follow it), 0 = none */
	uint16_t max_peers;	/* usrsctp listener: peers (default 1024) */
	bool sctp_auth;		/* SCTP-AUTH (RFC 4895) on DATA and
				   FORWARD-TSN chunks, as DTLS/SCTP needs
				   (C99); kernel: net.sctp.auth_enable=1 */
};

/* SCTP-AUTH key operations (ipfix_transport_sctp_auth). */
enum ipfix_tauth_op {
	IPFIX_AUTH_SET_KEY,	/* install key number keynum */
	IPFIX_AUTH_ACTIVATE,	/* send with keynum from now on */
	IPFIX_AUTH_DELETE,	/* forget keynum (not the active one) */
};

struct ipfix_transport;

/* The vtable each transport fills. NULL entries are "not supported". */
struct ipfix_transport_ops {
	const char *name;
	int (*accept)(struct ipfix_transport *, struct ipfix_transport **,
	    struct ipfix_err *);
	int (*send)(struct ipfix_transport *, const void *, size_t,
	    const struct ipfix_tsend *, struct ipfix_err *);
	int (*flush)(struct ipfix_transport *, struct ipfix_err *);
	int (*recv)(struct ipfix_transport *, struct ipfix_tmsg *,
	    struct ipfix_err *);
	int (*read)(struct ipfix_transport *, void *, size_t, size_t *,
	    struct ipfix_err *);
	int (*write)(struct ipfix_transport *, const void *, size_t, size_t *,
	    struct ipfix_err *);
	int (*mtu)(struct ipfix_transport *, size_t *, struct ipfix_err *);
	int (*shutdown)(struct ipfix_transport *, struct ipfix_err *);
	bool (*want_write)(struct ipfix_transport *);
	int (*timeout)(struct ipfix_transport *);
	int (*service)(struct ipfix_transport *, struct ipfix_err *);
	int (*auth)(struct ipfix_transport *, enum ipfix_tauth_op, uint32_t,
	    uint16_t, const uint8_t *, size_t, struct ipfix_err *);
	void (*free)(struct ipfix_transport *);
};

/* The common part; each transport embeds it first. Read-only to users. */
struct ipfix_transport {
	const struct ipfix_transport_ops *ops;
	enum ipfix_tproto proto;
	bool listener;
	bool bytestream;	/* TCP: read/write are raw bytes */
	int fd;			/* poll it for EV_READ; -1 while another
				   transport's fd drives this one */
	struct ipfix_tpeer local;
	struct ipfix_tpeer peer;	/* connected peer, addrlen 0 if none */
	uint64_t tx_taken;	/* TCP: bytes taken for sending so far (the
				   stream offset of the next byte) */
};

/*
 * Connect to ep (client side); the caller owns the result and frees it
 * with ipfix_transport_close. Non-blocking: TCP and SCTP may still be
 * connecting; ipfix_transport_want_write is then true and send/flush
 * report a refused connection. The scheme picks the transport (dtls ->
 * UDP, tls -> TCP, dtls-sctp -> SCTP); o may be NULL. NULL with err on
 * failure. Kernel SCTP missing: err names --sctp-udp-encap.
 */
struct ipfix_transport *ipfix_transport_connect(
    const struct ipfix_endpoint *ep, const struct ipfix_topts *o,
    struct ipfix_err *err) __attribute__((warn_unused_result));

/*
 * Listen on ep (owned like a connected one). UDP: one unconnected
 * socket, recv gives each datagram's peer and send needs how->peer. TCP:
 * accept gives one transport per connection. SCTP (both kinds): one
 * one-to-many socket, recv gives messages and association events with
 * peer.assoc, send needs how->peer.
 * An empty host listens on [::] with IPv4 mapped in (peers then show as
 * ::ffff:a.b.c.d), or on 0.0.0.0 where IPv6 is missing. usrsctp: every
 * peer shares the listener's fd; poll it and call service on its timeout.
 */
struct ipfix_transport *ipfix_transport_listen(
    const struct ipfix_endpoint *ep, const struct ipfix_topts *o,
    struct ipfix_err *err) __attribute__((warn_unused_result));

/* Accept one connection (TCP): IPFIX_T_OK with *out (caller frees),
 * IPFIX_T_AGAIN, or IPFIX_T_ERR. */
int ipfix_transport_accept(struct ipfix_transport *l,
    struct ipfix_transport **out, struct ipfix_err *err);

/*
 * Send one whole message (len <= IPFIX_MSG_MAX). IPFIX_T_OK: taken (TCP
 * may still hold it in its bounded queue: flush when writable);
 * IPFIX_T_AGAIN: not taken, retry when writable (usrsctp: after the next
 * recv or service, since its UDP socket is always writable and room comes
 * with the peer's acknowledgements); IPFIX_T_ERR: err (EMSGSIZE is
 * IPFIX_E_LIMIT, a refused port (ICMP) IPFIX_E_NET).
 */
int ipfix_transport_send(struct ipfix_transport *t, const void *msg,
    size_t len, const struct ipfix_tsend *how, struct ipfix_err *err);

/* Write out what is queued: IPFIX_T_OK when empty, else AGAIN or ERR. */
int ipfix_transport_flush(struct ipfix_transport *t, struct ipfix_err *err);

/* True while a connect is pending or output is queued: watch EV_WRITE. */
bool ipfix_transport_want_write(struct ipfix_transport *t);

/*
 * Receive one message into *m: IPFIX_T_OK, IPFIX_T_AGAIN, IPFIX_T_EOF or
 * IPFIX_T_ERR. A connected UDP socket reports the ICMP errors of earlier
 * sends here (IPFIX_E_NET, "connection refused"), so keep reading it.
 * TCP: a header that is not IPFIX (version, length < 16) is IPFIX_T_ERR
 * with IPFIX_E_VERSION/IPFIX_E_LENGTH and the stream offset (C68): the
 * caller closes the connection.
 */
int ipfix_transport_recv(struct ipfix_transport *t, struct ipfix_tmsg *m,
    struct ipfix_err *err);

/* Raw bytes (TCP only, for TLS): *n bytes done; OK, AGAIN, EOF, ERR. */
int ipfix_transport_read(struct ipfix_transport *t, void *buf, size_t cap,
    size_t *n, struct ipfix_err *err);
/* TCP: the bytes of the stream the peer's kernel acknowledged so far
 * (TCP_INFO), still readable after a reset; -1 when the kernel does not
 * tell (other transports, an old kernel). Acknowledged means received by
 * the peer's TCP, not read by its application. */
int ipfix_transport_acked(const struct ipfix_transport *t, uint64_t *acked);
int ipfix_transport_write(struct ipfix_transport *t, const void *buf,
    size_t len, size_t *n, struct ipfix_err *err);

/* Largest message that leaves in one packet without IP fragmentation
 * (UDP: path MTU minus IP and UDP headers) or at all (TCP, SCTP: 65535). */
int ipfix_transport_mtu(struct ipfix_transport *t, size_t *mtu,
    struct ipfix_err *err);

/* Orderly close of the sending side after flushing: OK, AGAIN (flush
 * pending: call again when writable), ERR. Then read until EOF. */
int ipfix_transport_shutdown(struct ipfix_transport *t,
    struct ipfix_err *err);

/* Transports with their own timers (usrsctp): ms until
 * ipfix_transport_service must run, -1 if never. */
int ipfix_transport_timeout(struct ipfix_transport *t);
int ipfix_transport_service(struct ipfix_transport *t, struct ipfix_err *err);

/*
 * SCTP-AUTH keys (SCTP transports opened with o->sctp_auth): op on key
 * keynum of association assoc (peer.assoc on a listener, 0 for its future
 * associations; ignored on a client). key and len are for SET_KEY only.
 * RFC 6083 §4.8: key 0 is the empty key until the DTLS handshake gives
 * the exporter key, installed as 1 and activated. 0, or -1 with err.
 */
int ipfix_transport_sctp_auth(struct ipfix_transport *t,
    enum ipfix_tauth_op op, uint32_t assoc, uint16_t keynum,
    const uint8_t *key, size_t len, struct ipfix_err *err);

/* Close and free (NULL is fine). */
void ipfix_transport_close(struct ipfix_transport *t);

/* "udp", "tcp", "sctp", "sctp-udp". */
const char *ipfix_transport_name(const struct ipfix_transport *t);

/* --- IPFIX framing of a byte stream (TCP, and TLS plaintext) ------------ */

/*
 * A bounded reassembly buffer: feed bytes, take whole messages by the
 * header's Length field. Holds at most 2 * IPFIX_MSG_MAX bytes, owned by
 * the framer from init to free (free is safe twice).
 */
struct ipfix_framer {
	uint8_t *buf;
	size_t start, end, cap;
	size_t taken;		/* length of the message last returned */
	uint64_t offset;	/* stream offset of buf[start] */
};

int ipfix_framer_init(struct ipfix_framer *f, struct ipfix_err *err);
void ipfix_framer_free(struct ipfix_framer *f);
/* Where to write new bytes (*room of them); after writing n, call
 * ipfix_framer_fill(f, n). Drops the last returned message first. */
uint8_t *ipfix_framer_space(struct ipfix_framer *f, size_t *room);
void ipfix_framer_fill(struct ipfix_framer *f, size_t n);
/* One whole message: 1 with *msg and *len (valid until the next space/next
 * call), 0 when more bytes are needed, -1 with err when the header is not
 * IPFIX (version != 10 or Length < 16). */
int ipfix_framer_next(struct ipfix_framer *f, const uint8_t **msg,
    size_t *len, struct ipfix_err *err);
/* Bytes held that do not yet form a message. */
size_t ipfix_framer_pending(const struct ipfix_framer *f);

/* --- backends (called through the functions above; o may be NULL) ------ */

struct ipfix_transport *ipfix_udp_open(const struct ipfix_addr *a,
    bool listen, const struct ipfix_topts *o, struct ipfix_err *err);
struct ipfix_transport *ipfix_tcp_open(const struct ipfix_addr *a,
    bool listen, const struct ipfix_topts *o, struct ipfix_err *err);
struct ipfix_transport *ipfix_sctp_open(const struct ipfix_addr *a,
    bool listen, const struct ipfix_topts *o, struct ipfix_err *err);
struct ipfix_transport *ipfix_sctp_udp_open(const struct ipfix_addr *a,
    bool listen, const struct ipfix_topts *o, struct ipfix_err *err);

/* Helpers shared by the backends: a non-blocking socket for a's family,
 * bound to a when listen; connect it (EINPROGRESS is success). */
int ipfix_tsock(const struct ipfix_addr *a, int type, int proto, bool listen,
    const struct ipfix_topts *o, struct ipfix_err *err);
int ipfix_tsock_connect(int fd, const struct ipfix_addr *a,
    struct ipfix_err *err);
void ipfix_tpeer_set(struct ipfix_tpeer *p, const struct sockaddr *sa,
    socklen_t len);
void ipfix_tsock_names(int fd, struct ipfix_transport *t);

#endif
