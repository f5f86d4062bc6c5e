/*
 * probe_send: --send FILE. The exporter sends the stream over a Transport
 * Session of the probe's own security context, so it resumes the probe's
 * session where the scheme allows, re-packed to the data MTU as
 * ipfix-send would; the report says what it sent and what it could not.
 */
#include <string.h>

#include "exporter.h"
#include "probe_int.h"
#include "stream.h"

#define LINGER_MS	2000

static unsigned
left_ms(uint64_t deadline_ms)
{
	uint64_t now = ev_now_ms();

	return deadline_ms > now + 1 ? (unsigned)(deadline_ms - now) : 1;
}

static void
send_stats(struct ipfix_exporter *x, struct ipfix_probe_result *r)
{
	struct ipfix_exporter_stats st;

	ipfix_exporter_stats(x, &st);
	r->sent_msgs = st.out_messages;
	r->sent_records = st.out_records;
	r->sent_bytes = st.out_bytes;
	r->unsent_records = st.not_sent_records;
}

/* Feed message by message, so the deadline holds between messages. */
static int
feed_all(struct ipfix_exporter *x, struct ipfix_reader *rd,
    uint64_t deadline_ms, struct ipfix_err *err)
{
	struct ipfix_msg_meta meta;
	const uint8_t *msg;
	size_t len;
	int rc;

	while ((rc = ipfix_reader_next(rd, &msg, &len, &meta, err)) == 1) {
		if (ev_now_ms() >= deadline_ms)
			return ipfix_err_set(err, IPFIX_E_NET, IPFIX_NO_OFFSET,
			    NULL, "--timeout reached while sending");
		if (ipfix_exporter_feed(x, msg, len, &meta, err) == -1)
			return -1;
	}
	if (rc == -1)
		return -1;
	return ipfix_exporter_finish(x, err);
}

void
ipfix_probe_send(const struct ipfix_probe_config *cfg,
    struct ipfix_sec_ctx *sec, uint64_t deadline_ms,
    struct ipfix_probe_result *r)
{
	struct ipfix_exporter_config xc;
	struct ipfix_exporter *x = NULL;
	struct ipfix_reader *rd;
	struct ipfix_err err;
	int rc = -1;

	ipfix_err_clear(&err);
	ipfix_exporter_config_init(&xc);
	xc.ep = cfg->ep;
	xc.topts = cfg->topts;
	xc.sec = sec;
	xc.max_retries = 0;
	xc.connect_ms = left_ms(deadline_ms);
	xc.linger_ms = xc.connect_ms < LINGER_MS ? xc.connect_ms : LINGER_MS;
	if ((rd = ipfix_reader_open(cfg->send_file, NULL, &err)) != NULL &&
	    (x = ipfix_exporter_new(&xc, &err)) != NULL) {
		rc = feed_all(x, rd, deadline_ms, &err);
		send_stats(x, r);
	}
	r->send = rc == 0 && r->unsent_records == 0 ? PROBE_PASS : PROBE_FAIL;
	if (rc == 0)
		snprintf(r->send_how, sizeof(r->send_how), "%llu messages, "
		    "%llu records, %llu bytes sent; %llu records not sent",
		    (unsigned long long)r->sent_msgs,
		    (unsigned long long)r->sent_records,
		    (unsigned long long)r->sent_bytes,
		    (unsigned long long)r->unsent_records);
	else
		snprintf(r->send_how, sizeof(r->send_how), "%s", err.reason);
	ipfix_exporter_free(x);
	ipfix_reader_close(rd);
}
