/* Temporary: the secured kinds while tls.c is written. */
#include "chan_int.h"

static int
stub_init(struct ipfix_chan *c, bool server, struct ipfix_err *err)
{
	(void)c;
	(void)server;
	return ipfix_err_set(err, IPFIX_E_TLS, IPFIX_NO_OFFSET, NULL,
	    "chan: secured sessions are not built yet");
}

const struct ipfix_chan_ops ipfix_chan_tls_ops = { .name = "tls",
    .init = stub_init };
const struct ipfix_chan_ops ipfix_chan_dtls_ops = { .name = "dtls",
    .init = stub_init };
const struct ipfix_chan_ops ipfix_chan_dtls_sctp_ops = { .name = "dtls-sctp",
    .init = stub_init };

struct ipfix_sec_ctx *
ipfix_sec_ctx_new(const struct ipfix_sec_config *cfg, bool server,
    enum ipfix_scheme scheme, struct ipfix_err *err)
{
	(void)cfg;
	(void)server;
	(void)scheme;
	ipfix_err_set(err, IPFIX_E_TLS, IPFIX_NO_OFFSET, NULL,
	    "tls: not built yet");
	return NULL;
}

void
ipfix_sec_ctx_free(struct ipfix_sec_ctx *c)
{
	(void)c;
}

unsigned
ipfix_sec_ctx_hs_timeout(const struct ipfix_sec_ctx *c)
{
	(void)c;
	return 10000;
}

unsigned
ipfix_sec_ctx_max_handshakes(const struct ipfix_sec_ctx *c)
{
	(void)c;
	return 64;
}
