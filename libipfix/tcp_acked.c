/*
 * tcp_acked: what the peer's kernel acknowledged of a TCP stream, for the
 * exporter's delivery accounting (transport.h). A file of its own because
 * tcpi_bytes_acked is only in <linux/tcp.h>, which clashes with the
 * <netinet/tcp.h> the rest of tcp.c needs.
 */
#include <stddef.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/tcp.h>

#include "transport.h"

int
ipfix_transport_acked(const struct ipfix_transport *t, uint64_t *acked)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	if (t == NULL || !t->bytestream || t->fd < 0)
		return -1;
	if (getsockopt(t->fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == -1 ||
	    len < offsetof(struct tcp_info, tcpi_bytes_acked) +
	    sizeof(ti.tcpi_bytes_acked))
		return -1;
	/* A FIN exchanged may count one sequence number more (seen after
	 * the peer closed): less than any message, and never past what we
	 * took. */
	*acked = ti.tcpi_bytes_acked > t->tx_taken ? t->tx_taken :
	    ti.tcpi_bytes_acked;
	return 0;
}
