/*
 * test_exp_conn: the hand-off's order between sessions (exp_conn.c). A
 * next session that is up takes the data only once the previous old one
 * is reaped: switching earlier freed that one mid-close (an SCTP ABORT
 * over DTLS/SCTP, its last messages lost). At the end, an old session
 * that closed already is reaped without waiting out its linger bound
 * (nothing watches it any more: ipfix-send took 5 s more to exit). Real
 * hand-offs run end to end in tests/liveness.bats.
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
	test_drain_closed();
	TEST_DONE();
}
