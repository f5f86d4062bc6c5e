#include <stdio.h>
#include <string.h>

#include "problems.h"

void
ipfix_problems_init(struct ipfix_problems *ps, uint64_t limit)
{
	memset(ps, 0, sizeof(*ps));
	ps->limit = limit;
}

bool
ipfix_problems_show(struct ipfix_problems *ps, const struct ipfix_problem *p)
{
	const char *k = p->check != NULL ? p->check : "-";
	size_t i;

	for (i = 0; i < ps->nids && strcmp(ps->ids[i].check, k) != 0; i++)
		;
	if (i == ps->nids) {
		if (ps->nids == IPFIX_PROBLEMS_IDS)
			return true;
		snprintf(ps->ids[i].check, sizeof(ps->ids[i].check), "%s", k);
		ps->ids[i].count = 0;
		ps->nids++;
	}
	return ++ps->ids[i].count <= ps->limit || ps->limit == 0;
}

void
ipfix_problems_flush(struct ipfix_problems *ps,
    void (*fn)(void *arg, const char *check, uint64_t hidden), void *arg)
{
	size_t i;

	for (i = 0; i < ps->nids; i++)
		if (ps->limit != 0 && ps->ids[i].count > ps->limit)
			fn(arg, ps->ids[i].check,
			    ps->ids[i].count - ps->limit);
	ps->nids = 0;
}

void
ipfix_problem_from_reader(struct ipfix_problem *p, const struct ipfix_err *err)
{
	memset(p, 0, sizeof(*p));
	p->severity = IPFIX_SEV_MALFORMED;
	p->code = err->code;
	p->check = err->check;
	p->offset = err->offset;
	snprintf(p->reason, sizeof(p->reason), "%s", err->reason[0] != '\0' ?
	    err->reason : ipfix_strerror(err->code));
	/* A message cut by the end of the input: its length field promises
	 * more than there is (C03). */
	if (p->check == NULL && err->code == IPFIX_E_TRUNCATED)
		p->check = "C03";
}
