/*
 * sslpair: the limit for the secured-transport benchmark. A minimal OpenSSL
 * sender and receiver (a forked child) over loopback, with the cipher and
 * record size given, mutual certificate authentication as the tools do:
 *   sslpair dtls|tls SIZE SECONDS PKI CIPHERS   records of SIZE bytes
 *   sslpair hs-dtls|hs-tls N PKI CIPHERS        N full, then N resumed
 *                                               handshakes, mean times
 * PKI is a tests/lib/mkcerts.sh directory. DTLS runs over a connected UDP
 * socket pair, TLS over a TCP connection. One line of results on stdout.
 */
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#define RCVBUF	(4 * 1024 * 1024)
#define ENDMARK	1	/* a 1-byte record ends a DTLS run */

struct opts {
	int dtls;
	const char *pki;
	const char *ciphers;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
die(const char *what)
{
	fprintf(stderr, "sslpair: %s: %s\n", what, strerror(errno));
	ERR_print_errors_fp(stderr);
	exit(1);
}

static void
pki_path(char *buf, size_t cap, const char *pki, const char *name)
{
	snprintf(buf, cap, "%s/%s", pki, name);
}

/* Ciphers: "TLS1.2-LIST:TLS_SUITE": TLS_ names are TLS 1.3 suites. */
static void
set_ciphers(SSL_CTX *ctx, const char *list)
{
	char l12[512] = "", l13[512] = "", tmp[1024], *save = NULL, *t;
	char *dst;

	snprintf(tmp, sizeof(tmp), "%s", list);
	for (t = strtok_r(tmp, ":", &save); t != NULL;
	    t = strtok_r(NULL, ":", &save)) {
		dst = strncmp(t, "TLS_", 4) == 0 ? l13 : l12;
		if (dst[0] != '\0')
			strncat(dst, ":", 511 - strlen(dst));
		strncat(dst, t, 511 - strlen(dst));
	}
	if (l12[0] != '\0' && !SSL_CTX_set_cipher_list(ctx, l12))
		die("cipher list");
	if (l13[0] != '\0' && !SSL_CTX_set_ciphersuites(ctx, l13))
		die("TLS 1.3 suites");
}

static SSL_CTX *
ctx_new(const struct opts *o, int server)
{
	char cert[512], key[512], ca[512];
	SSL_CTX *ctx;

	ctx = SSL_CTX_new(o->dtls ? (server ? DTLS_server_method() :
	    DTLS_client_method()) : (server ? TLS_server_method() :
	    TLS_client_method()));
	if (ctx == NULL)
		die("SSL_CTX_new");
	SSL_CTX_set_min_proto_version(ctx, o->dtls ? DTLS1_2_VERSION :
	    TLS1_2_VERSION);
	pki_path(cert, sizeof(cert), o->pki, server ? "collector.pem" :
	    "exporter.pem");
	pki_path(key, sizeof(key), o->pki, server ? "collector.key" :
	    "exporter.key");
	pki_path(ca, sizeof(ca), o->pki, "ca.pem");
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1)
		die("certificates");
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
	    SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	set_ciphers(ctx, o->ciphers);
	if (server)
		SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"b",
		    1);
	else
		SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT);
	return ctx;
}

static int
udp_bound(struct sockaddr_in *sa)
{
	socklen_t len = sizeof(*sa);
	int fd, sz = RCVBUF;

	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
		die("socket");
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)sa, sizeof(*sa)) == -1 ||
	    getsockname(fd, (struct sockaddr *)sa, &len) == -1)
		die("bind");
	return fd;
}

/* Two connected sockets: fds[0] the client's, fds[1] the server's. */
static void
sock_pair(int dtls, int fds[2])
{
	struct sockaddr_in a, b;
	socklen_t len = sizeof(b);
	int l;

	if (dtls) {
		fds[0] = udp_bound(&a);
		fds[1] = udp_bound(&b);
		if (connect(fds[0], (struct sockaddr *)&b, sizeof(b)) == -1 ||
		    connect(fds[1], (struct sockaddr *)&a, sizeof(a)) == -1)
			die("connect");
		return;
	}
	l = udp_bound(&b);	/* only for the address: replaced below */
	close(l);
	if ((l = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    (fds[0] = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		die("socket");
	b.sin_port = 0;
	if (bind(l, (struct sockaddr *)&b, sizeof(b)) == -1 ||
	    listen(l, 1) == -1 ||
	    getsockname(l, (struct sockaddr *)&b, &len) == -1 ||
	    connect(fds[0], (struct sockaddr *)&b, sizeof(b)) == -1 ||
	    (fds[1] = accept(l, NULL, NULL)) == -1)
		die("tcp pair");
	close(l);
}

static SSL *
ssl_on(SSL_CTX *ctx, int fd, int dtls)
{
	SSL *ssl = SSL_new(ctx);
	BIO *bio = dtls ? BIO_new_dgram(fd, BIO_NOCLOSE) :
	    BIO_new_socket(fd, BIO_NOCLOSE);

	if (ssl == NULL || bio == NULL)
		die("SSL_new");
	if (dtls) {
		struct sockaddr_storage peer;
		socklen_t len = sizeof(peer);

		/* the dgram BIO sends to the address it is told, not to the
		 * socket's connected peer */
		if (getpeername(fd, (struct sockaddr *)&peer, &len) == -1)
			die("getpeername");
		BIO_ctrl(bio, BIO_CTRL_DGRAM_SET_CONNECTED, 0, &peer);
		/* loopback's 64 KB MTU would let OpenSSL pack as it likes */
		SSL_set_options(ssl, SSL_OP_NO_QUERY_MTU);
		DTLS_set_link_mtu(ssl, 1500);
	}
	SSL_set_bio(ssl, bio, bio);
	return ssl;
}

/* Receiver: counts record bytes until the end mark, EOF or 1 s silence. */
static void
serve(SSL_CTX *ctx, int fd, int dtls, int once)
{
	struct timeval tv = { 1, 0 };
	unsigned char buf[20000];
	uint64_t bytes = 0, recs = 0;
	SSL *ssl = ssl_on(ctx, fd, dtls);
	int n;

	if (SSL_accept(ssl) != 1)
		die("SSL_accept");
	if (once) {
		/* TLS 1.3 tickets go with this byte; the client reads it */
		SSL_write(ssl, "x", 1);
		while (SSL_read(ssl, buf, sizeof(buf)) > 0)
			;
		_exit(0);
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while ((n = SSL_read(ssl, buf, sizeof(buf))) > 0) {
		if (dtls && n == ENDMARK)
			break;
		bytes += (uint64_t)n;
		recs++;
	}
	printf("received=%llu records=%llu\n", (unsigned long long)bytes,
	    (unsigned long long)recs);
	fflush(stdout);
	_exit(0);
}

static void
throughput(const struct opts *o, size_t size, double secs)
{
	SSL_CTX *sc = ctx_new(o, 1), *cc = ctx_new(o, 0);
	unsigned char *buf = calloc(1, size);
	uint64_t sent = 0;
	double t0, t1;
	int fds[2], st;
	pid_t pid;
	SSL *ssl;

	if (buf == NULL)
		die("calloc");
	sock_pair(o->dtls, fds);
	if ((pid = fork()) == 0) {
		close(fds[0]);
		serve(sc, fds[1], o->dtls, 0);
	}
	close(fds[1]);
	ssl = ssl_on(cc, fds[0], o->dtls);
	if (SSL_connect(ssl) != 1)
		die("SSL_connect");
	t0 = now_s();
	do {
		for (int i = 0; i < 64; i++)
			if (SSL_write(ssl, buf, (int)size) == (int)size)
				sent++;
		t1 = now_s();
	} while (t1 - t0 < secs);
	if (o->dtls)
		for (int i = 0; i < 5; i++)
			SSL_write(ssl, buf, ENDMARK);
	SSL_shutdown(ssl);
	waitpid(pid, &st, 0);	/* its line first */
	printf("%s size=%zu seconds=%.3f sent=%llu cipher=%s MB/s(sent)=%.1f ",
	    o->dtls ? "dtls" : "tls", size, t1 - t0, (unsigned long long)sent,
	    SSL_get_cipher_name(ssl), (double)sent * (double)size /
	    (t1 - t0) / 1e6);
	SSL_free(ssl);
}

/* One handshake; returns its time in ms and the session for the next. */
static double
handshake(const struct opts *o, SSL_CTX *sc, SSL_CTX *cc,
    SSL_SESSION **sess, int *reused)
{
	unsigned char b;
	double t0, ms;
	int fds[2], st;
	pid_t pid;
	SSL *ssl;

	sock_pair(o->dtls, fds);
	if ((pid = fork()) == 0) {
		close(fds[0]);
		serve(sc, fds[1], o->dtls, 1);
	}
	close(fds[1]);
	ssl = ssl_on(cc, fds[0], o->dtls);
	if (*sess != NULL)
		SSL_set_session(ssl, *sess);
	t0 = now_s();
	if ((st = SSL_connect(ssl)) != 1) {
		fprintf(stderr, "SSL_connect: %d\n", SSL_get_error(ssl, st));
		die("SSL_connect");
	}
	ms = (now_s() - t0) * 1000;
	*reused = SSL_session_reused(ssl);
	SSL_read(ssl, &b, 1);
	/* the newest ticket: a TLS 1.3 client uses each one once */
	SSL_SESSION_free(*sess);
	*sess = SSL_get1_session(ssl);
	SSL_shutdown(ssl);
	SSL_free(ssl);
	close(fds[0]);
	waitpid(pid, &st, 0);
	return ms;
}

static void
handshakes(const struct opts *o, int n)
{
	SSL_CTX *sc = ctx_new(o, 1), *cc = ctx_new(o, 0);
	SSL_SESSION *none = NULL, *sess = NULL;
	double full = 0, res = 0;
	int reused, nres = 0;

	for (int i = 0; i < n; i++) {
		full += handshake(o, sc, cc, &none, &reused);
		SSL_SESSION_free(none);
		none = NULL;
	}
	(void)handshake(o, sc, cc, &sess, &reused);
	for (int i = 0; i < n; i++) {
		res += handshake(o, sc, cc, &sess, &reused);
		nres += reused;
	}
	printf("%s handshakes=%d full_ms=%.3f resumed_ms=%.3f resumed=%d/%d\n",
	    o->dtls ? "dtls" : "tls", n, full / n, res / n, nres, n);
}

int
main(int argc, char **argv)
{
	struct opts o;

	if (argc == 6 && (strcmp(argv[1], "dtls") == 0 ||
	    strcmp(argv[1], "tls") == 0)) {
		o.dtls = argv[1][0] == 'd';
		o.pki = argv[4];
		o.ciphers = argv[5];
		throughput(&o, (size_t)strtoul(argv[2], NULL, 10),
		    strtod(argv[3], NULL));
		return 0;
	}
	if (argc == 5 && strncmp(argv[1], "hs-", 3) == 0) {
		o.dtls = argv[1][3] == 'd';
		o.pki = argv[3];
		o.ciphers = argv[4];
		handshakes(&o, (int)strtol(argv[2], NULL, 10));
		return 0;
	}
	fprintf(stderr, "usage: sslpair dtls|tls SIZE SECONDS PKI CIPHERS\n"
	    "       sslpair hs-dtls|hs-tls N PKI CIPHERS\n");
	return 2;
}
