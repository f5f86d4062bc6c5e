/* evloop: see evloop.h. epoll sits in the few ep_* functions below. */
#include <sys/epoll.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "evloop.h"

struct ev_fd {
	int mask;
	ev_fd_cb *cb;
	void *arg;
};

struct ev_timer {
	long long id;
	uint64_t when;
	ev_timer_cb *cb;
	void *arg;
	size_t idx;		/* position in the heap while in it */
	bool in_heap;
	bool dead;		/* deleted while waiting in 'due' */
};

struct ev_loop {
	int epfd;
	int setsize;
	struct ev_fd *fds;		/* setsize entries */
	struct epoll_event *fired;	/* setsize entries */
	struct ev_timer **heap;		/* min-heap on 'when' */
	struct ev_timer **due;		/* the timers of the current pass */
	size_t nheap, ndue, cap;	/* heap and due share cap */
	long long next_id;
	ev_hook_cb *before_sleep;
	void *hook_arg;
	ev_hook_cb *before_block;
	void *block_arg;
	bool stop;
};

uint64_t
ev_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* --- epoll backend ------------------------------------------------------ */

static int
ep_events(int mask)
{
	return (mask & EV_READ ? EPOLLIN : 0) | (mask & EV_WRITE ? EPOLLOUT : 0);
}

static int
ep_set(struct ev_loop *ev, int fd, int old, int mask)
{
	struct epoll_event ee;
	int op = old == EV_NONE ? EPOLL_CTL_ADD :
	    mask == EV_NONE ? EPOLL_CTL_DEL : EPOLL_CTL_MOD;

	memset(&ee, 0, sizeof(ee));
	ee.events = (uint32_t)ep_events(mask);
	ee.data.fd = fd;
	return epoll_ctl(ev->epfd, op, fd, &ee);
}

static int
ep_fired_mask(uint32_t e)
{
	int m = 0;

	if (e & EPOLLIN)
		m |= EV_READ;
	if (e & EPOLLOUT)
		m |= EV_WRITE;
	/* Errors and hang-ups wake both directions, so the callback's own
	 * read or write sees the error (ECONNREFUSED, EOF). */
	if (e & (EPOLLERR | EPOLLHUP))
		m |= EV_ERROR | EV_READ | EV_WRITE;
	return m;
}

/* --- creation ----------------------------------------------------------- */

struct ev_loop *
ev_new(int setsize, struct ipfix_err *err)
{
	struct ev_loop *ev;

	if (setsize <= 0) {
		ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL,
		    "evloop: set size %d must be positive", setsize);
		return NULL;
	}
	if ((ev = calloc(1, sizeof(*ev))) == NULL)
		goto nomem;
	ev->epfd = -1;
	ev->setsize = setsize;
	ev->next_id = 1;
	ev->fds = calloc((size_t)setsize, sizeof(*ev->fds));
	ev->fired = calloc((size_t)setsize, sizeof(*ev->fired));
	if (ev->fds == NULL || ev->fired == NULL)
		goto nomem;
	if ((ev->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		ipfix_err_sys(err, IPFIX_E_IO, "evloop: epoll_create1");
		ev_free(ev);
		return NULL;
	}
	return ev;
nomem:
	ipfix_err_set(err, IPFIX_E_NOMEM, IPFIX_NO_OFFSET, NULL,
	    "evloop: out of memory for %d descriptors", setsize);
	ev_free(ev);
	return NULL;
}

void
ev_free(struct ev_loop *ev)
{
	size_t i;

	if (ev == NULL)
		return;
	if (ev->epfd != -1)
		close(ev->epfd);
	for (i = 0; i < ev->nheap; i++)
		free(ev->heap[i]);
	for (i = 0; i < ev->ndue; i++)
		free(ev->due[i]);
	free(ev->heap);
	free(ev->due);
	free(ev->fds);
	free(ev->fired);
	free(ev);
}

/* --- descriptors -------------------------------------------------------- */

int
ev_fd_add(struct ev_loop *ev, int fd, int mask, ev_fd_cb *cb, void *arg,
    struct ipfix_err *err)
{
	struct ev_fd *f;
	int nmask;

	if (fd < 0 || fd >= ev->setsize)
		return ipfix_err_set(err, IPFIX_E_LIMIT, IPFIX_NO_OFFSET, NULL,
		    "evloop: descriptor %d outside 0..%d", fd,
		    ev->setsize - 1);
	f = &ev->fds[fd];
	nmask = f->mask | (mask & (EV_READ | EV_WRITE));
	if (nmask != f->mask && ep_set(ev, fd, f->mask, nmask) == -1)
		return ipfix_err_sys(err, IPFIX_E_IO, "evloop: watch fd %d",
		    fd);
	f->mask = nmask;
	f->cb = cb;
	f->arg = arg;
	return 0;
}

void
ev_fd_del(struct ev_loop *ev, int fd, int mask)
{
	struct ev_fd *f;
	int nmask;

	if (fd < 0 || fd >= ev->setsize)
		return;
	f = &ev->fds[fd];
	nmask = f->mask & ~mask;
	if (nmask == f->mask)
		return;
	/* A failure here means the fd was closed already: the kernel
	 * dropped it from the set, which is what we want. */
	(void)ep_set(ev, fd, f->mask, nmask);
	f->mask = nmask;
	if (nmask == EV_NONE)
		f->cb = NULL;
}

int
ev_fd_mask(const struct ev_loop *ev, int fd)
{
	if (fd < 0 || fd >= ev->setsize)
		return EV_NONE;
	return ev->fds[fd].mask;
}

/* --- timer heap --------------------------------------------------------- */

static void
heap_place(struct ev_loop *ev, size_t i, struct ev_timer *t)
{
	ev->heap[i] = t;
	t->idx = i;
}

static void
heap_up(struct ev_loop *ev, size_t i)
{
	struct ev_timer *t = ev->heap[i];

	while (i > 0 && ev->heap[(i - 1) / 2]->when > t->when) {
		heap_place(ev, i, ev->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	heap_place(ev, i, t);
}

static void
heap_down(struct ev_loop *ev, size_t i)
{
	struct ev_timer *t = ev->heap[i];
	size_t c;

	while ((c = 2 * i + 1) < ev->nheap) {
		if (c + 1 < ev->nheap && ev->heap[c + 1]->when <
		    ev->heap[c]->when)
			c++;
		if (ev->heap[c]->when >= t->when)
			break;
		heap_place(ev, i, ev->heap[c]);
		i = c;
	}
	heap_place(ev, i, t);
}

static void
heap_remove(struct ev_loop *ev, struct ev_timer *t)
{
	size_t i = t->idx;
	struct ev_timer *last = ev->heap[--ev->nheap];

	t->in_heap = false;
	if (i == ev->nheap)
		return;
	heap_place(ev, i, last);
	heap_down(ev, i);
	heap_up(ev, last->idx);
}

/* Room for one more timer in both heap and due; -1 on memory. */
static int
heap_reserve(struct ev_loop *ev)
{
	struct ev_timer **h, **d;
	size_t ncap;

	if (ev->nheap + ev->ndue < ev->cap)
		return 0;
	ncap = ev->cap ? ev->cap * 2 : 16;
	if ((h = realloc(ev->heap, ncap * sizeof(*h))) == NULL)
		return -1;
	ev->heap = h;
	if ((d = realloc(ev->due, ncap * sizeof(*d))) == NULL)
		return -1;
	ev->due = d;
	ev->cap = ncap;
	return 0;
}

static void
heap_insert(struct ev_loop *ev, struct ev_timer *t)
{
	t->in_heap = true;
	heap_place(ev, ev->nheap++, t);
	heap_up(ev, t->idx);
}

long long
ev_timer_add(struct ev_loop *ev, long ms, ev_timer_cb *cb, void *arg,
    struct ipfix_err *err)
{
	struct ev_timer *t;

	if (ms < 0)
		ms = 0;
	if (heap_reserve(ev) == -1 || (t = calloc(1, sizeof(*t))) == NULL) {
		ipfix_err_set(err, IPFIX_E_NOMEM, IPFIX_NO_OFFSET, NULL,
		    "evloop: out of memory for a timer");
		return -1;
	}
	t->id = ev->next_id++;
	t->when = ev_now_ms() + (uint64_t)ms;
	t->cb = cb;
	t->arg = arg;
	heap_insert(ev, t);
	return t->id;
}

int
ev_timer_del(struct ev_loop *ev, long long id)
{
	size_t i;

	/* Linear: the loop serves tens of timers, not millions. A hashed
	 * index would be the fix if the collector ever needs one per peer
	 * for thousands of peers. */
	for (i = 0; i < ev->ndue; i++) {
		if (ev->due[i] != NULL && ev->due[i]->id == id &&
		    !ev->due[i]->dead) {
			ev->due[i]->dead = true;
			return 0;
		}
	}
	for (i = 0; i < ev->nheap; i++) {
		if (ev->heap[i]->id == id) {
			struct ev_timer *t = ev->heap[i];

			heap_remove(ev, t);
			free(t);
			return 0;
		}
	}
	return -1;
}

/* Moves the timers due at now, added before this pass, to 'due'. */
static void
timers_collect(struct ev_loop *ev, uint64_t now, long long maxid)
{
	size_t i;

	ev->ndue = 0;
	while (ev->nheap > 0 && ev->heap[0]->when <= now) {
		struct ev_timer *t = ev->heap[0];

		heap_remove(ev, t);
		ev->due[ev->ndue++] = t;
	}
	/* Timers added after the pass began wait for the next pass. */
	for (i = 0; i < ev->ndue; i++) {
		if (ev->due[i]->id > maxid) {
			heap_insert(ev, ev->due[i]);
			ev->due[i--] = ev->due[--ev->ndue];
		}
	}
}

static int
timers_run(struct ev_loop *ev, long long maxid)
{
	size_t i;
	int n = 0;

	timers_collect(ev, ev_now_ms(), maxid);
	for (i = 0; i < ev->ndue; i++) {
		struct ev_timer *t = ev->due[i];
		long next;

		if (t->dead)
			continue;
		next = t->cb(ev, t->id, t->arg);
		n++;
		if (next >= 0 && !t->dead) {
			t->when = ev_now_ms() + (uint64_t)next;
			ev->due[i] = NULL;
			heap_insert(ev, t);
		}
	}
	for (i = 0; i < ev->ndue; i++)
		free(ev->due[i]);
	ev->ndue = 0;
	return n;
}

static int
timers_wait_ms(const struct ev_loop *ev, int max_wait_ms)
{
	uint64_t now, when;
	long long left;

	if (ev->nheap == 0)
		return max_wait_ms;
	now = ev_now_ms();
	when = ev->heap[0]->when;
	left = when > now ? (long long)(when - now) : 0;
	if (max_wait_ms >= 0 && left > max_wait_ms)
		left = max_wait_ms;
	return left > 1000000 ? 1000000 : (int)left;
}

/* --- the pass ----------------------------------------------------------- */

static int
dispatch_fds(struct ev_loop *ev, int nfired)
{
	int i, n = 0;

	for (i = 0; i < nfired; i++) {
		int fd = ev->fired[i].data.fd;
		struct ev_fd *f = &ev->fds[fd];
		int m = ep_fired_mask(ev->fired[i].events);

		/* An earlier callback may have stopped watching fd. */
		m &= f->mask | EV_ERROR;
		if ((m & (EV_READ | EV_WRITE)) == 0 || f->cb == NULL)
			continue;
		f->cb(ev, fd, m, f->arg);
		n++;
	}
	return n;
}

/* epoll_wait; with a before-block hook, first a look that does not
 * sleep, and the hook only when nothing is ready (busy: no hook). */
static int
ev_wait(struct ev_loop *ev, int max_wait_ms)
{
	int ms = timers_wait_ms(ev, max_wait_ms), n;

	if (ev->before_block != NULL && ms != 0) {
		if ((n = epoll_wait(ev->epfd, ev->fired, ev->setsize, 0)) != 0)
			return n;
		ev->before_block(ev, ev->block_arg);
		if (ev->stop)
			return 0;
		ms = timers_wait_ms(ev, max_wait_ms);
	}
	return epoll_wait(ev->epfd, ev->fired, ev->setsize, ms);
}

int
ev_run_once(struct ev_loop *ev, int max_wait_ms, struct ipfix_err *err)
{
	long long maxid = ev->next_id - 1;
	int nfired, n;

	if (ev->before_sleep != NULL)
		ev->before_sleep(ev, ev->hook_arg);
	nfired = ev_wait(ev, max_wait_ms);
	if (nfired == -1) {
		if (errno == EINTR)
			return 0;
		return ipfix_err_sys(err, IPFIX_E_IO, "evloop: epoll_wait");
	}
	n = dispatch_fds(ev, nfired);
	return n + timers_run(ev, maxid);
}

int
ev_run(struct ev_loop *ev, struct ipfix_err *err)
{
	ev->stop = false;
	while (!ev->stop)
		if (ev_run_once(ev, -1, err) == -1)
			return -1;
	return 0;
}

void
ev_stop(struct ev_loop *ev)
{
	ev->stop = true;
}

void
ev_set_before_sleep(struct ev_loop *ev, ev_hook_cb *cb, void *arg)
{
	ev->before_sleep = cb;
	ev->hook_arg = arg;
}

void
ev_set_before_block(struct ev_loop *ev, ev_hook_cb *cb, void *arg)
{
	ev->before_block = cb;
	ev->block_arg = arg;
}
