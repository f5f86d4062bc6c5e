/*
 * probe: dtls-probe's logic (layer 5, beside exporter and collector, over
 * chan and chan_probe). Client mode performs handshakes to a DTLS, DTLS/
 * SCTP or TLS peer and the checks asked for (resumption, renegotiation, a
 * session kept between runs, repeated handshakes) into a struct
 * ipfix_probe_result; listen mode shows what exporters offer and, with
 * dump, decodes what they send through the printer. The report renders a
 * result as text or one JSON object into a caller-owned FILE.
 */
#ifndef IPFIX_PROBE_H
#define IPFIX_PROBE_H

#include <stdbool.h>
#include <stdio.h>

#include "chan_probe.h"

/* Exit codes (dtls-probe.1). */
enum {
	PROBE_EXIT_OK = 0,		/* every check passed */
	PROBE_EXIT_HANDSHAKE = 1,	/* handshake failed */
	PROBE_EXIT_USAGE = 2,
	PROBE_EXIT_AUTH = 3,		/* authentication failed */
	PROBE_EXIT_UNREACH = 4,		/* unreachable or timed out */
	PROBE_EXIT_CHECK = 5,		/* a requested check failed */
};

struct ipfix_probe_config {
	struct ipfix_endpoint ep;
	struct ipfix_topts topts;
	struct ipfix_sec_config sec;
	unsigned timeout_ms;		/* the whole run (0: 10000) */
	bool resume;			/* a second, resumed handshake */
	bool renegotiate;
	const char *session_file;	/* compare with the last run's */
	unsigned count;			/* handshakes (0, 1: one) */
	unsigned interval_ms;		/* between them */
	const char *send_file;		/* an IPFIX stream to send */
	/* Listen mode: stop after count sessions ended (0: at timeout). */
	bool listen;
	bool dump;			/* print the IPFIX that arrives */
	bool json;
	FILE *out;			/* listen mode's report and dump */
};

/* Live events for -v: one line each, as they happen. */
struct ipfix_probe_ops {
	void (*on_event)(void *arg, const char *line);
};

#define PROBE_FLIGHTS	12

/* One flight: consecutive messages in one direction. */
struct ipfix_probe_flight {
	bool sent;
	double at_ms;			/* since the handshake began */
	char msgs[160];
};

/* One handshake. */
struct ipfix_probe_hs {
	bool ok;
	double ms;			/* ClientHello to done */
	bool hvr;			/* a HelloVerifyRequest came */
	double cookie_ms;		/* ClientHello to HelloVerifyRequest */
	unsigned retrans;		/* messages we sent again */
	unsigned nrecv;			/* messages received */
	bool sent_finished;
	bool no_reneg_alert;		/* a no_renegotiation alert came */
	bool ticket_seen;		/* a NewSessionTicket came */
	bool cert_req;			/* a CertificateRequest came */
	size_t nflights;
	struct ipfix_probe_flight flights[PROBE_FLIGHTS];
	int exit;			/* its class when it failed */
	char reason[256];
};

enum ipfix_probe_check {
	PROBE_NOT_ASKED = 0, PROBE_PASS, PROBE_FAIL, PROBE_NA,
};

struct ipfix_probe_result {
	char target[IPFIX_HOST_MAX + 32];	/* the URL */
	char peer[IPFIX_ADDRSTR_MAX];
	char reach[128];		/* "reachable", "ICMP: ..." */
	struct ipfix_probe_hs first;
	bool have_info;
	struct ipfix_tls_info info;
	char name_check[320];		/* what --peer-name (or the host)
					   gave, or why it was not checked */
	/* --resume */
	enum ipfix_probe_check resume;
	char resume_how[64];		/* "ticket", "session id", or why */
	double full_ms, resumed_ms;
	/* --renegotiate */
	enum ipfix_probe_check reneg;
	char reneg_how[256];
	double reneg_ms;
	/* --session FILE */
	enum ipfix_probe_check session;
	char session_how[256];
	/* --count */
	unsigned count, count_ok;
	double min_ms, median_ms, max_ms;
	/* --send FILE */
	enum ipfix_probe_check send;
	char send_how[256];
	uint64_t sent_msgs, sent_records, sent_bytes, unsent_records;
	int exit;			/* the run's exit code */
};

/* Client mode: fills r (the caller's, any content) and returns the exit
 * code. Usage problems (bad --cert...) are PROBE_EXIT_USAGE with the
 * reason in r->first.reason. */
int ipfix_probe_run(const struct ipfix_probe_config *cfg,
    const struct ipfix_probe_ops *ops, void *arg,
    struct ipfix_probe_result *r);

/* Listen mode: reports each exporter to cfg->out as it comes (JSON: one
 * object at the end); the exit code (0 when a handshake completed, 1 when
 * only failed ones came, 4 when none came within the timeout). err says
 * why it could not listen (PROBE_EXIT_USAGE). */
int ipfix_probe_listen(const struct ipfix_probe_config *cfg,
    const struct ipfix_probe_ops *ops, void *arg, struct ipfix_err *err);

/* The report of a client run. Returns 0, or -1 when writing failed. */
int ipfix_probe_report(FILE *out, const struct ipfix_probe_result *r,
    bool json);

#endif
