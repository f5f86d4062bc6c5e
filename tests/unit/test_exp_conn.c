/*
 * test_exp_conn: the hand-off's order between sessions (exp_conn.c). A
 * next session that is up takes the data only once the previous old one
 * is reaped: switching earlier freed that one mid-close (an SCTP ABORT
 * over DTLS/SCTP, its last messages lost). exp_conn_step never waits: in
 * a backoff it says when to call again; with the test sink a session is
 * up at once. At the end, an old session that closed already is reaped
 * without waiting out its linger bound (nothing watches it any more:
 * ipfix-send took 5 s more to exit). Real hand-offs and reconnects run
 * end to end in tests/liveness.bats.
 */
#include <stdlib.h>

#include "evloop.h"
#include "exporter_int.h"
#include "testhelp.h"

static void
test_wait_for_old(void)
{
	struct ipfix_exporter *x = calloc(1, sizeof(*x));
	struct exp_sess *next = calloc(1, sizeof(*next));
	struct exp_sess *old = calloc(1, sizeof(*old));

	if (x == NULL || next == NULL || old == NULL) {
		CHECK(0, "out of memory");
		free(x), free(next), free(old);
		return;
	}
	x->cfg.connect_ms = 60000;
	next->opened_ms = ev_now_ms();	/* the test sink's: up at once */
	next->fd = old->fd = -1;
	old->close_by_ms = ev_now_ms() + 60000;
	x->next = next;
	x->old = old;
	CHECK(!exp_conn_next_ready(x), "hand-off: not while the old session "
	    "is still there");
	CHECK(!exp_conn_reap(x) && x->old == NULL, "hand-off: the old session "
	    "reaped once closed");
	CHECK(exp_conn_next_ready(x), "hand-off: the next session ready then");
	x->next = NULL;
	free(next);
	free(x);
}

static void
count_event(void *arg, enum ipfix_exp_event ev, const char *detail,
    const struct ipfix_err *err)
{
	(void)detail;
	(void)err;
	if (ev == IPFIX_EXP_RETRY)
		(*(int *)arg)++;
}

static int
sink_send(void *arg, uint64_t session, const uint8_t *msg, size_t len,
    uint16_t stream, struct ipfix_err *err)
{
	(void)arg, (void)session, (void)msg, (void)len, (void)stream;
	(void)err;
	return IPFIX_T_OK;
}

static void
test_step(void)
{
	struct ipfix_exp_sink sink = { .max_msg = 1400, .send = sink_send };
	struct ipfix_exporter *x = calloc(1, sizeof(*x));
	uint64_t due = 0, t0 = ev_now_ms();
	int retries = 0, rc, rc2;

	if (x == NULL) {
		CHECK(0, "out of memory");
		return;
	}
	x->env.cfg = &x->cfg;
	x->cfg.max_retries = -1;
	x->cfg.retry_min_ms = 1000;
	x->cfg.retry_max_ms = 4000;
	x->cfg.connect_ms = 1000;
	x->cfg.on_event = count_event;
	x->cfg.arg = &retries;
	x->last_attempt_ms = t0;	/* an attempt just failed */
	x->attempts = 1;
	rc = exp_conn_step(x, &due);
	rc2 = exp_conn_step(x, &due);
	CHECK(rc == 0 && rc2 == 0 && x->cur == NULL && x->conn == NULL &&
	    due >= t0 + 1000 && due <= t0 + 1100 && ev_now_ms() < t0 + 500,
	    "step: in a backoff, no attempt and no wait; the next step is due "
	    "at its end (%llu ms)", (unsigned long long)(due - t0));
	CHECK_EQ_U(retries, 1, "step: the backoff announced once");
	x->cfg.sink = &sink;	/* the sink has no backoff: up at once */
	rc = exp_conn_step(x, &due);
	CHECK(rc == 1 && x->cur != NULL && x->cur->max_msg == 1400 &&
	    x->st.sessions == 1 && x->st.attempts == 1 && x->attempts == 0,
	    "step: the sink's session is up in one step (one attempt, the "
	    "backoff reset)");
	exp_sess_free(x->cur);
	free(x);
}

static void
test_drain_closed(void)
{
	struct ipfix_exporter *x = calloc(1, sizeof(*x));
	struct exp_sess *old = calloc(1, sizeof(*old));
	struct ipfix_err err;
	uint64_t t0;

	if (x == NULL || old == NULL ||
	    (x->ev = ev_new(16, &err)) == NULL) {
		CHECK(0, "out of memory");
		free(x), free(old);
		return;
	}
	old->fd = -1;
	old->lost = true;	/* closed: its descriptor is watched no more */
	old->close_by_ms = ev_now_ms() + 3000;
	x->old = old;
	t0 = ev_now_ms();
	exp_conn_drain(x);
	CHECK(x->old == NULL && ev_now_ms() - t0 < 1000, "drain: a closed old "
	    "session ends at once, not at its linger bound (%llu ms)",
	    (unsigned long long)(ev_now_ms() - t0));
	ev_free(x->ev);
	free(x);
}

int
main(void)
{
	test_wait_for_old();
	test_step();
	test_drain_closed();
	TEST_DONE();
}
