/*
 * capture_ipfix: IPFIX messages out of a capture. A frame is parsed with
 * pkt_parse; a UDP payload that starts with a plausible IPFIX header is
 * split into messages; a TCP connection is reassembled in order into a
 * bounded buffer and framed by the message length (RFC 7011 §10.4.3).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "capture_ipfix.h"
#include "cursor.h"
#include "nfv9.h"
#include "packet.h"
#include "pcap_in.h"

#define HDR_LEN		16
#define HASH_SIZE	(1u << 17)	/* > 2 * CAPTURE_MAX_SESSIONS */
#define PCAP_FILE_HDR	24
#define PCAP_REC_HDR	16

/* One TCP connection (one direction) being reassembled. */
struct cap_tcp {
	bool used;
	bool confirmed;		/* first data looked like IPFIX */
	struct ipfix_session_info key;	/* session 0 until a message */
	uint32_t next_seq;
	uint8_t *buf;		/* CAPTURE_TCP_BUF, allocated on first use */
	size_t len;
	size_t consume;		/* bytes handed out, dropped next call */
	uint64_t last_frame;	/* for eviction */
};

struct capture_ipfix {
	struct pcap_in *in;
	uint16_t port;
	int dlt;
	struct ipfix_session_info *sess;	/* [0] is session 1 */
	size_t nsess, capsess;
	uint32_t *hash;		/* session ids, 0 = empty */
	struct cap_tcp *tcp;	/* CAPTURE_MAX_TCP */
	struct pcap_frame fr;
	struct pkt_info pi;
	size_t udp_off;		/* next message in the current UDP payload */
	bool udp_pending;
	struct cap_tcp *tcp_cur;	/* connection with messages ready */
	uint64_t frame_off;	/* pcap: offset of the current frame */
	uint64_t next_off;
	uint64_t msgs, not_ipfix, nf5, nf9;
	bool end_reported;
	struct ipfix_nfv9 *v9;	/* NetFlow v9 to IPFIX, made when needed */
};

/* ---- sessions ---------------------------------------------------- */

static void
cap_key(const struct pkt_info *pi, struct ipfix_session_info *k)
{
	memset(k, 0, sizeof(*k));
	k->proto = pi->proto;
	k->family = pi->ip_version == 4 ? AF_INET : AF_INET6;
	memcpy(k->src, pi->src, sizeof(k->src));
	memcpy(k->dst, pi->dst, sizeof(k->dst));
	k->sport = pi->sport;
	k->dport = pi->dport;
}

static bool
cap_same(const struct ipfix_session_info *a,
    const struct ipfix_session_info *b)
{
	return a->proto == b->proto && a->family == b->family &&
	    a->sport == b->sport && a->dport == b->dport &&
	    memcmp(a->src, b->src, sizeof(a->src)) == 0 &&
	    memcmp(a->dst, b->dst, sizeof(a->dst)) == 0;
}

static uint32_t
cap_hash(const struct ipfix_session_info *k)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < 16; i++)
		h = (h ^ k->src[i]) * 16777619u;
	for (i = 0; i < 16; i++)
		h = (h ^ k->dst[i]) * 16777619u;
	h = (h ^ k->sport) * 16777619u;
	h = (h ^ k->dport) * 16777619u;
	h = (h ^ (uint32_t)k->proto) * 16777619u;
	return h;
}

static int
cap_grow(struct capture_ipfix *c, struct ipfix_err *err)
{
	struct ipfix_session_info *n;
	size_t cap = c->capsess ? c->capsess * 2 : 16;

	if (c->nsess >= CAPTURE_MAX_SESSIONS)
		return ipfix_err_set(err, IPFIX_E_LIMIT, c->frame_off, NULL,
		    "more than %d sessions in the capture",
		    CAPTURE_MAX_SESSIONS);
	if ((n = realloc(c->sess, cap * sizeof(*n))) == NULL)
		return ipfix_err_sys(err, IPFIX_E_NOMEM, "sessions");
	c->sess = n;
	c->capsess = cap;
	return 0;
}

/* Session id of key k, created (in first-seen order) if new; 0 on error */
static uint32_t
cap_session(struct capture_ipfix *c, const struct ipfix_session_info *k,
    struct ipfix_err *err)
{
	uint32_t i = cap_hash(k) & (HASH_SIZE - 1), id;

	while ((id = c->hash[i]) != 0) {
		if (cap_same(&c->sess[id - 1], k))
			return id;
		i = (i + 1) & (HASH_SIZE - 1);
	}
	if (c->nsess == c->capsess && cap_grow(c, err) == -1)
		return 0;
	id = (uint32_t)++c->nsess;
	c->sess[id - 1] = *k;
	c->sess[id - 1].session = id;
	c->hash[i] = id;
	return id;
}

/* ---- messages out ------------------------------------------------ */

static void
cap_meta(const struct capture_ipfix *c, uint32_t session,
    struct ipfix_msg_meta *meta)
{
	meta->offset = c->frame_off;
	meta->session = session;
	meta->packet = c->fr.number;
	meta->ts_sec = c->fr.ts_sec;
	meta->ts_nsec = c->fr.ts_nsec;
}

/* A plausible IPFIX header at p: its length, else 0. */
static size_t
cap_hdr_len(const uint8_t *p, size_t n)
{
	size_t len;

	if (n < 4 || p[0] != 0 || p[1] != 10)
		return 0;
	len = ipfix_be16(p + 2);
	return len >= HDR_LEN ? len : 0;
}

/* NetFlow v5: 24-byte header, 1..30 records of 48 bytes. */
static bool
cap_is_nf5(const uint8_t *p, size_t n)
{
	size_t count;

	if (n < 24 || p[0] != 0 || p[1] != 5)
		return false;
	count = ipfix_be16(p + 2);
	return count >= 1 && count <= 30 && n >= 24 + 48 * count;
}

/* NetFlow v9: 20-byte header, then a FlowSet (id 0, 1 or >= 256) whose
 * length fits the payload. */
static bool
cap_is_nf9(const uint8_t *p, size_t n)
{
	uint16_t id, len;

	if (n < 24 || p[0] != 0 || p[1] != 9)
		return false;
	id = ipfix_be16(p + 20);
	len = ipfix_be16(p + 22);
	return (id <= 1 || id >= 256) && len >= 4 && len <= n - 20;
}

static void
cap_count_other(struct capture_ipfix *c, const uint8_t *p, size_t n)
{
	if (cap_is_nf9(p, n))
		c->nf9++;
	else if (cap_is_nf5(p, n))
		c->nf5++;
	else
		c->not_ipfix++;
}

/* A NetFlow v9 payload, as the IPFIX message it converts to: 1 or -1. */
static int
cap_udp_v9(struct capture_ipfix *c, const uint8_t **msg, size_t *len,
    struct ipfix_msg_meta *meta, struct ipfix_err *err)
{
	const struct pkt_info *pi = &c->pi;
	struct ipfix_session_info k;
	uint32_t id;

	c->nf9++;
	c->udp_off = pi->payload_len;	/* one packet per datagram */
	if (pi->payload_len < pi->payload_wire_len)
		return ipfix_err_set(err, IPFIX_E_TRUNCATED, c->frame_off,
		    NULL, "frame %llu: NetFlow v9 packet cut by the capture "
		    "(%zu of %zu bytes)", (unsigned long long)c->fr.number,
		    pi->payload_len, pi->payload_wire_len);
	if (c->v9 == NULL && (c->v9 = ipfix_nfv9_new()) == NULL)
		return ipfix_err_sys(err, IPFIX_E_NOMEM, "NetFlow v9");
	cap_key(pi, &k);
	if ((id = cap_session(c, &k, err)) == 0 ||
	    ipfix_nfv9_convert(c->v9, id, pi->payload, pi->payload_len,
	    c->frame_off, msg, len, NULL, err) == -1)
		return -1;
	cap_meta(c, id, meta);
	c->msgs++;
	return 1;
}

/* Next message of the current UDP payload: 1, 0 (payload done), -1. */
static int
cap_udp_next(struct capture_ipfix *c, const uint8_t **msg, size_t *len,
    struct ipfix_msg_meta *meta, struct ipfix_err *err)
{
	const struct pkt_info *pi = &c->pi;
	size_t off = c->udp_off, rem = pi->payload_len - off, mlen;
	struct ipfix_session_info k;
	uint32_t id;

	if (rem == 0)
		return 0;
	mlen = cap_hdr_len(pi->payload + off, rem);
	if (off == 0 && mlen == 0 && cap_is_nf9(pi->payload, rem))
		return cap_udp_v9(c, msg, len, meta, err);
	if (mlen == 0 || mlen > pi->payload_wire_len - off) {
		if (off == 0) {
			cap_count_other(c, pi->payload, rem);
			return 0;
		}
		return ipfix_err_set(err, IPFIX_E_LENGTH, c->frame_off, NULL,
		    "frame %llu: %zu bytes after the last IPFIX message of "
		    "the UDP payload", (unsigned long long)c->fr.number, rem);
	}
	if (mlen > rem)
		return ipfix_err_set(err, IPFIX_E_TRUNCATED, c->frame_off,
		    NULL, "frame %llu: IPFIX message cut by the capture "
		    "(%zu of %zu bytes)", (unsigned long long)c->fr.number,
		    rem, mlen);
	cap_key(pi, &k);
	if ((id = cap_session(c, &k, err)) == 0)
		return -1;
	*msg = pi->payload + off;
	*len = mlen;
	cap_meta(c, id, meta);
	c->udp_off += mlen;
	c->msgs++;
	return 1;
}

/* ---- TCP --------------------------------------------------------- */

static void
tcp_release(struct cap_tcp *t)
{
	uint8_t *buf = t->buf;

	memset(t, 0, sizeof(*t));
	t->buf = buf;		/* kept for the next connection */
}

static struct cap_tcp *
tcp_find(struct capture_ipfix *c, const struct ipfix_session_info *k,
    bool create)
{
	struct cap_tcp *t, *lru = NULL;
	size_t i;

	for (i = 0; i < CAPTURE_MAX_TCP; i++) {
		t = &c->tcp[i];
		if (t->used && cap_same(&t->key, k))
			return t;
		if (lru == NULL || !t->used ||
		    (lru->used && t->last_frame < lru->last_frame))
			lru = t;
	}
	if (!create)
		return NULL;
	/* the least recently seen connection gives way: bounded memory */
	tcp_release(lru);
	lru->used = true;
	lru->key = *k;
	return lru;
}

static int
tcp_lost(struct capture_ipfix *c, struct cap_tcp *t, const char *what,
    struct ipfix_err *err)
{
	uint32_t s = t->key.session;

	tcp_release(t);
	return ipfix_err_set(err, IPFIX_E_TRUNCATED, c->frame_off, NULL,
	    "frame %llu: TCP session %u: %s; connection dropped until a "
	    "segment starts with a message", (unsigned long long)c->fr.number,
	    s, what);
}

static int
tcp_append(struct capture_ipfix *c, struct cap_tcp *t, const uint8_t *p,
    size_t n, struct ipfix_err *err)
{
	if (t->buf == NULL && (t->buf = malloc(CAPTURE_TCP_BUF)) == NULL)
		return ipfix_err_sys(err, IPFIX_E_NOMEM, "TCP buffer");
	if (n > CAPTURE_TCP_BUF - t->len)
		return tcp_lost(c, t, "reassembly buffer full", err);
	memcpy(t->buf + t->len, p, n);
	t->len += n;
	c->tcp_cur = t;
	return 0;
}

/* A data segment of a known connection, in sequence space order. */
static int
tcp_data(struct capture_ipfix *c, struct cap_tcp *t, struct ipfix_err *err)
{
	const struct pkt_info *pi = &c->pi;
	int32_t d = (int32_t)(pi->tcp_seq - t->next_seq);
	const uint8_t *p = pi->payload;
	size_t n = pi->payload_len;

	if (d > 0)
		return tcp_lost(c, t, "segment missing (gap in sequence)",
		    err);
	if ((size_t)-(int64_t)d >= n)
		return 0;		/* retransmission of old data */
	p += (size_t)-(int64_t)d;
	n -= (size_t)-(int64_t)d;
	t->next_seq += (uint32_t)n;
	if (pi->payload_len < pi->payload_wire_len)
		return tcp_lost(c, t, "segment cut by the capture", err);
	return tcp_append(c, t, p, n, err);
}

static int
tcp_segment(struct capture_ipfix *c, struct ipfix_err *err)
{
	const struct pkt_info *pi = &c->pi;
	struct ipfix_session_info k;
	struct cap_tcp *t;
	bool syn = (pi->tcp_flags & 0x02) != 0;

	cap_key(pi, &k);
	t = tcp_find(c, &k, syn);
	if (t != NULL)
		t->last_frame = c->fr.number;
	if (syn) {
		t->next_seq = pi->tcp_seq + 1;
		return 0;
	}
	if (pi->payload_len == 0)
		return 0;
	if (t == NULL || !t->confirmed) {
		if (cap_hdr_len(pi->payload, pi->payload_len) == 0) {
			if (t != NULL)
				tcp_release(t);
			cap_count_other(c, pi->payload, pi->payload_len);
			return 0;
		}
		if (t == NULL) {	/* joined mid-connection */
			t = tcp_find(c, &k, true);
			t->last_frame = c->fr.number;
			t->next_seq = pi->tcp_seq;
		}
		t->confirmed = true;
	}
	return tcp_data(c, t, err);
}

static int
tcp_next(struct capture_ipfix *c, const uint8_t **msg, size_t *len,
    struct ipfix_msg_meta *meta, struct ipfix_err *err)
{
	struct cap_tcp *t = c->tcp_cur;
	size_t mlen;

	if (t->consume > 0) {
		memmove(t->buf, t->buf + t->consume, t->len - t->consume);
		t->len -= t->consume;
		t->consume = 0;
	}
	if (t->len < 4)
		return 0;
	if ((mlen = cap_hdr_len(t->buf, t->len)) == 0)
		return tcp_lost(c, t, "stream lost IPFIX framing", err);
	if (t->len < mlen)
		return 0;	/* wait for more */
	if (t->key.session == 0 &&
	    (t->key.session = cap_session(c, &t->key, err)) == 0)
		return -1;
	*msg = t->buf;
	*len = mlen;
	t->consume = mlen;
	cap_meta(c, t->key.session, meta);
	c->msgs++;
	return 1;
}

/* ---- frames ------------------------------------------------------ */

/* Parse the frame just read; sets up UDP or TCP work, or counts it. */
static int
cap_frame(struct capture_ipfix *c, struct ipfix_err *err)
{
	struct pkt_info *pi = &c->pi;

	pkt_parse(c->dlt, c->fr.data, c->fr.caplen, c->fr.wirelen, NULL, pi);
	if (pi->level != PKT_TRANSPORT ||
	    (pi->proto != IPPROTO_UDP && pi->proto != IPPROTO_TCP))
		return 0;
	if (c->port != 0 && pi->sport != c->port && pi->dport != c->port)
		return 0;
	if (pi->proto == IPPROTO_TCP)
		return tcp_segment(c, err);
	c->udp_off = 0;
	c->udp_pending = pi->payload_len > 0;
	return 0;
}

/* A connection that ends inside a message: report it, once. */
static int
cap_tcp_leftover(struct capture_ipfix *c, struct ipfix_err *err)
{
	struct cap_tcp *t;
	size_t i, left;

	for (i = 0; i < CAPTURE_MAX_TCP; i++) {
		t = &c->tcp[i];
		if (!t->used || (left = t->len - t->consume) == 0)
			continue;
		ipfix_err_set(err, IPFIX_E_TRUNCATED, IPFIX_NO_OFFSET, NULL,
		    "TCP connection port %u -> %u: capture ends inside a "
		    "message (%zu bytes left)", t->key.sport, t->key.dport,
		    left);
		tcp_release(t);
		return -1;
	}
	return 0;
}

static int
cap_end(struct capture_ipfix *c, struct ipfix_err *err)
{
	if (cap_tcp_leftover(c, err) == -1)
		return -1;
	if (c->end_reported || c->msgs > 0)
		return 0;
	c->end_reported = true;
	if (c->nf9 + c->nf5 > 0 && c->nf9 + c->nf5 >= c->not_ipfix)
		return ipfix_err_set(err, IPFIX_E_FORMAT, IPFIX_NO_OFFSET, NULL,
		    "capture contains NetFlow %s (%llu packets), not IPFIX",
		    c->nf9 >= c->nf5 ? "v9" : "v5",
		    (unsigned long long)(c->nf9 >= c->nf5 ? c->nf9 : c->nf5));
	return ipfix_err_set(err, IPFIX_E_FORMAT, IPFIX_NO_OFFSET, NULL,
	    "no IPFIX message found in the capture (%llu frames)",
	    (unsigned long long)c->fr.number);
}

static int
cap_read_frame(struct capture_ipfix *c, struct ipfix_err *err)
{
	int rc;

	while ((rc = pcap_in_next(c->in, &c->fr, err)) == PCAP_IN_IDLE)
		continue;	/* captures are files here; live idles retry */
	if (rc != 1)
		return rc;
	if (pcap_in_is_pcapng(c->in)) {
		c->frame_off = pcap_in_position(c->in);
	} else {
		c->frame_off = c->next_off;
		c->next_off += PCAP_REC_HDR + c->fr.caplen;
	}
	return 1;
}

int
capture_ipfix_next(struct capture_ipfix *c, const uint8_t **msg,
    size_t *len, struct ipfix_msg_meta *meta, struct ipfix_err *err)
{
	int rc;

	for (;;) {
		if (c->udp_pending) {
			if ((rc = cap_udp_next(c, msg, len, meta, err)) == 1)
				return 1;
			c->udp_pending = false;
			if (rc != 0)
				return rc;
		}
		if (c->tcp_cur != NULL) {
			if ((rc = tcp_next(c, msg, len, meta, err)) == 1)
				return 1;
			c->tcp_cur = NULL;
			if (rc != 0)
				return rc;
		}
		if ((rc = cap_read_frame(c, err)) == 0)
			return cap_end(c, err);
		if (rc < 0)
			return -1;	/* cut final frame: 0 follows */
		if (cap_frame(c, err) == -1)
			return -1;
	}
}

/* ---- open/close -------------------------------------------------- */

struct capture_ipfix *
capture_ipfix_open(FILE *f, const uint8_t *peek, size_t npeek, uint16_t port,
    struct ipfix_err *err)
{
	struct capture_ipfix *c;
	struct pcap_in *in;

	if ((in = pcap_in_open_stream(f, peek, npeek, err)) == NULL)
		return NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->hash = calloc(HASH_SIZE, sizeof(*c->hash))) == NULL ||
	    (c->tcp = calloc(CAPTURE_MAX_TCP, sizeof(*c->tcp))) == NULL) {
		ipfix_err_sys(err, IPFIX_E_NOMEM, "capture reader");
		pcap_in_close(in);
		capture_ipfix_close(c);
		return NULL;
	}
	c->in = in;
	c->port = port;
	c->dlt = pcap_in_dlt(in);
	c->next_off = PCAP_FILE_HDR;
	if (!pkt_dlt_supported(c->dlt)) {
		ipfix_err_set(err, IPFIX_E_FORMAT, 0, NULL,
		    "capture link type %d is not supported", c->dlt);
		capture_ipfix_close(c);
		return NULL;
	}
	return c;
}

void
capture_ipfix_close(struct capture_ipfix *c)
{
	size_t i;

	if (c == NULL)
		return;
	pcap_in_close(c->in);
	for (i = 0; c->tcp != NULL && i < CAPTURE_MAX_TCP; i++)
		free(c->tcp[i].buf);
	free(c->tcp);
	free(c->hash);
	free(c->sess);
	ipfix_nfv9_free(c->v9);
	free(c);
}

bool
capture_ipfix_is_pcapng(const struct capture_ipfix *c)
{
	return pcap_in_is_pcapng(c->in);
}

uint64_t
capture_ipfix_position(const struct capture_ipfix *c)
{
	return pcap_in_position(c->in);
}

uint64_t
capture_ipfix_size(const struct capture_ipfix *c)
{
	return pcap_in_size(c->in);
}

const struct ipfix_session_info *
capture_ipfix_session(const struct capture_ipfix *c, uint32_t session)
{
	if (session == 0 || session > c->nsess)
		return NULL;
	return &c->sess[session - 1];
}

void
capture_ipfix_counts(const struct capture_ipfix *c, uint64_t *not_ipfix,
    uint64_t *netflow_v5, uint64_t *netflow_v9)
{
	*not_ipfix = c->not_ipfix;
	*netflow_v5 = c->nf5;
	*netflow_v9 = c->nf9;
}
