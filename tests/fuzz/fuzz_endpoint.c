/*
 * fuzz_endpoint: ipfix_endpoint_parse on the bytes as a URL string, then
 * the round trip format -> parse must give the same endpoint; and
 * ipfix_addr_format on socket addresses built from the bytes, with small
 * output buffers. Nothing is resolved (no DNS in a fuzzer).
 */
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "endpoint.h"
#include "fuzz.h"

#define URL_MAX 600

static void
round_trip(const struct ipfix_endpoint *ep)
{
	char buf[IPFIX_HOST_MAX + 64];
	struct ipfix_endpoint again;
	struct ipfix_err err;

	FUZZ_ASSERT(memchr(ep->host, '\0', sizeof(ep->host)) != NULL);
	FUZZ_ASSERT(ipfix_endpoint_format(ep, buf, sizeof(buf)) == buf);
	FUZZ_ASSERT(memchr(buf, '\0', sizeof(buf)) != NULL);
	FUZZ_ASSERT(ipfix_endpoint_parse(buf, &again, &err) == 0);
	FUZZ_ASSERT(again.scheme == ep->scheme);
	FUZZ_ASSERT(again.port == ep->port);
	FUZZ_ASSERT(strcmp(again.host, ep->host) == 0);
	(void)ipfix_scheme_name(ep->scheme);
	(void)ipfix_endpoint_tproto(ep, false);
	(void)ipfix_endpoint_tproto(ep, true);
}

/* Format the first bytes as an IPv4 or IPv6 address into cap bytes. */
static void
addr_format(const uint8_t *data, size_t size)
{
	struct sockaddr_storage ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	char buf[IPFIX_ADDRSTR_MAX];
	size_t cap;
	socklen_t len;

	if (size < 1 + sizeof(*s6))
		return;
	memset(&ss, 0, sizeof(ss));
	memcpy(&ss, data + 1, sizeof(*s6));
	cap = data[0] % (sizeof(buf) + 1);
	if (data[0] & 0x80) {
		s6->sin6_family = AF_INET6;
		len = sizeof(*s6);
	} else {
		s4->sin_family = (data[0] & 0x40) ? AF_INET : AF_UNIX;
		len = sizeof(*s4);
	}
	(void)ipfix_addr_format((struct sockaddr *)&ss, len, buf, cap);
	if (cap > 0)
		FUZZ_ASSERT(memchr(buf, '\0', cap) != NULL);
	(void)ipfix_addr_port((struct sockaddr *)&ss);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipfix_endpoint ep;
	struct ipfix_err err;
	char *url;

	if (size > URL_MAX)
		return 0;
	if ((url = malloc(size + 1)) == NULL)
		return 0;
	memcpy(url, data, size);
	url[size] = '\0';
	if (ipfix_endpoint_parse(url, &ep, &err) == 0)
		round_trip(&ep);
	else
		FUZZ_ASSERT(err.code != IPFIX_OK);
	free(url);
	addr_format(data, size);
	return 0;
}
