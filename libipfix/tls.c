/*
 * tls: OpenSSL 3 contexts for the secured kinds of chan: TLS 1.2/1.3 and
 * DTLS 1.2 only (RFC 8996), PEM certificates, keys and CAs (file or
 * directory), mutual authentication by default with names checked as RFC
 * 7011 §11.3 and RFC 6125 ask (SAN DNS and IP, wildcards only as the whole
 * left-most label), PSK, cipher lists without NULL ciphers (C78), an NSS
 * key log, resumption (client: the last session; server: tickets and a
 * session cache), the DTLS timer and stateless cookies.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <openssl/err.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "tls_int.h"

#define DEF_HS_TIMEOUT_MS	10000
#define DEF_DTLS_TIMER_MS	1000
#define DEF_MAX_HS		64
#define DTLS_TIMER_CAP_US	60000000u	/* RFC 6347 §4.2.4.1, C83 */
#define COOKIE_ROTATE_MS	300000
#define PSK_FILE_MAX		1024
#define PSK_CIPHERS		"PSK-AES128-GCM-SHA256:PSK-AES256-GCM-SHA384:" \
				"ECDHE-PSK-CHACHA20-POLY1305:PSK-CHACHA20-POLY1305"
#define SESSION_ID_CTX		"ipfix-dtls"

static struct ipfix_sec_ctx *
ctx_of(const SSL *ssl)
{
	return SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
}

static bool
is_dgram(enum ipfix_scheme s)
{
	return s == IPFIX_SCHEME_DTLS || s == IPFIX_SCHEME_DTLS_SCTP;
}

/* --- names (RFC 6125) ------------------------------------------------------ */

static bool
name_match(X509 *x, const char *name, bool allow_cn)
{
	/* RFC 6125 §6.4.3: "*" only as the whole left-most label. */
	unsigned flags = X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS;
	char cn[256];

	if (X509_check_ip_asc(x, name, 0) == 1)
		return true;
	if (X509_check_host(x, name, 0, flags, NULL) == 1)
		return true;
	/* C77: a collector's allow-list may name certificates by CN. */
	return allow_cn && X509_NAME_get_text_by_NID(X509_get_subject_name(x),
	    NID_commonName, cn, sizeof(cn)) > 0 && strcmp(cn, name) == 0;
}

/* The end-entity certificate against the reference identities. */
static bool
names_ok(struct ipfix_sec_ctx *s, SSL *ssl, X509 *x)
{
	const struct ipfix_chan *c = SSL_get_app_data(ssl);
	size_t i;

	for (i = 0; i < s->nnames; i++)
		if (name_match(x, s->names[i], s->server))
			return true;
	if (s->nnames > 0)
		return false;
	if (s->server)
		return true;	/* any exporter the CA vouches for */
	return c != NULL && c->host[0] != '\0' &&
	    name_match(x, c->host, false);
}

static int
verify_cb(int ok, X509_STORE_CTX *xs)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(xs,
	    SSL_get_ex_data_X509_STORE_CTX_idx());
	struct ipfix_sec_ctx *s;

	if (!ok || ssl == NULL || X509_STORE_CTX_get_error_depth(xs) != 0)
		return ok;
	s = ctx_of(ssl);
	if (names_ok(s, ssl, X509_STORE_CTX_get_current_cert(xs)))
		return 1;
	X509_STORE_CTX_set_error(xs, X509_V_ERR_HOSTNAME_MISMATCH);
	return 0;
}

/* --- PSK ------------------------------------------------------------------- */

static int
hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Hex when the file is only hex digits (and trailing space), else raw. */
static size_t
psk_decode(const uint8_t *buf, size_t n, uint8_t *out, size_t cap)
{
	size_t i, len = n;

	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r' ||
	    buf[len - 1] == ' '))
		len--;
	for (i = 0; i < len && hexval(buf[i]) >= 0; i++)
		;
	if (i == len && len % 2 == 0 && len / 2 <= cap) {
		for (i = 0; i < len / 2; i++)
			out[i] = (uint8_t)(hexval(buf[2 * i]) << 4 |
			    hexval(buf[2 * i + 1]));
		return len / 2;
	}
	if (n > cap)
		return 0;
	memcpy(out, buf, n);
	return n;
}

static int
psk_load(struct ipfix_sec_ctx *s, const char *path, struct ipfix_err *err)
{
	uint8_t buf[PSK_FILE_MAX];
	FILE *f;
	size_t n;

	if ((f = fopen(path, "rb")) == NULL)
		return ipfix_err_sys(err, IPFIX_E_IO, "psk file %s", path);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	s->psk_len = psk_decode(buf, n, s->psk, sizeof(s->psk));
	OPENSSL_cleanse(buf, sizeof(buf));
	if (s->psk_len == 0)
		return ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL,
		    "psk file %s: empty or longer than %zu bytes", path,
		    sizeof(s->psk));
	return 0;
}

static unsigned int
psk_client_cb(SSL *ssl, const char *hint, char *identity,
    unsigned int max_identity_len, unsigned char *psk,
    unsigned int max_psk_len)
{
	struct ipfix_sec_ctx *s = ctx_of(ssl);

	(void)hint;
	if (s->psk_len == 0 || s->psk_len > max_psk_len ||
	    strlen(s->psk_id) >= max_identity_len)
		return 0;
	memcpy(identity, s->psk_id, strlen(s->psk_id) + 1);
	memcpy(psk, s->psk, s->psk_len);
	return (unsigned int)s->psk_len;
}

static unsigned int
psk_server_cb(SSL *ssl, const char *identity, unsigned char *psk,
    unsigned int max_psk_len)
{
	struct ipfix_sec_ctx *s = ctx_of(ssl);

	if (s->psk_len == 0 || s->psk_len > max_psk_len || identity == NULL ||
	    strcmp(identity, s->psk_id) != 0)
		return 0;
	memcpy(psk, s->psk, s->psk_len);
	return (unsigned int)s->psk_len;
}

/* --- key log, sessions, timers, cookies ------------------------------------ */

static void
keylog_cb(const SSL *ssl, const char *line)
{
	struct ipfix_sec_ctx *s = ctx_of(ssl);

	if (s->keylog != NULL) {
		fputs(line, s->keylog);
		fputc('\n', s->keylog);
		fflush(s->keylog);
	}
}

/* Client: every new session (TLS 1.3 tickets arrive after the
 * handshake) replaces the one kept for resumption. */
static int
new_session_cb(SSL *ssl, SSL_SESSION *sess)
{
	struct ipfix_sec_ctx *s = ctx_of(ssl);

	SSL_SESSION_free(s->last);
	s->last = sess;
	return 1;
}

static unsigned int
timer_cb(SSL *ssl, unsigned int timer_us)
{
	struct ipfix_sec_ctx *s = ctx_of(ssl);

	if (s->scheme == IPFIX_SCHEME_DTLS_SCTP)
		return TLS_SCTP_TIMER_US;
	if (timer_us == 0)
		return s->dtls_timer_ms * 1000u;
	return timer_us >= DTLS_TIMER_CAP_US / 2 ? DTLS_TIMER_CAP_US :
	    timer_us * 2;
}

void
ipfix_tls_set_timer(SSL *ssl)
{
	DTLS_set_timer_cb(ssl, timer_cb);
}

/* The peer as bytes: family, port, address (a struct would hash its
 * padding: platform-notes §3a). */
static size_t
peer_bytes(const struct ipfix_tpeer *p, uint8_t *out)
{
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)&p->addr;
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&p->addr;

	out[0] = (uint8_t)p->addr.ss_family;
	if (p->addr.ss_family == AF_INET) {
		memcpy(out + 1, &s4->sin_port, 2);
		memcpy(out + 3, &s4->sin_addr, 4);
		return 7;
	}
	memcpy(out + 1, &s6->sin6_port, 2);
	memcpy(out + 3, &s6->sin6_addr, 16);
	return 19;
}

static void
cookie_rotate(struct ipfix_sec_ctx *s)
{
	uint64_t now = ev_now_ms();

	if (s->secret_ms != 0 && now - s->secret_ms < COOKIE_ROTATE_MS)
		return;
	memcpy(s->secret[1], s->secret[0], TLS_COOKIE_SECRET);
	if (RAND_bytes(s->secret[0], TLS_COOKIE_SECRET) != 1)
		memcpy(s->secret[0], s->secret[1], TLS_COOKIE_SECRET);
	if (s->secret_ms == 0)
		memcpy(s->secret[1], s->secret[0], TLS_COOKIE_SECRET);
	s->secret_ms = now;
}

static struct dtls_bio_data *
bio_data_of(SSL *ssl)
{
	return BIO_get_data(SSL_get_rbio(ssl));
}

static bool
cookie_make(SSL *ssl, int which, unsigned char *out, unsigned int *len)
{
	struct ipfix_sec_ctx *s = ctx_of(ssl);
	struct dtls_bio_data *d = bio_data_of(ssl);
	uint8_t msg[32];
	size_t n;

	if (d == NULL)
		return false;
	n = peer_bytes(&d->peer, msg);
	return HMAC(EVP_sha256(), s->secret[which], TLS_COOKIE_SECRET, msg, n,
	    out, len) != NULL;
}

static int
cookie_gen_cb(SSL *ssl, unsigned char *cookie, unsigned int *len)
{
	struct dtls_bio_data *d = bio_data_of(ssl);

	cookie_rotate(ctx_of(ssl));
	if (!cookie_make(ssl, 0, cookie, len))
		return 0;
	if (d != NULL && d->st != NULL)
		d->st->cookies_sent++;
	return 1;
}

static int
cookie_verify_cb(SSL *ssl, const unsigned char *cookie, unsigned int len)
{
	struct dtls_bio_data *d = bio_data_of(ssl);
	unsigned char want[EVP_MAX_MD_SIZE];
	unsigned int wlen;
	int i;

	for (i = 0; i < 2; i++)
		if (cookie_make(ssl, i, want, &wlen) && wlen == len &&
		    CRYPTO_memcmp(want, cookie, len) == 0)
			return 1;
	if (d != NULL && d->st != NULL)
		d->st->cookies_bad++;
	return 0;
}

void
ipfix_tls_cookie_setup(struct ipfix_sec_ctx *s)
{
	cookie_rotate(s);
	SSL_CTX_set_cookie_generate_cb(s->ctx, cookie_gen_cb);
	SSL_CTX_set_cookie_verify_cb(s->ctx, cookie_verify_cb);
}

/* --- the context ----------------------------------------------------------- */

static int
ssl_fail(const char *what, const char *arg, struct ipfix_err *err)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e != 0 ? ERR_reason_error_string(e) : NULL;

	ERR_clear_error();
	return ipfix_err_set(err, IPFIX_E_TLS, IPFIX_NO_OFFSET, NULL,
	    "%s%s%s: %s", what, arg != NULL ? " " : "", arg != NULL ? arg : "",
	    r != NULL ? r : "failed");
}

static int
set_versions(struct ipfix_sec_ctx *s, const struct ipfix_sec_config *cfg)
{
	int min = is_dgram(s->scheme) ? DTLS1_2_VERSION : TLS1_2_VERSION;
	int max = is_dgram(s->scheme) ? DTLS1_2_VERSION : 0;

	/* PSK without certificates: the (D)TLS 1.2 PSK suites. */
	if (!is_dgram(s->scheme) && cfg->psk_file != NULL && cfg->cert == NULL)
		max = TLS1_2_VERSION;
	if (!SSL_CTX_set_min_proto_version(s->ctx, min) ||
	    !SSL_CTX_set_max_proto_version(s->ctx, max))
		return -1;
	return 0;
}

/* Split "a:TLS_x:b" into the TLS 1.2 list and the TLS 1.3 suites. */
static void
split_ciphers(const char *list, char *l12, char *l13, size_t cap)
{
	char item[128];
	const char *p = list, *e;
	size_t n;

	l12[0] = l13[0] = '\0';
	while (*p != '\0') {
		e = strchr(p, ':');
		n = e != NULL ? (size_t)(e - p) : strlen(p);
		snprintf(item, sizeof(item), "%.*s", (int)n, p);
		if (n > 0) {
			char *dst = strncmp(item, "TLS_", 4) == 0 ? l13 : l12;
			size_t used = strlen(dst);

			snprintf(dst + used, cap - used, "%s%s",
			    used > 0 ? ":" : "", item);
		}
		p += n + (e != NULL);
	}
}

static int
set_ciphers(struct ipfix_sec_ctx *s, const struct ipfix_sec_config *cfg,
    struct ipfix_err *err)
{
	char l12[1024], l13[512], list[1100];

	if (cfg->ciphers != NULL)
		split_ciphers(cfg->ciphers, l12, l13, sizeof(l13));
	else {
		snprintf(l12, sizeof(l12), "%s", cfg->psk_file != NULL ?
		    PSK_CIPHERS ":DEFAULT" : "DEFAULT");
		l13[0] = '\0';
	}
	if (l12[0] != '\0') {
		/* C78: NULL (and anonymous) suites are never offered. */
		snprintf(list, sizeof(list), "%s:!eNULL:!aNULL", l12);
		if (!SSL_CTX_set_cipher_list(s->ctx, list))
			return ssl_fail("--ciphers: no usable cipher in",
			    cfg->ciphers, err);
	}
	if (l13[0] != '\0' && !is_dgram(s->scheme) &&
	    !SSL_CTX_set_ciphersuites(s->ctx, l13))
		return ssl_fail("--ciphers: no usable TLS 1.3 suite in",
		    cfg->ciphers, err);
	return 0;
}

static int
load_certs(struct ipfix_sec_ctx *s, const struct ipfix_sec_config *cfg,
    struct ipfix_err *err)
{
	struct stat st;

	if (cfg->cert != NULL &&
	    SSL_CTX_use_certificate_chain_file(s->ctx, cfg->cert) != 1)
		return ssl_fail("--cert", cfg->cert, err);
	if (cfg->key != NULL &&
	    SSL_CTX_use_PrivateKey_file(s->ctx, cfg->key, SSL_FILETYPE_PEM) != 1)
		return ssl_fail("--key", cfg->key, err);
	if (cfg->cert != NULL && SSL_CTX_check_private_key(s->ctx) != 1)
		return ssl_fail("--key does not match --cert", cfg->cert, err);
	if (cfg->ca == NULL)
		return 0;
	if (stat(cfg->ca, &st) == -1)
		return ipfix_err_sys(err, IPFIX_E_IO, "--ca %s", cfg->ca);
	if (SSL_CTX_load_verify_locations(s->ctx, S_ISDIR(st.st_mode) ? NULL :
	    cfg->ca, S_ISDIR(st.st_mode) ? cfg->ca : NULL) != 1)
		return ssl_fail("--ca", cfg->ca, err);
	return 0;
}

static int
set_verify(struct ipfix_sec_ctx *s, const struct ipfix_sec_config *cfg,
    struct ipfix_err *err)
{
	int mode = SSL_VERIFY_PEER;

	if (cfg->insecure) {
		SSL_CTX_set_verify(s->ctx, SSL_VERIFY_NONE, NULL);
		return 0;
	}
	if (cfg->ca == NULL && cfg->psk_file == NULL)
		return ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL,
		    "tls: no --ca to verify the peer with (and no --psk-file); "
		    "--insecure turns verification off");
	if (s->server && cfg->cert == NULL && cfg->psk_file == NULL)
		return ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL,
		    "tls: a collector needs --cert and --key (or --psk-file)");
	if (s->server)
		mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
	SSL_CTX_set_verify(s->ctx, mode, verify_cb);
	return 0;
}

static int
set_psk(struct ipfix_sec_ctx *s, const struct ipfix_sec_config *cfg,
    struct ipfix_err *err)
{
	if (cfg->psk_file == NULL)
		return 0;
	if (cfg->psk_identity == NULL || cfg->psk_identity[0] == '\0' ||
	    strlen(cfg->psk_identity) >= sizeof(s->psk_id))
		return ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL,
		    "tls: --psk-file needs a --psk-identity of 1-%zu bytes",
		    sizeof(s->psk_id) - 1);
	snprintf(s->psk_id, sizeof(s->psk_id), "%s", cfg->psk_identity);
	if (psk_load(s, cfg->psk_file, err) == -1)
		return -1;
	if (s->server)
		SSL_CTX_set_psk_server_callback(s->ctx, psk_server_cb);
	else
		SSL_CTX_set_psk_client_callback(s->ctx, psk_client_cb);
	return 0;
}

static int
set_keylog(struct ipfix_sec_ctx *s, const struct ipfix_sec_config *cfg,
    struct ipfix_err *err)
{
	const char *path = cfg->keylog != NULL ? cfg->keylog :
	    getenv("SSLKEYLOGFILE");

	if (path == NULL || path[0] == '\0')
		return 0;
	if ((s->keylog = fopen(path, "a")) == NULL)
		return ipfix_err_sys(err, IPFIX_E_IO, "key log %s", path);
	SSL_CTX_set_keylog_callback(s->ctx, keylog_cb);
	return 0;
}

static void
set_sessions(struct ipfix_sec_ctx *s)
{
	if (s->server) {
		SSL_CTX_set_session_id_context(s->ctx,
		    (const unsigned char *)SESSION_ID_CTX,
		    sizeof(SESSION_ID_CTX) - 1);
		SSL_CTX_set_session_cache_mode(s->ctx, SSL_SESS_CACHE_SERVER);
		if (s->allow_reneg)
			SSL_CTX_set_options(s->ctx,
			    SSL_OP_ALLOW_CLIENT_RENEGOTIATION);
		return;
	}
	SSL_CTX_set_session_cache_mode(s->ctx, SSL_SESS_CACHE_CLIENT |
	    SSL_SESS_CACHE_NO_INTERNAL_STORE);
	SSL_CTX_sess_set_new_cb(s->ctx, new_session_cb);
}

static int
copy_names(struct ipfix_sec_ctx *s, const char *const *names,
    struct ipfix_err *err)
{
	size_t n = 0;

	while (names != NULL && names[n] != NULL)
		n++;
	if (n == 0)
		return 0;
	if ((s->names = calloc(n, sizeof(*s->names))) == NULL)
		return ipfix_err_set(err, IPFIX_E_NOMEM, IPFIX_NO_OFFSET, NULL,
		    "tls: out of memory");
	for (s->nnames = 0; s->nnames < n; s->nnames++)
		if ((s->names[s->nnames] = strdup(names[s->nnames])) == NULL)
			return ipfix_err_set(err, IPFIX_E_NOMEM,
			    IPFIX_NO_OFFSET, NULL, "tls: out of memory");
	return 0;
}

static const SSL_METHOD *
method_for(enum ipfix_scheme scheme, bool server)
{
	if (is_dgram(scheme))
		return server ? DTLS_server_method() : DTLS_client_method();
	return server ? TLS_server_method() : TLS_client_method();
}

static void
ctx_limits(struct ipfix_sec_ctx *s, const struct ipfix_sec_config *cfg)
{
	s->insecure = cfg->insecure;
	s->allow_reneg = cfg->allow_renegotiation_probe;
	s->hs_timeout_ms = cfg->handshake_timeout_ms != 0 ?
	    cfg->handshake_timeout_ms : DEF_HS_TIMEOUT_MS;
	s->dtls_timer_ms = cfg->dtls_timer_ms != 0 ? cfg->dtls_timer_ms :
	    DEF_DTLS_TIMER_MS;
	s->max_hs = cfg->max_handshakes != 0 ? cfg->max_handshakes :
	    DEF_MAX_HS;
}

struct ipfix_sec_ctx *
ipfix_sec_ctx_new(const struct ipfix_sec_config *cfg, bool server,
    enum ipfix_scheme scheme, struct ipfix_err *err)
{
	struct ipfix_sec_ctx *s;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		ipfix_err_set(err, IPFIX_E_NOMEM, IPFIX_NO_OFFSET, NULL,
		    "tls: out of memory");
		return NULL;
	}
	s->server = server;
	s->scheme = scheme;
	ctx_limits(s, cfg);
	if ((s->ctx = SSL_CTX_new(method_for(scheme, server))) == NULL) {
		ssl_fail("tls: context", NULL, err);
		goto fail;
	}
	SSL_CTX_set_app_data(s->ctx, s);
	s->biometh = is_dgram(scheme) ? ipfix_dtls_bio_method() :
	    ipfix_tls_stream_method();
	if (s->biometh == NULL) {
		ssl_fail("tls: BIO method", NULL, err);
		goto fail;
	}
	SSL_CTX_set_mode(s->ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (set_versions(s, cfg) == -1) {
		ssl_fail("tls: protocol versions", NULL, err);
		goto fail;
	}
	if (set_ciphers(s, cfg, err) == -1 || load_certs(s, cfg, err) == -1 ||
	    set_verify(s, cfg, err) == -1 || set_psk(s, cfg, err) == -1 ||
	    set_keylog(s, cfg, err) == -1 ||
	    copy_names(s, cfg->peer_names, err) == -1)
		goto fail;
	set_sessions(s);
	if (server && is_dgram(scheme))
		ipfix_tls_cookie_setup(s);
	return s;
fail:
	ipfix_sec_ctx_free(s);
	return NULL;
}

void
ipfix_sec_ctx_free(struct ipfix_sec_ctx *s)
{
	size_t i;

	if (s == NULL)
		return;
	SSL_SESSION_free(s->last);
	SSL_CTX_free(s->ctx);
	BIO_meth_free(s->biometh);
	for (i = 0; i < s->nnames; i++)
		free(s->names[i]);
	free(s->names);
	if (s->keylog != NULL)
		fclose(s->keylog);
	OPENSSL_cleanse(s, sizeof(*s));
	free(s);
}

unsigned
ipfix_sec_ctx_hs_timeout(const struct ipfix_sec_ctx *s)
{
	return s != NULL ? s->hs_timeout_ms : DEF_HS_TIMEOUT_MS;
}

unsigned
ipfix_sec_ctx_max_handshakes(const struct ipfix_sec_ctx *s)
{
	return s != NULL ? s->max_hs : DEF_MAX_HS;
}

/* --- sessions ---------------------------------------------------------------- */

static bool
is_ip_literal(const char *h)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, h, buf) == 1 ||
	    inet_pton(AF_INET6, h, buf) == 1;
}

SSL *
ipfix_tls_ssl_new(struct ipfix_sec_ctx *s, struct ipfix_chan *c, bool resume,
    struct ipfix_err *err)
{
	SSL *ssl;

	if ((ssl = SSL_new(s->ctx)) == NULL) {
		ssl_fail("tls: new session", NULL, err);
		return NULL;
	}
	SSL_set_app_data(ssl, c);
	if (!s->server && resume && s->last != NULL)
		(void)SSL_set_session(ssl, s->last);
	if (is_dgram(s->scheme)) {
		/* We give the MTU ourselves; then it must be set (§3a). */
		SSL_set_options(ssl, SSL_OP_NO_QUERY_MTU);
		ipfix_tls_set_timer(ssl);
	} else
		SSL_set_read_ahead(ssl, 1);	/* a read takes many records */
	if (!s->server && c != NULL && c->host[0] != '\0' &&
	    !is_ip_literal(c->host))
		(void)SSL_set_tlsext_host_name(ssl, c->host);
	return ssl;
}

int
ipfix_tls_err(SSL *ssl, int ret, const char *what, struct ipfix_err *err)
{
	int e = SSL_get_error(ssl, ret), saved = errno;
	unsigned long q = ERR_peek_last_error();
	long v = SSL_get_verify_result(ssl);
	const char *r = q != 0 ? ERR_reason_error_string(q) : NULL;

	ERR_clear_error();
	if (v != X509_V_OK && q != 0 &&
	    ERR_GET_REASON(q) == SSL_R_CERTIFICATE_VERIFY_FAILED)
		return ipfix_err_set(err, IPFIX_E_TLS, IPFIX_NO_OFFSET, "C75",
		    "%s: peer certificate refused: %s", what,
		    X509_verify_cert_error_string(v));
	if (r != NULL)
		return ipfix_err_set(err, IPFIX_E_TLS, IPFIX_NO_OFFSET, NULL,
		    "%s: %s", what, r);
	if (e == SSL_ERROR_SYSCALL && saved != 0) {
		errno = saved;
		return ipfix_err_sys(err, IPFIX_E_NET, "%s", what);
	}
	return ipfix_err_set(err, IPFIX_E_TLS, IPFIX_NO_OFFSET, NULL,
	    "%s: the peer ended the connection", what);
}

static void
add_san(char *buf, size_t cap, const char *kind, const char *val)
{
	size_t used = strlen(buf);

	if (used < cap)
		snprintf(buf + used, cap - used, "%s%s:%s",
		    used > 0 ? ", " : "", kind, val);
}

void
ipfix_tls_sans(X509 *x, char *buf, size_t cap)
{
	GENERAL_NAMES *g = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	char ip[INET6_ADDRSTRLEN];
	const GENERAL_NAME *n;
	int i, len;

	for (i = 0; g != NULL && i < sk_GENERAL_NAME_num(g); i++) {
		n = sk_GENERAL_NAME_value(g, i);
		if (n->type == GEN_DNS) {
			len = ASN1_STRING_length(n->d.dNSName);
			snprintf(ip, sizeof(ip), "%.*s", len,
			    (const char *)ASN1_STRING_get0_data(n->d.dNSName));
			add_san(buf, cap, "DNS", ip);
		} else if (n->type == GEN_IPADD) {
			len = ASN1_STRING_length(n->d.iPAddress);
			if (inet_ntop(len == 4 ? AF_INET : AF_INET6,
			    ASN1_STRING_get0_data(n->d.iPAddress), ip,
			    sizeof(ip)) != NULL && (len == 4 || len == 16))
				add_san(buf, cap, "IP", ip);
		}
	}
	GENERAL_NAMES_free(g);
}

static void
identity_subject(X509 *x, char *buf, size_t cap)
{
	BIO *b = BIO_new(BIO_s_mem());
	int n;

	if (b == NULL)
		return;
	X509_NAME_print_ex(b, X509_get_subject_name(x), 0, XN_FLAG_RFC2253);
	n = BIO_read(b, buf, (int)cap - 1);
	buf[n > 0 ? n : 0] = '\0';
	BIO_free(b);
}

/* Leaves der_len 0 when the certificate is larger than the buffer: the
 * text identity still names the peer. */
static void
identity_der(X509 *x, struct ipfix_chan_identity *id)
{
	unsigned char *p = id->der;
	int n = i2d_X509(x, NULL);

	if (n <= 0 || (size_t)n > sizeof(id->der))
		return;
	if (i2d_X509(x, &p) == n)
		id->der_len = (size_t)n;
}

void
ipfix_tls_identity(struct ipfix_sec_ctx *s, SSL *ssl,
    struct ipfix_chan_identity *id)
{
	X509 *x = SSL_get0_peer_certificate(ssl);
	const SSL_CIPHER *ci = SSL_get_current_cipher(ssl);
	const char *psk = s->server ? SSL_get_psk_identity(ssl) : NULL;

	memset(id, 0, sizeof(*id));
	if (x != NULL) {
		identity_subject(x, id->subject, sizeof(id->subject));
		ipfix_tls_sans(x, id->sans, sizeof(id->sans));
		identity_der(x, id);
	}
	if (!s->server && ci != NULL && SSL_CIPHER_get_auth_nid(ci) ==
	    NID_auth_psk)
		psk = s->psk_id;
	if (psk != NULL)
		snprintf(id->psk_identity, sizeof(id->psk_identity), "%s", psk);
	snprintf(id->cipher, sizeof(id->cipher), "%s", SSL_get_cipher_name(ssl));
	snprintf(id->version, sizeof(id->version), "%s", SSL_get_version(ssl));
	id->resumed = SSL_session_reused(ssl) == 1;
	id->verified = !s->insecure && ((x != NULL &&
	    SSL_get_verify_result(ssl) == X509_V_OK) || psk != NULL);
}
