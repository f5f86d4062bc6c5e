#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/socket.h>

#include "readsess.h"

const char *
ipfix_readsess_format(const struct ipfix_session_info *si, char *buf,
    size_t size)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	bool v6 = si->family == AF_INET6;

	if (inet_ntop(si->family, si->src, a, sizeof(a)) == NULL ||
	    inet_ntop(si->family, si->dst, b, sizeof(b)) == NULL)
		return NULL;
	snprintf(buf, size, "%s %s%s%s:%u -> %s%s%s:%u",
	    si->proto == IPPROTO_TCP ? "tcp" : "udp", v6 ? "[" : "", a,
	    v6 ? "]" : "", si->sport, v6 ? "[" : "", b, v6 ? "]" : "",
	    si->dport);
	return buf;
}

const char *
ipfix_readsess_name(const struct ipfix_reader *rd, uint32_t session,
    char *buf, size_t size)
{
	const struct ipfix_session_info *si;

	if (rd == NULL || (si = ipfix_reader_session(rd, session)) == NULL)
		return NULL;
	return ipfix_readsess_format(si, buf, size);
}

enum ipfix_transport_kind
ipfix_readsess_kind(const struct ipfix_reader *rd, uint32_t session)
{
	const struct ipfix_session_info *si;
	enum ipfix_input_format f = ipfix_reader_format(rd);

	if (f == IPFIX_IN_RAW || f == IPFIX_IN_GZIP)
		return IPFIX_KIND_FILE;
	si = ipfix_reader_session(rd, session);
	return si != NULL && si->proto == IPPROTO_TCP ? IPFIX_KIND_TCP :
	    IPFIX_KIND_UDP;
}
