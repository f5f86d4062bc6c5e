/*
 * rawpair: the physical limit of one transport on this machine, for
 * tests/bench/transport. A sender process pushes SIZE-byte messages for
 * SECONDS to a receiver process on 127.0.0.1, with nothing else done per
 * message: UDP with sendmmsg/recvmmsg (batches of 32, 8 MB receive
 * buffer), TCP with one write per message and large reads, SCTP over UDP
 * encapsulation with usrsctp (threaded stack, one per process, as
 * platform-notes measured). Prints one line:
 *   MODE size=N seconds=S sent=N received=N loss=P% msgs/s=R MB/s=R
 * usage: rawpair udp|tcp|sctp-udp SIZE SECONDS [PORT]
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <usrsctp.h>

#define BATCH		32
#define MAXSIZE		65507
#define IDLE_MS		500	/* receiver: this long without data = end */
#define SCTP_PORT	5001

struct result {
	uint64_t msgs;
	uint64_t bytes;
	double secs;		/* first to last byte */
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct sockaddr_in
loopback(uint16_t port)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sin;
}

static void
die(const char *what)
{
	perror(what);
	exit(1);
}

static int
udp_rx_socket(uint16_t port)
{
	struct sockaddr_in sin = loopback(port);
	struct timeval tv = { 0, IDLE_MS * 1000 };
	int fd, buf = 8 << 20;

	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) < 0)
		die("socket");
	/* FORCE needs root; otherwise the plain wish, capped by rmem_max */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)))
		die("bind");
	return fd;
}

static struct result
udp_receive(int fd)
{
	static char bufs[BATCH][MAXSIZE];
	struct mmsghdr mm[BATCH];
	struct iovec iov[BATCH];
	struct result r = { 0, 0, 0 };
	double first = 0, last = 0;
	int i, n;

	for (i = 0; i < BATCH; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = MAXSIZE;
		memset(&mm[i], 0, sizeof(mm[i]));
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	while ((n = recvmmsg(fd, mm, BATCH, MSG_WAITFORONE, NULL)) > 0 ||
	    (n < 0 && errno == EINTR)) {
		if (n <= 0)
			continue;
		if (r.msgs == 0)
			first = now();
		last = now();
		for (i = 0; i < n; i++)
			r.bytes += mm[i].msg_len;
		r.msgs += n;
	}
	r.secs = last - first;
	return r;
}

static uint64_t
udp_send(uint16_t port, size_t size, double secs)
{
	static char buf[MAXSIZE];
	struct sockaddr_in sin = loopback(port);
	struct mmsghdr mm[BATCH];
	struct iovec iov;
	uint64_t sent = 0;
	double end = now() + secs;
	int fd, i, n;

	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) < 0)
		die("socket");
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)))
		die("connect");
	iov.iov_base = buf;
	iov.iov_len = size;
	for (i = 0; i < BATCH; i++) {
		memset(&mm[i], 0, sizeof(mm[i]));
		mm[i].msg_hdr.msg_iov = &iov;
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	while (now() < end) {
		n = sendmmsg(fd, mm, BATCH, 0);
		if (n > 0)
			sent += n;
	}
	close(fd);
	return sent;
}

static int
tcp_listener(uint16_t port)
{
	struct sockaddr_in sin = loopback(port);
	int fd, on = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) || listen(fd, 1))
		die("bind/listen");
	return fd;
}

static struct result
tcp_receive(int lfd, size_t size)
{
	static char buf[1 << 18];
	struct result r = { 0, 0, 0 };
	double first = 0;
	ssize_t n;
	int fd;

	if ((fd = accept(lfd, NULL, NULL)) < 0)
		die("accept");
	while ((n = read(fd, buf, sizeof(buf))) > 0 ||
	    (n < 0 && errno == EINTR)) {
		if (n <= 0)
			continue;
		if (r.bytes == 0)
			first = now();
		r.bytes += n;
	}
	r.secs = now() - first;
	r.msgs = r.bytes / size;
	close(fd);
	return r;
}

static uint64_t
tcp_send(uint16_t port, size_t size, double secs)
{
	static char buf[MAXSIZE];
	struct sockaddr_in sin = loopback(port);
	uint64_t sent = 0;
	double end = now() + secs;
	int fd, on = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		die("socket");
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)))
		die("connect");
	while (now() < end) {
		if (write(fd, buf, size) != (ssize_t)size)
			die("write");
		sent++;
	}
	close(fd);
	return sent;
}

static struct socket *
sctp_socket(void)
{
	struct socket *so;

	so = usrsctp_socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP, NULL, NULL, 0,
	    NULL);
	if (so == NULL)
		die("usrsctp_socket");
	return so;
}

static struct socket *
sctp_listener(uint16_t udp_port)
{
	struct sockaddr_in sin = loopback(SCTP_PORT);
	struct socket *so;

	usrsctp_init(udp_port, NULL, NULL);
	usrsctp_sysctl_set_sctp_blackhole(2);
	so = sctp_socket();
	if (usrsctp_bind(so, (struct sockaddr *)&sin, sizeof(sin)) ||
	    usrsctp_listen(so, 1))
		die("usrsctp bind/listen");
	return so;
}

static struct result
sctp_receive(struct socket *lso)
{
	static char buf[MAXSIZE + 1];
	struct sockaddr_in from;
	struct sctp_rcvinfo info;
	struct result r = { 0, 0, 0 };
	socklen_t fl, il;
	unsigned int type;
	double first = 0;
	struct socket *so;
	ssize_t n;
	int flags;

	if ((so = usrsctp_accept(lso, NULL, NULL)) == NULL)
		die("usrsctp_accept");
	for (;;) {
		fl = sizeof(from);
		il = sizeof(info);
		flags = 0;
		n = usrsctp_recvv(so, buf, sizeof(buf), (struct sockaddr *)&from,
		    &fl, &info, &il, &type, &flags);
		if (n <= 0)
			break;
		if (r.bytes == 0)
			first = now();
		r.bytes += n;
		if (flags & MSG_EOR)
			r.msgs++;
	}
	r.secs = now() - first;
	usrsctp_close(so);
	return r;
}

static uint64_t
sctp_send(uint16_t peer_udp, size_t size, double secs)
{
	static char buf[MAXSIZE];
	struct sockaddr_in sin = loopback(SCTP_PORT);
	struct sctp_udpencaps enc;
	struct sctp_sndinfo snd;
	struct socket *so;
	uint64_t sent = 0;
	double end;

	usrsctp_init(peer_udp + 1, NULL, NULL);
	usrsctp_sysctl_set_sctp_blackhole(2);
	so = sctp_socket();
	memset(&enc, 0, sizeof(enc));
	enc.sue_address.ss_family = AF_INET;
	enc.sue_port = htons(peer_udp);
	if (usrsctp_setsockopt(so, IPPROTO_SCTP, SCTP_REMOTE_UDP_ENCAPS_PORT,
	    &enc, sizeof(enc)))
		die("SCTP_REMOTE_UDP_ENCAPS_PORT");
	if (usrsctp_connect(so, (struct sockaddr *)&sin, sizeof(sin)))
		die("usrsctp_connect");
	memset(&snd, 0, sizeof(snd));
	end = now() + secs;
	while (now() < end) {
		if (usrsctp_sendv(so, buf, size, NULL, 0, &snd, sizeof(snd),
		    SCTP_SENDV_SNDINFO, 0) < 0)
			die("usrsctp_sendv");
		sent++;
	}
	usrsctp_close(so);
	while (usrsctp_finish() != 0)
		usleep(100000);
	return sent;
}

/* The receiver half, in the child: its result goes up the pipe. */
static void
receiver(const char *mode, int lfd, struct socket *lso, size_t size, int wfd)
{
	struct result r;

	if (strcmp(mode, "udp") == 0)
		r = udp_receive(lfd);
	else if (strcmp(mode, "tcp") == 0)
		r = tcp_receive(lfd, size);
	else
		r = sctp_receive(lso);
	if (write(wfd, &r, sizeof(r)) != (ssize_t)sizeof(r))
		die("pipe");
	_exit(0);
}

int
main(int argc, char **argv)
{
	struct socket *lso = NULL;
	struct result r;
	uint16_t port;
	uint64_t sent;
	size_t size;
	double secs;
	int p[2], lfd = -1;
	pid_t pid;

	if (argc < 4) {
		fprintf(stderr, "usage: rawpair udp|tcp|sctp-udp SIZE SECONDS"
		    " [PORT]\n");
		return 2;
	}
	size = strtoul(argv[2], NULL, 10);
	secs = strtod(argv[3], NULL);
	port = argc > 4 ? strtoul(argv[4], NULL, 10) : 9911;
	if (size < 1 || size > MAXSIZE || secs <= 0)
		return 2;
	if (pipe(p))
		die("pipe");
	/* listen before forking the sender, so it never meets a closed port */
	if (strcmp(argv[1], "udp") == 0)
		lfd = udp_rx_socket(port);
	else if (strcmp(argv[1], "tcp") == 0)
		lfd = tcp_listener(port);
	else if (strcmp(argv[1], "sctp-udp") != 0)
		return 2;
	if ((pid = fork()) < 0)
		die("fork");
	if (pid == 0) {
		if (lfd < 0)
			lso = sctp_listener(port);
		receiver(argv[1], lfd, lso, size, p[1]);
	}
	if (lfd >= 0)
		close(lfd);
	else
		usleep(300000);	/* the child's usrsctp stack comes up */
	if (strcmp(argv[1], "udp") == 0)
		sent = udp_send(port, size, secs);
	else if (strcmp(argv[1], "tcp") == 0)
		sent = tcp_send(port, size, secs);
	else
		sent = sctp_send(port, size, secs);
	if (read(p[0], &r, sizeof(r)) != (ssize_t)sizeof(r))
		die("receiver");
	waitpid(pid, NULL, 0);
	if (r.secs <= 0)
		r.secs = secs;
	printf("%s size=%zu seconds=%.3f sent=%llu received=%llu loss=%.2f%%"
	    " msgs/s=%.0f MB/s=%.1f\n", argv[1], size, r.secs,
	    (unsigned long long)sent, (unsigned long long)r.msgs,
	    sent ? 100.0 * (double)(sent - (r.msgs < sent ? r.msgs : sent)) /
	    (double)sent : 0.0, r.msgs / r.secs, r.bytes / r.secs / 1e6);
	return 0;
}
