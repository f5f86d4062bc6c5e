/* Unit tests of evloop: fd events, timers, hooks, and failure paths. */
#include <sys/resource.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "evloop.h"
#include "testhelp.h"

struct rec {
	int calls;
	int mask;
	char order[16];
	size_t n;
	long long other;	/* a timer to delete from a callback */
	long long added;	/* a timer added from a callback */
	struct ev_loop *ev;
};

static void
on_fd(struct ev_loop *ev, int fd, int mask, void *arg)
{
	struct rec *r = arg;
	char c;

	(void)ev;
	r->calls++;
	r->mask = mask;
	if (mask & EV_READ)
		(void)!read(fd, &c, 1);
}

static void
test_fds(void)
{
	struct ipfix_err err;
	struct ev_loop *ev = ev_new(64, &err);
	struct rec r = { 0 };
	int p[2], n;

	CHECK(ev != NULL, "ev_new(64)");
	CHECK(pipe2(p, O_NONBLOCK) == 0, "pipe");
	CHECK(ev_fd_add(ev, p[0], EV_READ, on_fd, &r, &err) == 0, "add read");
	CHECK_EQ_U(ev_fd_mask(ev, p[0]), EV_READ, "mask is read");
	n = ev_run_once(ev, 0, &err);
	CHECK(n == 0 && r.calls == 0, "nothing ready, no call");
	(void)!write(p[1], "x", 1);
	n = ev_run_once(ev, 1000, &err);
	CHECK(n == 1 && r.calls == 1 && (r.mask & EV_READ), "read fired");
	CHECK(ev_fd_add(ev, p[1], EV_WRITE, on_fd, &r, &err) == 0,
	    "add write");
	n = ev_run_once(ev, 1000, &err);
	CHECK(n == 1 && r.calls == 2 && r.mask == EV_WRITE, "write fired");
	ev_fd_del(ev, p[1], EV_WRITE);
	CHECK_EQ_U(ev_fd_mask(ev, p[1]), EV_NONE, "write removed");
	(void)!write(p[1], "y", 1);
	ev_fd_del(ev, p[0], EV_READ);
	n = ev_run_once(ev, 0, &err);
	CHECK(n == 0 && r.calls == 2, "removed fd is not reported");
	close(p[0]);
	close(p[1]);
	ev_free(ev);
}

static void
test_hangup(void)
{
	struct ipfix_err err;
	struct ev_loop *ev = ev_new(64, &err);
	struct rec r = { 0 };
	int p[2];

	CHECK(pipe2(p, O_NONBLOCK) == 0, "pipe");
	CHECK(ev_fd_add(ev, p[0], EV_READ, on_fd, &r, &err) == 0, "add");
	close(p[1]);
	CHECK(ev_run_once(ev, 1000, &err) == 1 && (r.mask & EV_READ),
	    "hang-up wakes the reader");
	close(p[0]);
	ev_free(ev);
}

static long
tick(struct ev_loop *ev, long long id, void *arg)
{
	struct rec *r = arg;

	(void)ev;
	(void)id;
	if (r->n < sizeof(r->order) - 1)
		r->order[r->n++] = (char)('0' + r->calls % 10);
	r->calls++;
	return r->calls < 3 ? 0 : EV_STOP;
}

static long
mark(struct ev_loop *ev, long long id, void *arg)
{
	char *c = arg;

	(void)ev;
	(void)id;
	(*c)++;
	return EV_STOP;
}

static void
test_timers_basic(void)
{
	struct ipfix_err err;
	struct ev_loop *ev = ev_new(8, &err);
	struct rec r = { 0 };
	char a = 0, b = 0;
	long long id, del;
	uint64_t t0;

	id = ev_timer_add(ev, 0, tick, &r, &err);
	CHECK(id > 0, "timer added");
	CHECK(ev_run_once(ev, 0, &err) == 1 && r.calls == 1,
	    "a 0 ms timer runs once per pass, not in a loop");
	CHECK(ev_run_once(ev, 0, &err) == 1 && r.calls == 2, "second pass");
	CHECK(ev_run_once(ev, 0, &err) == 1 && r.calls == 3, "third pass");
	CHECK(ev_run_once(ev, 0, &err) == 0 && r.calls == 3,
	    "EV_STOP ends it");
	CHECK(ev_timer_del(ev, id) == -1, "a stopped timer is gone");
	(void)!ev_timer_add(ev, 30, mark, &b, &err);
	del = ev_timer_add(ev, 10, mark, &a, &err);
	CHECK(ev_timer_del(ev, del) == 0, "delete pending timer");
	t0 = ev_now_ms();
	CHECK(ev_run_once(ev, -1, &err) == 1 && b == 1 && a == 0,
	    "sleeps until the next timer; deleted one never runs");
	CHECK(ev_now_ms() - t0 >= 29, "slept about 30 ms (%llu)",
	    (unsigned long long)(ev_now_ms() - t0));
	ev_free(ev);
}

static long
adder(struct ev_loop *ev, long long id, void *arg)
{
	struct rec *r = arg;
	struct ipfix_err err;

	(void)id;
	r->calls++;
	r->added = ev_timer_add(ev, 0, tick, r, &err);
	if (r->other > 0)
		(void)ev_timer_del(ev, r->other);
	return EV_STOP;
}

static long
selfdel(struct ev_loop *ev, long long id, void *arg)
{
	int *n = arg;

	(*n)++;
	CHECK(ev_timer_del(ev, id) == 0, "a timer deletes itself");
	return 5;	/* ignored: it was deleted */
}

static void
test_timers_pass(void)
{
	struct ipfix_err err;
	struct ev_loop *ev = ev_new(8, &err);
	struct rec r = { 0 };
	char victim = 0;
	int self = 0, i;

	(void)!ev_timer_add(ev, 0, adder, &r, &err);
	r.other = ev_timer_add(ev, 0, mark, &victim, &err);
	(void)!ev_timer_add(ev, 0, selfdel, &self, &err);
	usleep(2000);
	CHECK(ev_run_once(ev, 0, &err) >= 2, "pass ran");
	CHECK(r.calls == 1, "adder ran once");
	CHECK(r.n == 0, "timer added during the pass did not run in it");
	CHECK(victim == 0, "due timer deleted by an earlier one did not run");
	CHECK(self == 1, "self-deleting timer ran once");
	CHECK(ev_run_once(ev, 0, &err) == 1 && r.n == 1,
	    "added timer runs in the next pass");
	for (i = 0; i < 40; i++)
		(void)!ev_timer_add(ev, 1000 + i, mark, &victim, &err);
	CHECK(ev_run_once(ev, 0, &err) >= 1, "heap grows past 16 timers");
	ev_free(ev);	/* frees pending timers (ASan checks) */
}

static void
hook(struct ev_loop *ev, void *arg)
{
	(void)ev;
	(*(int *)arg)++;
}

static void
test_hook_and_run(void)
{
	struct ipfix_err err;
	struct ev_loop *ev = ev_new(8, &err);
	int n = 0;

	ev_set_before_sleep(ev, hook, &n);
	(void)ev_run_once(ev, 0, &err);
	(void)ev_run_once(ev, 0, &err);
	CHECK(n == 2, "before-sleep hook runs every pass");
	ev_set_before_sleep(ev, NULL, NULL);
	(void)ev_run_once(ev, 0, &err);
	CHECK(n == 2, "hook removed");
	ev_free(ev);
}

/* Before-block: not while an fd is ready, once before a real sleep,
 * never for a pass that does not sleep; ev_stop from it ends the pass. */
static void
block_stop(struct ev_loop *ev, void *arg)
{
	(*(int *)arg)++;
	ev_stop(ev);
}

static void
test_before_block(void)
{
	struct ipfix_err err;
	struct ev_loop *ev = ev_new(64, &err);
	struct rec r = { 0 };
	int n = 0, p[2];
	uint64_t t0;

	CHECK(ev != NULL && pipe2(p, O_NONBLOCK) == 0, "before-block: setup");
	CHECK(ev_fd_add(ev, p[0], EV_READ, on_fd, &r, &err) == 0,
	    "before-block: watch a pipe");
	ev_set_before_block(ev, hook, &n);
	(void)!write(p[1], "x", 1);
	CHECK(ev_run_once(ev, 1000, &err) == 1 && r.calls == 1 && n == 0,
	    "before-block: not called while an fd is ready");
	CHECK(ev_run_once(ev, 20, &err) == 0 && n == 1,
	    "before-block: called once before sleeping idle");
	CHECK(ev_run_once(ev, 0, &err) == 0 && n == 1,
	    "before-block: not called for a pass that does not sleep");
	ev_set_before_block(ev, block_stop, &n);
	t0 = ev_now_ms();
	CHECK(ev_run(ev, &err) == 0 && n == 2 && ev_now_ms() - t0 < 1000,
	    "before-block: ev_stop from the hook ends the run at once");
	ev_set_before_block(ev, NULL, NULL);
	CHECK(ev_run_once(ev, 10, &err) == 0 && n == 2,
	    "before-block: removed");
	close(p[0]);
	close(p[1]);
	ev_free(ev);
}

static long
stopper(struct ev_loop *ev, long long id, void *arg)
{
	(void)id;
	(void)arg;
	ev_stop(ev);
	return EV_STOP;
}

static void
test_run_stop(void)
{
	struct ipfix_err err;
	struct ev_loop *ev = ev_new(8, &err);

	(void)!ev_timer_add(ev, 5, stopper, NULL, &err);
	CHECK(ev_run(ev, &err) == 0, "ev_run returns after ev_stop");
	ev_free(ev);
}

static void
test_failures(void)
{
	struct ipfix_err err;
	struct ev_loop *ev;
	struct rec r = { 0 };
	pid_t pid;
	int st, fd;

	ipfix_err_clear(&err);
	CHECK(ev_new(0, &err) == NULL && err.code == IPFIX_E_USAGE,
	    "ev_new(0) fails");
	CHECK(ev_new(-5, NULL) == NULL, "ev_new(-5) fails without err");
	ev_free(NULL);
	ev = ev_new(4, &err);
	CHECK(ev_fd_add(ev, 4, EV_READ, on_fd, &r, &err) == -1 &&
	    err.code == IPFIX_E_LIMIT, "fd beyond setsize refused");
	CHECK(ev_fd_add(ev, -1, EV_READ, on_fd, &r, &err) == -1,
	    "negative fd refused");
	fd = open("/dev/null", O_RDONLY);
	if (fd >= 0 && fd < 4) {
		CHECK(ev_fd_add(ev, fd, EV_READ, on_fd, &r, &err) == -1 &&
		    err.code == IPFIX_E_IO, "epoll refuses a regular file");
		CHECK_EQ_U(ev_fd_mask(ev, fd), EV_NONE, "mask unchanged");
	} else
		CHECK(1, "fd %d out of the small set, skip epoll refusal", fd);
	if (fd >= 0)
		close(fd);
	CHECK(ev_timer_del(ev, 12345) == -1, "unknown timer");
	ev_free(ev);
	/* epoll_create1 failing must not leak what was allocated: run it in
	 * a child with no descriptors left (LeakSanitizer checks its exit). */
	fflush(stdout);
	if ((pid = fork()) == 0) {
		struct rlimit rl, none;
		int ok;

		getrlimit(RLIMIT_NOFILE, &rl);
		none = rl;
		none.rlim_cur = 0;
		setrlimit(RLIMIT_NOFILE, &none);
		ev = ev_new(16, &err);
		ok = ev == NULL && err.code == IPFIX_E_IO &&
		    strstr(err.reason, "epoll_create1") != NULL;
		/* LeakSanitizer needs descriptors to inspect the child. */
		setrlimit(RLIMIT_NOFILE, &rl);
		exit(ok ? 0 : 1);
	}
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0, "epoll_create1 failure: NULL, err, no leak");
}

int
main(void)
{
	test_fds();
	test_hangup();
	test_timers_basic();
	test_timers_pass();
	test_hook_and_run();
	test_before_block();
	test_run_stop();
	test_failures();
	TEST_DONE();
}
