/*
 * chan_probe: what a debugging tool (dtls-probe) may ask of the secured
 * sessions of chan.h beyond what an exporter needs (layer 4, implemented
 * in tls_probe.c): the negotiated parameters and the peer's certificate
 * chain in detail, a trace of the handshake messages, what a client
 * offered in its ClientHello, a renegotiation on demand, and a session
 * kept in a file between runs. No OpenSSL type appears here.
 */
#ifndef IPFIX_CHAN_PROBE_H
#define IPFIX_CHAN_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chan.h"

#define IPFIX_CHAIN_MAX		4	/* certificates of a chain reported */

/* One certificate as `openssl x509 -noout -subject -issuer ...` shows it
 * (names in OpenSSL's one-line form, dates as "Jan  1 00:00:00 2020 GMT"). */
struct ipfix_cert_info {
	char subject[256];
	char issuer[256];
	char sans[512];			/* "DNS:a, IP:127.0.0.1" */
	char not_before[32], not_after[32];
	char key_type[16];		/* "EC", "RSA", "ED25519" */
	int key_bits;
	char sha256[96];		/* "AB:CD:..." */
};

/* A secured session's parameters once its handshake is done. */
struct ipfix_tls_info {
	char version[16];		/* "DTLSv1.2" */
	char cipher[64];		/* OpenSSL's name */
	char group[64];			/* key exchange group, "" if none */
	bool resumed;
	bool ticket;			/* the session has a ticket */
	bool secure_reneg;		/* RFC 5746 (TLS 1.3: false) */
	long verify_code;		/* X509_V_OK (0) or the failure */
	char verify_text[128];
	bool cert_asked;		/* client: the peer asked for ours */
	char ca_names[768];		/* the CAs it named, "; " separated */
	size_t data_mtu;		/* DTLS/UDP: DTLS_get_data_mtu, else 0 */
	size_t nchain;
	struct ipfix_cert_info chain[IPFIX_CHAIN_MAX];
};

/* What a client offered (listen mode). Lists are ", " separated; names
 * where OpenSSL knows them, else "0x1234". */
struct ipfix_hello_info {
	char versions[128];		/* supported_versions, or legacy */
	char ciphers[2048];
	char groups[384];
	char exts[1024];
	char sni[256];
};

/* Hooks of a context; each may be NULL. */
struct ipfix_probe_hooks {
	/* Each handshake message, alert or ChangeCipherSpec sent or
	 * received: hs_type the handshake type (-1 otherwise), name e.g.
	 * "ClientHello" or "alert fatal: unknown CA". */
	void (*on_msg)(void *arg, bool sent, int hs_type, const char *name,
	    size_t len);
	/* Server: a ClientHello of peer (before the handshake goes on). */
	void (*on_hello)(void *arg, const struct ipfix_tpeer *peer,
	    const struct ipfix_hello_info *h);
};

/* Install hooks on s. lenient: a server asks for a certificate, checks
 * it against --ca when it has one, and goes on whatever the result
 * (reported by ipfix_chan_tls_info), also without a certificate. */
void ipfix_sec_ctx_probe(struct ipfix_sec_ctx *s,
    const struct ipfix_probe_hooks *h, void *arg, bool lenient);

/* Session c's parameters (0), or -1 when c is not secured or its
 * handshake is not done. */
int ipfix_chan_tls_info(const struct ipfix_chan *c, struct ipfix_tls_info *out);

/*
 * Start an abbreviated renegotiation (RFC 5246 §7.4.1.2, RFC 6347) on an
 * UP session: 0, or -1 with err (TLS 1.3 has none, or OpenSSL refused to
 * start). Then service and receive as usual until
 * ipfix_chan_renegotiating is false (done) or a receive fails (refused).
 */
int ipfix_chan_renegotiate(struct ipfix_chan *c, struct ipfix_err *err);
bool ipfix_chan_renegotiating(const struct ipfix_chan *c);

/* Client: the session to offer next, kept in PEM (it holds the master
 * secret: the file is made 0600). load returns 1 when a session was
 * read (peer: its certificate, when it had one; NULL is fine), 0 when
 * path does not exist, -1 with err. */
int ipfix_sec_ctx_session_save(const struct ipfix_sec_ctx *s,
    const char *path, struct ipfix_err *err);
int ipfix_sec_ctx_session_load(struct ipfix_sec_ctx *s, const char *path,
    struct ipfix_cert_info *peer, struct ipfix_err *err);
/* Client: offer no session on the next connect (a full handshake). */
void ipfix_sec_ctx_session_forget(struct ipfix_sec_ctx *s);
bool ipfix_sec_ctx_has_session(const struct ipfix_sec_ctx *s);

/*
 * ClientHello extension bodies (wire data, bounds checked; fuzzed by
 * tests/fuzz/fuzz_hello.c). ipfix_hello_u16_list: a list of 16-bit values
 * behind a length prefix of prefix (1 or 2) bytes into out (at most max
 * kept); the number in the list, or -1 when malformed.
 * ipfix_hello_sni: the first host_name of a server_name extension into
 * out (NUL-ended, cut to cap); 0, or -1 when malformed or absent.
 */
int ipfix_hello_u16_list(const uint8_t *p, size_t len, int prefix,
    uint16_t *out, size_t max);
int ipfix_hello_sni(const uint8_t *p, size_t len, char *out, size_t cap);

#endif
