/*
 * evloop: a small epoll event loop (layer 3; uses only err), after Redis's
 * ae: fd events with a read/write mask, millisecond timers in a heap whose
 * callback returns the next interval or EV_STOP, a before-sleep hook and a
 * before-block hook (idle: flush what was held back for batching).
 * Timers added during a pass do not run in that pass. Single-threaded.
 */
#ifndef IPFIX_EVLOOP_H
#define IPFIX_EVLOOP_H

#include <stdint.h>

#include "err.h"

#define EV_NONE		0
#define EV_READ		1
#define EV_WRITE	2
#define EV_ERROR	4	/* reported only: error or hang-up on the fd */

#define EV_STOP		(-1)	/* timer callback: do not run again */

struct ev_loop;

/* fd became ready; mask is what fired (EV_READ/EV_WRITE/EV_ERROR). */
typedef void ev_fd_cb(struct ev_loop *ev, int fd, int mask, void *arg);
/* Returns the next interval in ms (>= 0) or EV_STOP. */
typedef long ev_timer_cb(struct ev_loop *ev, long long id, void *arg);
typedef void ev_hook_cb(struct ev_loop *ev, void *arg);

/*
 * A loop for descriptors below setsize (> 0). NULL with err set when
 * memory or epoll_create1 fails; nothing is leaked then. Free with ev_free
 * (accepts NULL), which closes only the epoll descriptor.
 */
struct ev_loop *ev_new(int setsize, struct ipfix_err *err)
    __attribute__((warn_unused_result));
void ev_free(struct ev_loop *ev);

/*
 * Watch fd for mask (added to what is already watched); cb and arg
 * replace earlier ones. -1 with err when fd is out of range or epoll
 * refuses it; the loop is unchanged then.
 */
int ev_fd_add(struct ev_loop *ev, int fd, int mask, ev_fd_cb *cb, void *arg,
    struct ipfix_err *err) __attribute__((warn_unused_result));
/* Stop watching mask on fd (EV_READ|EV_WRITE forgets the fd). */
void ev_fd_del(struct ev_loop *ev, int fd, int mask);
/* What is watched on fd (EV_NONE if nothing). */
int ev_fd_mask(const struct ev_loop *ev, int fd);

/* Run cb after ms; returns an id > 0, or -1 with err (memory). */
long long ev_timer_add(struct ev_loop *ev, long ms, ev_timer_cb *cb,
    void *arg, struct ipfix_err *err) __attribute__((warn_unused_result));
/* Cancel a timer; 0, or -1 when there is no such timer. Safe from any
 * callback, including the timer's own. */
int ev_timer_del(struct ev_loop *ev, long long id);

/* Called before each wait (NULL cb removes it). */
void ev_set_before_sleep(struct ev_loop *ev, ev_hook_cb *cb, void *arg);
/* Called only when a pass is about to sleep with nothing ready (a look
 * that does not sleep comes first): while events keep coming it is not
 * called. For output held back for large writes. NULL cb removes it. */
void ev_set_before_block(struct ev_loop *ev, ev_hook_cb *cb, void *arg);

/*
 * One pass: run the hooks, wait for fd events up to max_wait_ms (-1: until
 * the next timer, or forever without timers; 0: do not sleep), dispatch
 * them, then run the timers due. Returns the number of callbacks run, or
 * -1 with err when epoll_wait fails (EINTR is not a failure: 0).
 */
int ev_run_once(struct ev_loop *ev, int max_wait_ms, struct ipfix_err *err);

/* Pass after pass until ev_stop is called; 0, or -1 with err. */
int ev_run(struct ev_loop *ev, struct ipfix_err *err);
void ev_stop(struct ev_loop *ev);

/* Milliseconds on the monotonic clock. */
uint64_t ev_now_ms(void);

#endif
