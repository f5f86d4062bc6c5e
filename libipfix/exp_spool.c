/*
 * exp_spool: messages waiting for a Transport Session (exporter_int.h):
 * data messages whose session was lost before or while they were sent
 * wait here, oldest first, up to --spool bytes, and go out on the next
 * session after its templates. A FIFO of owned copies; the exporter
 * decides what enters, what is dropped (oldest first) and when it drains.
 */
#include <stdlib.h>
#include <string.h>

#include "exporter_int.h"

int
exp_spool_push(struct exp_spool *sp, const uint8_t *p, size_t len,
    uint32_t records, uint32_t own, uint32_t odid)
{
	struct exp_spooled *e;

	if (sp->head > 0 && sp->n == sp->cap) {
		memmove(sp->q, sp->q + sp->head, (sp->n - sp->head) *
		    sizeof(*sp->q));
		sp->n -= sp->head;
		sp->head = 0;
	}
	if (sp->n == sp->cap) {
		size_t cap = sp->cap ? sp->cap * 2 : 16;

		if ((e = realloc(sp->q, cap * sizeof(*e))) == NULL)
			return -1;
		sp->q = e;
		sp->cap = cap;
	}
	e = &sp->q[sp->n];
	if ((e->p = malloc(len)) == NULL)
		return -1;
	memcpy(e->p, p, len);
	e->len = len;
	e->records = records;
	e->own = own;
	e->odid = odid;
	sp->n++;
	sp->bytes += len;
	return 0;
}

struct exp_spooled *
exp_spool_front(struct exp_spool *sp)
{
	return sp->head < sp->n ? &sp->q[sp->head] : NULL;
}

void
exp_spool_pop(struct exp_spool *sp)
{
	struct exp_spooled *e = exp_spool_front(sp);

	if (e == NULL)
		return;
	sp->bytes -= e->len;
	free(e->p);
	if (++sp->head == sp->n)
		sp->head = sp->n = 0;
}

void
exp_spool_free(struct exp_spool *sp)
{
	while (exp_spool_front(sp) != NULL)
		exp_spool_pop(sp);
	free(sp->q);
	memset(sp, 0, sizeof(*sp));
}
