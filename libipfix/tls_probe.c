/*
 * tls_probe: chan_probe.h over OpenSSL. Everything here reads what
 * OpenSSL already parsed through its accessors; the only wire data parsed
 * here are three ClientHello extension bodies OpenSSL hands out raw
 * (supported_versions, supported_groups, server_name).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "tls_int.h"

#define EXT_SNI		0
#define EXT_GROUPS	10
#define EXT_VERSIONS	43
#define LIST_MAX	128

static SSL *
ssl_of(const struct ipfix_chan *c)
{
	return c != NULL && c->ops->ssl != NULL && c->sec != NULL ?
	    c->ops->ssl(c) : NULL;
}

static struct ipfix_sec_ctx *
sec_of(const SSL *ssl)
{
	return SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
}

/* Append ", item" to a list buffer (cut at cap). */
static void
list_add(char *buf, size_t cap, const char *item)
{
	size_t used = strlen(buf);

	if (used + 1 < cap)
		snprintf(buf + used, cap - used, "%s%s", used > 0 ? ", " : "",
		    item);
}

/* --- certificates -------------------------------------------------------- */

static void
bio_text(BIO *b, char *buf, size_t cap)
{
	int n = BIO_read(b, buf, (int)cap - 1);

	buf[n > 0 ? n : 0] = '\0';
}

/* Names as `openssl x509 -subject` prints them by default. */
static void
name_text(const X509_NAME *n, char *buf, size_t cap)
{
	BIO *b = BIO_new(BIO_s_mem());

	buf[0] = '\0';
	if (b == NULL)
		return;
	X509_NAME_print_ex(b, n, 0, (XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB) |
	    ASN1_STRFLGS_UTF8_CONVERT);
	bio_text(b, buf, cap);
	BIO_free(b);
}

static void
time_text(const ASN1_TIME *t, char *buf, size_t cap)
{
	BIO *b = BIO_new(BIO_s_mem());

	buf[0] = '\0';
	if (b == NULL)
		return;
	ASN1_TIME_print(b, t);
	bio_text(b, buf, cap);
	BIO_free(b);
}

static void
cert_info(X509 *x, struct ipfix_cert_info *ci)
{
	EVP_PKEY *k = X509_get0_pubkey(x);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	const char *type;

	memset(ci, 0, sizeof(*ci));
	name_text(X509_get_subject_name(x), ci->subject, sizeof(ci->subject));
	name_text(X509_get_issuer_name(x), ci->issuer, sizeof(ci->issuer));
	ipfix_tls_sans(x, ci->sans, sizeof(ci->sans));
	time_text(X509_get0_notBefore(x), ci->not_before,
	    sizeof(ci->not_before));
	time_text(X509_get0_notAfter(x), ci->not_after, sizeof(ci->not_after));
	if (k != NULL && (type = EVP_PKEY_get0_type_name(k)) != NULL) {
		snprintf(ci->key_type, sizeof(ci->key_type), "%s", type);
		ci->key_bits = EVP_PKEY_get_bits(k);
	}
	if (X509_digest(x, EVP_sha256(), md, &mdlen) != 1)
		mdlen = 0;
	for (i = 0; i < mdlen && 3 * i + 3 <= sizeof(ci->sha256); i++)
		snprintf(ci->sha256 + 3 * i, sizeof(ci->sha256) - 3 * i,
		    "%02X%s", md[i], i + 1 < mdlen ? ":" : "");
}

static void
chain_info(SSL *ssl, struct ipfix_tls_info *out)
{
	STACK_OF(X509) *sk = SSL_get_peer_cert_chain(ssl);
	X509 *leaf = SSL_get0_peer_certificate(ssl);
	int i, n = sk != NULL ? sk_X509_num(sk) : 0;

	/* A server's chain lacks the client's own certificate. */
	if (leaf != NULL && (n == 0 || X509_cmp(leaf, sk_X509_value(sk, 0))))
		cert_info(leaf, &out->chain[out->nchain++]);
	for (i = 0; i < n && out->nchain < IPFIX_CHAIN_MAX; i++)
		cert_info(sk_X509_value(sk, i), &out->chain[out->nchain++]);
}

/* --- negotiated parameters ----------------------------------------------- */

static void
group_name(SSL *ssl, char *buf, size_t cap)
{
	int nid = SSL_get_negotiated_group(ssl);
	const char *name = nid > 0 ? SSL_group_to_name(ssl, nid) : NULL;
	EVP_PKEY *k = NULL;
	char gn[64];

	if (name != NULL) {
		snprintf(buf, cap, "%s", name);
		return;
	}
	if (SSL_get_peer_tmp_key(ssl, &k) == 1 && EVP_PKEY_get_group_name(k,
	    gn, sizeof(gn), NULL) == 1)
		snprintf(buf, cap, "%s", gn);
	EVP_PKEY_free(k);
}

static void
ca_names(SSL *ssl, struct ipfix_tls_info *out)
{
	const STACK_OF(X509_NAME) *sk = SSL_get0_peer_CA_list(ssl);
	char one[256];
	int i;

	/* OpenSSL makes the list when a CertificateRequest arrives (empty
	 * when it named no CA); a client's SSL never has one otherwise. */
	out->cert_asked = sk != NULL;
	for (i = 0; sk != NULL && i < sk_X509_NAME_num(sk); i++) {
		name_text(sk_X509_NAME_value(sk, i), one, sizeof(one));
		if (strlen(out->ca_names) + strlen(one) + 3 <
		    sizeof(out->ca_names))
			snprintf(out->ca_names + strlen(out->ca_names),
			    sizeof(out->ca_names) - strlen(out->ca_names),
			    "%s%s", out->ca_names[0] != '\0' ? "; " : "", one);
	}
}

int
ipfix_chan_tls_info(const struct ipfix_chan *c, struct ipfix_tls_info *out)
{
	SSL *ssl = ssl_of(c);
	SSL_SESSION *sess;

	memset(out, 0, sizeof(*out));
	if (ssl == NULL || !SSL_is_init_finished(ssl))
		return -1;
	sess = SSL_get0_session(ssl);
	snprintf(out->version, sizeof(out->version), "%s",
	    SSL_get_version(ssl));
	snprintf(out->cipher, sizeof(out->cipher), "%s",
	    SSL_get_cipher_name(ssl));
	group_name(ssl, out->group, sizeof(out->group));
	out->resumed = SSL_session_reused(ssl) == 1;
	out->ticket = sess != NULL && SSL_SESSION_has_ticket(sess) == 1;
	out->secure_reneg = SSL_version(ssl) != TLS1_3_VERSION &&
	    SSL_get_secure_renegotiation_support(ssl) == 1;
	out->verify_code = SSL_get_verify_result(ssl);
	snprintf(out->verify_text, sizeof(out->verify_text), "%s",
	    SSL_get0_peer_certificate(ssl) == NULL ? "no certificate "
	    "presented" : X509_verify_cert_error_string(out->verify_code));
	if (!SSL_is_server(ssl))
		ca_names(ssl, out);
	if (c->scheme == IPFIX_SCHEME_DTLS)
		out->data_mtu = DTLS_get_data_mtu(ssl);
	chain_info(ssl, out);
	return 0;
}

/* --- renegotiation --------------------------------------------------------- */

int
ipfix_chan_renegotiate(struct ipfix_chan *c, struct ipfix_err *err)
{
	SSL *ssl = ssl_of(c);
	int rc;

	if (ssl == NULL || c->state != IPFIX_CHAN_UP)
		return ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL,
		    "renegotiation: no secured session up");
	if (SSL_version(ssl) == TLS1_3_VERSION)
		return ipfix_err_set(err, IPFIX_E_TLS, IPFIX_NO_OFFSET, NULL,
		    "renegotiation: TLS 1.3 has none (RFC 8446 §4.1.2)");
	if (SSL_renegotiate_abbreviated(ssl) != 1)
		return ipfix_tls_err(ssl, 0, "renegotiation", err);
	/* Sends the ClientHello; the answer comes through receives. */
	rc = SSL_do_handshake(ssl);
	if (rc <= 0 && SSL_get_error(ssl, rc) != SSL_ERROR_WANT_READ &&
	    SSL_get_error(ssl, rc) != SSL_ERROR_WANT_WRITE)
		return ipfix_tls_err(ssl, rc, "renegotiation", err);
	ERR_clear_error();
	return 0;
}

bool
ipfix_chan_renegotiating(const struct ipfix_chan *c)
{
	SSL *ssl = ssl_of(c);

	return ssl != NULL && SSL_renegotiate_pending(ssl) == 1;
}

/* --- sessions kept in a file ------------------------------------------------ */

int
ipfix_sec_ctx_session_save(const struct ipfix_sec_ctx *s, const char *path,
    struct ipfix_err *err)
{
	BIO *b;
	int fd, ok;

	if (s->last == NULL)
		return ipfix_err_set(err, IPFIX_E_TLS, IPFIX_NO_OFFSET, NULL,
		    "session %s: the peer gave no session to keep", path);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1)
		return ipfix_err_sys(err, IPFIX_E_IO, "session %s", path);
	if ((b = BIO_new_fd(fd, BIO_CLOSE)) == NULL) {
		close(fd);
		return ipfix_err_set(err, IPFIX_E_NOMEM, IPFIX_NO_OFFSET, NULL,
		    "session %s: out of memory", path);
	}
	ok = PEM_write_bio_SSL_SESSION(b, s->last);
	if (BIO_free(b) != 1 || ok != 1)
		return ipfix_err_sys(err, IPFIX_E_IO, "session %s", path);
	return 0;
}

int
ipfix_sec_ctx_session_load(struct ipfix_sec_ctx *s, const char *path,
    struct ipfix_cert_info *peer, struct ipfix_err *err)
{
	SSL_SESSION *sess;
	X509 *x;
	BIO *b;

	if (access(path, F_OK) == -1 && errno == ENOENT)
		return 0;
	if ((b = BIO_new_file(path, "r")) == NULL) {
		ERR_clear_error();
		return ipfix_err_sys(err, IPFIX_E_IO, "session %s", path);
	}
	sess = PEM_read_bio_SSL_SESSION(b, NULL, NULL, NULL);
	BIO_free(b);
	ERR_clear_error();
	if (sess == NULL)
		return ipfix_err_set(err, IPFIX_E_FORMAT, IPFIX_NO_OFFSET, NULL,
		    "session %s: not a PEM SSL session", path);
	SSL_SESSION_free(s->last);
	s->last = sess;
	if (peer != NULL) {
		memset(peer, 0, sizeof(*peer));
		if ((x = SSL_SESSION_get0_peer(sess)) != NULL)
			cert_info(x, peer);
	}
	return 1;
}

void
ipfix_sec_ctx_session_forget(struct ipfix_sec_ctx *s)
{
	SSL_SESSION_free(s->last);
	s->last = NULL;
}

bool
ipfix_sec_ctx_has_session(const struct ipfix_sec_ctx *s)
{
	return s->last != NULL;
}

/* --- ClientHello extension bodies (wire data) --------------------------------- */

int
ipfix_hello_u16_list(const uint8_t *p, size_t len, int prefix, uint16_t *out,
    size_t max)
{
	size_t n, i, k = 0;

	if ((prefix != 1 && prefix != 2) || len < (size_t)prefix)
		return -1;
	n = prefix == 1 ? p[0] : (size_t)(p[0] << 8 | p[1]);
	if (n != len - (size_t)prefix || n % 2 != 0)
		return -1;
	for (i = 0; i < n / 2; i++)
		if (k < max)
			out[k++] = (uint16_t)(p[prefix + 2 * i] << 8 |
			    p[prefix + 2 * i + 1]);
	return (int)(n / 2);
}

/* RFC 6066 §3: u16 list length, then (u8 type, u16 length, name)... */
int
ipfix_hello_sni(const uint8_t *p, size_t len, char *out, size_t cap)
{
	size_t n, off = 2, nl;

	if (cap == 0 || len < 2)
		return -1;
	n = (size_t)(p[0] << 8 | p[1]);
	if (n != len - 2)
		return -1;
	while (off + 3 <= len) {
		nl = (size_t)(p[off + 1] << 8 | p[off + 2]);
		if (nl > len - off - 3)
			return -1;
		if (p[off] == 0) {
			snprintf(out, cap, "%.*s", (int)nl,
			    (const char *)p + off + 3);
			return memchr(p + off + 3, 0, nl) == NULL ? 0 : -1;
		}
		off += 3 + nl;
	}
	return -1;
}

/* --- hooks: handshake trace and ClientHello ---------------------------------- */

static const char *
hs_name(int t)
{
	static const char *const names[] = {
		[0] = "HelloRequest", [1] = "ClientHello",
		[2] = "ServerHello", [3] = "HelloVerifyRequest",
		[4] = "NewSessionTicket", [5] = "EndOfEarlyData",
		[8] = "EncryptedExtensions", [11] = "Certificate",
		[12] = "ServerKeyExchange", [13] = "CertificateRequest",
		[14] = "ServerHelloDone", [15] = "CertificateVerify",
		[16] = "ClientKeyExchange", [20] = "Finished",
		[24] = "KeyUpdate",
	};

	if (t >= 0 && (size_t)t < sizeof(names) / sizeof(names[0]) &&
	    names[t] != NULL)
		return names[t];
	return "handshake message";
}

static void
msg_cb(int write_p, int version, int ctype, const void *buf, size_t len,
    SSL *ssl, void *arg)
{
	struct ipfix_sec_ctx *s = sec_of(ssl);
	const uint8_t *b = buf;
	char name[96];
	int hs = -1;

	(void)version;
	(void)arg;
	if (s == NULL || s->probe == NULL || s->probe->on_msg == NULL ||
	    len == 0)
		return;
	if (ctype == SSL3_RT_HANDSHAKE) {
		hs = b[0];
		snprintf(name, sizeof(name), "%s", hs_name(hs));
	} else if (ctype == SSL3_RT_ALERT && len >= 2)
		snprintf(name, sizeof(name), "alert %s: %s", b[0] == 2 ?
		    "fatal" : "warning", SSL_alert_desc_string_long(b[1]));
	else if (ctype == SSL3_RT_CHANGE_CIPHER_SPEC)
		snprintf(name, sizeof(name), "ChangeCipherSpec");
	else
		return;
	s->probe->on_msg(s->probe_arg, write_p != 0, hs, name, len);
}

static const char *
version_name(uint16_t v, char *tmp, size_t cap)
{
	switch (v) {
	case 0x0303: return "TLSv1.2";
	case 0x0304: return "TLSv1.3";
	case 0x0302: return "TLSv1.1";
	case 0x0301: return "TLSv1.0";
	case 0xfefd: return "DTLSv1.2";
	case 0xfeff: return "DTLSv1.0";
	case 0xfefc: return "DTLSv1.3";
	}
	snprintf(tmp, cap, "0x%04x", v);
	return tmp;
}

static void
hello_versions(SSL *ssl, struct ipfix_hello_info *h)
{
	const unsigned char *p;
	uint16_t v[LIST_MAX];
	char tmp[8];
	size_t len;
	int n, i;

	if (SSL_client_hello_get0_ext(ssl, EXT_VERSIONS, &p, &len) == 1 &&
	    (n = ipfix_hello_u16_list(p, len, 1, v, LIST_MAX)) >= 0) {
		for (i = 0; i < n && i < LIST_MAX; i++)
			list_add(h->versions, sizeof(h->versions),
			    version_name(v[i], tmp, sizeof(tmp)));
		return;
	}
	list_add(h->versions, sizeof(h->versions), version_name((uint16_t)
	    SSL_client_hello_get0_legacy_version(ssl), tmp, sizeof(tmp)));
}

static void
hello_ciphers(SSL *ssl, struct ipfix_hello_info *h)
{
	const unsigned char *p;
	const SSL_CIPHER *ci;
	size_t len = SSL_client_hello_get0_ciphers(ssl, &p), i;
	char tmp[8];

	for (i = 0; i + 1 < len; i += 2) {
		ci = SSL_CIPHER_find(ssl, p + i);
		snprintf(tmp, sizeof(tmp), "0x%02x%02x", p[i], p[i + 1]);
		list_add(h->ciphers, sizeof(h->ciphers), ci != NULL ?
		    SSL_CIPHER_get_name(ci) : tmp);
	}
}

static void
hello_groups(SSL *ssl, struct ipfix_hello_info *h)
{
	const unsigned char *p;
	const char *name;
	uint16_t g[LIST_MAX];
	char tmp[8];
	size_t len;
	int n, i;

	if (SSL_client_hello_get0_ext(ssl, EXT_GROUPS, &p, &len) != 1 ||
	    (n = ipfix_hello_u16_list(p, len, 2, g, LIST_MAX)) < 0)
		return;
	for (i = 0; i < n && i < LIST_MAX; i++) {
		/* SSL_group_to_name wants OpenSSL's id: the wire id tagged. */
		name = SSL_group_to_name(ssl, g[i] | TLSEXT_nid_unknown);
		snprintf(tmp, sizeof(tmp), "0x%04x", g[i]);
		list_add(h->groups, sizeof(h->groups), name != NULL &&
		    strncmp(name, "0x", 2) != 0 ? name : tmp);
	}
}

static const char *
ext_name(int t)
{
	switch (t) {
	case 0: return "server_name";
	case 5: return "status_request";
	case 10: return "supported_groups";
	case 11: return "ec_point_formats";
	case 13: return "signature_algorithms";
	case 16: return "alpn";
	case 18: return "signed_certificate_timestamp";
	case 21: return "padding";
	case 22: return "encrypt_then_mac";
	case 23: return "extended_master_secret";
	case 28: return "record_size_limit";
	case 35: return "session_ticket";
	case 41: return "pre_shared_key";
	case 42: return "early_data";
	case 43: return "supported_versions";
	case 44: return "cookie";
	case 45: return "psk_key_exchange_modes";
	case 49: return "post_handshake_auth";
	case 50: return "signature_algorithms_cert";
	case 51: return "key_share";
	case 65281: return "renegotiation_info";
	}
	return NULL;
}

static void
hello_exts(SSL *ssl, struct ipfix_hello_info *h)
{
	const unsigned char *p;
	const char *nm;
	char tmp[48];
	int *ids = NULL;
	size_t n = 0, i, len;

	if (SSL_client_hello_get1_extensions_present(ssl, &ids, &n) != 1)
		return;
	for (i = 0; i < n; i++) {
		if ((nm = ext_name(ids[i])) == NULL) {
			snprintf(tmp, sizeof(tmp), "%d", ids[i]);
			nm = tmp;
		}
		list_add(h->exts, sizeof(h->exts), nm);
	}
	OPENSSL_free(ids);
	if (SSL_client_hello_get0_ext(ssl, EXT_SNI, &p, &len) == 1 &&
	    ipfix_hello_sni(p, len, h->sni, sizeof(h->sni)) == -1)
		snprintf(h->sni, sizeof(h->sni), "(malformed)");
}

static int
hello_cb(SSL *ssl, int *al, void *arg)
{
	struct ipfix_sec_ctx *s = sec_of(ssl);
	const struct ipfix_chan *c = SSL_get_app_data(ssl);
	struct ipfix_hello_info *h;

	(void)al;
	(void)arg;
	if (s == NULL || s->probe == NULL || s->probe->on_hello == NULL ||
	    (h = calloc(1, sizeof(*h))) == NULL)
		return SSL_CLIENT_HELLO_SUCCESS;
	hello_versions(ssl, h);
	hello_ciphers(ssl, h);
	hello_groups(ssl, h);
	hello_exts(ssl, h);
	s->probe->on_hello(s->probe_arg, c != NULL ? &c->peer : NULL, h);
	free(h);
	return SSL_CLIENT_HELLO_SUCCESS;
}

/* Lenient server: verify for the report, never refuse. */
static int
lenient_cb(int ok, X509_STORE_CTX *xs)
{
	(void)ok;
	(void)xs;
	return 1;
}

void
ipfix_sec_ctx_probe(struct ipfix_sec_ctx *s, const struct ipfix_probe_hooks *h,
    void *arg, bool lenient)
{
	s->probe = h;
	s->probe_arg = arg;
	if (h != NULL && h->on_msg != NULL)
		SSL_CTX_set_msg_callback(s->ctx, msg_cb);
	if (h != NULL && h->on_hello != NULL && s->server)
		SSL_CTX_set_client_hello_cb(s->ctx, hello_cb, NULL);
	if (lenient && s->server)
		SSL_CTX_set_verify(s->ctx, SSL_VERIFY_PEER |
		    SSL_VERIFY_CLIENT_ONCE, lenient_cb);
}
