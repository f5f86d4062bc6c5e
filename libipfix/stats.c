#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "msg.h"
#include "outbuf.h"
#include "stats.h"

#define TAB_MAX (1u << 20)	/* (session, ODID, template) keys kept */

struct tcount {
	uint32_t session, odid;
	uint16_t tid;
	bool used;
	uint64_t records, bytes;
};

enum { SET_TMPL, SET_OPT, SET_DATA, SET_OTHER, SET_KINDS };

/* Records of one exporter of a collector's output (origin.h). */
struct ecount {
	char *label;			/* owned */
	uint64_t messages, records;
	uint64_t last_msg;		/* offset + 1 of the last message */
};

struct stream {
	char *name;
	uint64_t messages, bytes, records, skipped, overflow;
	uint64_t sets[SET_KINDS];
	uint64_t data_bytes, deflated;	/* set bodies in, DEFLATE out */
	uint64_t tadd[3];		/* by enum ipfix_tadd */
	uint64_t problems[3];		/* by enum ipfix_severity */
	struct tcount *tab;
	size_t tcap, tused;
	struct ipfix_domain_stats *doms;
	size_t ndoms;
	struct ecount *exps;
	size_t nexps, ecap;
};

struct ipfix_stats {
	bool deflate;
	bool z_open;
	z_stream z;
	uint8_t *zout;
	struct stream *s;	/* s[n - 1] is the current stream */
	size_t n, cap;
};

struct ipfix_stats *
ipfix_stats_new(bool deflate)
{
	struct ipfix_stats *st;

	if ((st = calloc(1, sizeof(*st))) == NULL)
		return NULL;
	st->deflate = deflate;
	if (deflate && (st->zout = malloc(IPFIX_MSG_MAX)) == NULL) {
		free(st);
		return NULL;
	}
	return st;
}

static void
stream_free(struct stream *s)
{
	free(s->name);
	free(s->tab);
	free(s->doms);
	for (size_t i = 0; i < s->nexps; i++)
		free(s->exps[i].label);
	free(s->exps);
}

void
ipfix_stats_free(struct ipfix_stats *st)
{
	size_t i;

	if (st == NULL)
		return;
	if (st->z_open)
		deflateEnd(&st->z);
	for (i = 0; i < st->n; i++)
		stream_free(&st->s[i]);
	free(st->s);
	free(st->zout);
	free(st);
}

static struct stream *
cur(struct ipfix_stats *st)
{
	return st->n > 0 ? &st->s[st->n - 1] : NULL;
}

int
ipfix_stats_begin(struct ipfix_stats *st, const char *name)
{
	struct stream *ns;
	size_t ncap;

	if (st->n == st->cap) {
		ncap = st->cap == 0 ? 4 : st->cap * 2;
		if ((ns = realloc(st->s, ncap * sizeof(*ns))) == NULL)
			return -1;
		st->s = ns;
		st->cap = ncap;
	}
	ns = &st->s[st->n];
	memset(ns, 0, sizeof(*ns));
	if ((ns->name = strdup(name)) == NULL)
		return -1;
	st->n++;
	if (st->deflate && !st->z_open) {
		memset(&st->z, 0, sizeof(st->z));
		st->z_open = deflateInit(&st->z, Z_DEFAULT_COMPRESSION) == Z_OK;
	} else if (st->z_open)
		deflateReset(&st->z);
	return 0;
}

/* Feed set bodies through DEFLATE; only the output size is kept. */
static void
zfeed(struct ipfix_stats *st, const uint8_t *p, size_t n, int flush)
{
	int rc;

	if (!st->z_open)
		return;
	st->z.next_in = (Bytef *)(uintptr_t)p;
	st->z.avail_in = (uInt)n;
	do {
		st->z.next_out = st->zout;
		st->z.avail_out = IPFIX_MSG_MAX;
		rc = deflate(&st->z, flush);
	} while (rc == Z_OK && (st->z.avail_out == 0 ||
	    (flush == Z_FINISH)));
}

void
ipfix_stats_message(struct ipfix_stats *st, const struct ipfix_msg_ctx *m)
{
	struct stream *s = cur(st);
	struct ipfix_set_iter it;
	struct ipfix_set set;
	struct ipfix_err err;

	if (s == NULL)
		return;
	s->messages++;
	s->bytes += m->len;
	ipfix_set_iter_init(&it, m->msg, m->len, m->offset);
	while (ipfix_set_next(&it, &set, &err) == 1) {
		if (set.id == IPFIX_SET_TEMPLATE)
			s->sets[SET_TMPL]++;
		else if (set.id == IPFIX_SET_OPTIONS_TEMPLATE)
			s->sets[SET_OPT]++;
		else if (set.id >= IPFIX_MIN_DATA_SET_ID) {
			s->sets[SET_DATA]++;
			s->data_bytes += set.length - IPFIX_SET_HDR_LEN;
			zfeed(st, set.body, set.length - IPFIX_SET_HDR_LEN,
			    Z_NO_FLUSH);
		} else
			s->sets[SET_OTHER]++;
	}
}

static uint32_t
hash3(uint32_t a, uint32_t b, uint16_t c)
{
	uint64_t h = ((uint64_t)a * 0x9e3779b97f4a7c15ull) ^
	    ((uint64_t)b * 0xc2b2ae3d27d4eb4full) ^ ((uint64_t)c << 7);

	return (uint32_t)(h ^ h >> 29);
}

static int
tab_grow(struct stream *s)
{
	size_t ncap = s->tcap == 0 ? 64 : s->tcap * 2, i, j;
	struct tcount *nt = calloc(ncap, sizeof(*nt));

	if (nt == NULL)
		return -1;
	for (i = 0; i < s->tcap; i++) {
		if (!s->tab[i].used)
			continue;
		j = hash3(s->tab[i].session, s->tab[i].odid, s->tab[i].tid) &
		    (ncap - 1);
		while (nt[j].used)
			j = (j + 1) & (ncap - 1);
		nt[j] = s->tab[i];
	}
	free(s->tab);
	s->tab = nt;
	s->tcap = ncap;
	return 0;
}

static struct tcount *
tab_get(struct stream *s, uint32_t session, uint32_t odid, uint16_t tid)
{
	size_t j;

	if (s->tused * 2 >= s->tcap &&
	    (s->tused >= TAB_MAX || tab_grow(s) == -1))
		return NULL;
	j = hash3(session, odid, tid) & (s->tcap - 1);
	while (s->tab[j].used) {
		if (s->tab[j].session == session && s->tab[j].odid == odid &&
		    s->tab[j].tid == tid)
			return &s->tab[j];
		j = (j + 1) & (s->tcap - 1);
	}
	s->tab[j].used = true;
	s->tab[j].session = session;
	s->tab[j].odid = odid;
	s->tab[j].tid = tid;
	s->tused++;
	return &s->tab[j];
}

void
ipfix_stats_record(struct ipfix_stats *st, const struct ipfix_msg_ctx *m,
    const struct ipfix_tmpl *t, const struct ipfix_rec *r)
{
	struct stream *s = cur(st);
	struct tcount *tc;

	if (s == NULL)
		return;
	s->records++;
	if ((tc = tab_get(s, m->session, m->hdr.odid, t->id)) == NULL) {
		s->overflow++;
		return;
	}
	tc->records++;
	tc->bytes += r->len;
}

static struct ecount *
exp_get(struct stream *s, const char *label)
{
	struct ecount *e;
	size_t cap;

	for (size_t i = s->nexps; i > 0; i--)
		if (strcmp(s->exps[i - 1].label, label) == 0)
			return &s->exps[i - 1];
	if (s->nexps == s->ecap) {
		cap = s->ecap ? s->ecap * 2 : 8;
		if ((e = realloc(s->exps, cap * sizeof(*e))) == NULL)
			return NULL;
		s->exps = e;
		s->ecap = cap;
	}
	e = &s->exps[s->nexps];
	memset(e, 0, sizeof(*e));
	if ((e->label = strdup(label)) == NULL)
		return NULL;
	s->nexps++;
	return e;
}

void
ipfix_stats_exporter(struct ipfix_stats *st, const struct ipfix_msg_ctx *m,
    const char *label)
{
	struct stream *s = cur(st);
	struct ecount *e;

	if (s == NULL || label == NULL || (e = exp_get(s, label)) == NULL)
		return;
	e->records++;
	if (e->last_msg != m->offset + 1) {
		e->last_msg = m->offset + 1;
		e->messages++;
	}
}

void
ipfix_stats_template(struct ipfix_stats *st, enum ipfix_tadd how)
{
	struct stream *s = cur(st);

	if (s != NULL && (unsigned)how < 3)
		s->tadd[how]++;
}

void
ipfix_stats_problem(struct ipfix_stats *st, const struct ipfix_problem *p)
{
	struct stream *s = cur(st);

	if (s != NULL && (unsigned)p->severity < 3)
		s->problems[p->severity]++;
}

void
ipfix_stats_skipped(struct ipfix_stats *st, uint64_t bytes)
{
	struct stream *s = cur(st);

	if (s != NULL)
		s->skipped += bytes;
}

static void
add_domain(const struct ipfix_domain_stats *d, void *arg)
{
	struct stream *s = arg;
	struct ipfix_domain_stats *nd;

	nd = realloc(s->doms, (s->ndoms + 1) * sizeof(*nd));
	if (nd == NULL)
		return;
	s->doms = nd;
	s->doms[s->ndoms++] = *d;
}

void
ipfix_stats_end(struct ipfix_stats *st, const struct ipfix_decoder *d)
{
	struct stream *s = cur(st);

	if (s == NULL)
		return;
	if (st->z_open) {
		zfeed(st, NULL, 0, Z_FINISH);
		s->deflated = st->z.total_out;
	}
	if (d != NULL)
		ipfix_decoder_foreach_domain(d, add_domain, s);
}

uint64_t
ipfix_stats_records(const struct ipfix_stats *st)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < st->n; i++)
		n += st->s[i].records;
	return n;
}

uint64_t
ipfix_stats_messages(const struct ipfix_stats *st)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < st->n; i++)
		n += st->s[i].messages;
	return n;
}

double
ipfix_stats_deflate_ratio(const struct ipfix_stats *st, size_t i)
{
	if (i >= st->n || !st->deflate || st->s[i].data_bytes == 0)
		return -1;
	return (double)st->s[i].deflated / (double)st->s[i].data_bytes;
}

/* Report ------------------------------------------------------------------ */

static int
tcmp(const void *a, const void *b)
{
	const struct tcount *x = a, *y = b;

	if (x->session != y->session)
		return x->session < y->session ? -1 : 1;
	if (x->odid != y->odid)
		return x->odid < y->odid ? -1 : 1;
	return (int)x->tid - (int)y->tid;
}

/* The used entries, sorted; caller frees. NULL when empty or no memory. */
static struct tcount *
sorted(const struct stream *s, size_t *n)
{
	struct tcount *v;
	size_t i;

	*n = 0;
	if (s->tused == 0 || (v = calloc(s->tused, sizeof(*v))) == NULL)
		return NULL;
	for (i = 0; i < s->tcap; i++)
		if (s->tab[i].used)
			v[(*n)++] = s->tab[i];
	qsort(v, *n, sizeof(*v), tcmp);
	return v;
}

/* "name=value" pairs in text, "name":value in JSON. */
static void
kv(struct ipfix_ob *ob, bool json, bool first, const char *k, uint64_t v)
{
	if (!first)
		ipfix_ob_putc(ob, json ? ',' : ' ');
	if (json) {
		ipfix_ob_putc(ob, '"');
		ipfix_ob_puts(ob, k);
		ipfix_ob_write(ob, "\":", 2);
	} else {
		ipfix_ob_puts(ob, k);
		ipfix_ob_putc(ob, '=');
	}
	ipfix_ob_u64(ob, v);
}

static void
write_ratio(struct ipfix_ob *ob, const struct ipfix_stats *st,
    const struct stream *s, bool json)
{
	double r;

	if (!st->deflate)
		return;
	kv(ob, json, false, "deflate_bytes", s->deflated);
	r = s->data_bytes > 0 ? (double)s->deflated / (double)s->data_bytes :
	    0;
	ipfix_ob_puts(ob, json ? ",\"deflate_ratio\":" : " deflate_ratio=");
	if (s->data_bytes == 0)
		ipfix_ob_puts(ob, json ? "null" : "-");
	else {
		/* Three decimals, integer arithmetic: no printf here. */
		ipfix_ob_u64(ob, (uint64_t)(r * 1000 + 0.5) / 1000);
		ipfix_ob_putc(ob, '.');
		ipfix_ob_u64w(ob, (uint64_t)(r * 1000 + 0.5) % 1000, 3);
	}
}

/* Text puts each group on its own line; JSON just goes on. */
static bool
group(struct ipfix_ob *ob, bool json)
{
	if (json)
		return false;
	ipfix_ob_puts(ob, "\n  ");
	return true;
}

static void
write_totals(struct ipfix_ob *ob, const struct ipfix_stats *st,
    const struct stream *s, bool json)
{
	kv(ob, json, true, "messages", s->messages);
	kv(ob, json, false, "bytes", s->bytes);
	kv(ob, json, false, "records", s->records);
	kv(ob, json, group(ob, json), "template_sets", s->sets[SET_TMPL]);
	kv(ob, json, false, "options_template_sets", s->sets[SET_OPT]);
	kv(ob, json, false, "data_sets", s->sets[SET_DATA]);
	kv(ob, json, false, "other_sets", s->sets[SET_OTHER]);
	kv(ob, json, group(ob, json), "templates_new",
	    s->tadd[IPFIX_TADD_NEW]);
	kv(ob, json, false, "templates_resent", s->tadd[IPFIX_TADD_SAME]);
	kv(ob, json, false, "templates_changed", s->tadd[IPFIX_TADD_CHANGED]);
	kv(ob, json, group(ob, json), "malformed",
	    s->problems[IPFIX_SEV_MALFORMED]);
	kv(ob, json, false, "warnings", s->problems[IPFIX_SEV_WARN]);
	kv(ob, json, false, "notes", s->problems[IPFIX_SEV_NOTE]);
	kv(ob, json, false, "skipped_bytes", s->skipped);
	kv(ob, json, group(ob, json), "data_set_bytes", s->data_bytes);
	write_ratio(ob, st, s, json);
}

static void
write_domain(struct ipfix_ob *ob, const struct ipfix_domain_stats *d,
    bool json)
{
	ipfix_ob_puts(ob, json ? "{" : "  domain ");
	kv(ob, json, true, "session", d->session);
	kv(ob, json, false, "odid", d->odid);
	kv(ob, json, false, "messages", d->messages);
	kv(ob, json, false, "records", d->records);
	kv(ob, json, false, "records_no_template", d->records_no_template);
	kv(ob, json, false, "lost", d->lost);
	kv(ob, json, false, "out_of_order", d->seq_out_of_order);
	kv(ob, json, false, "malformed", d->malformed);
	ipfix_ob_puts(ob, json ? "}" : "\n");
}

static void
write_template(struct ipfix_ob *ob, const struct tcount *t, bool json)
{
	ipfix_ob_puts(ob, json ? "{" : "  template ");
	kv(ob, json, true, "session", t->session);
	kv(ob, json, false, "odid", t->odid);
	kv(ob, json, false, "template", t->tid);
	kv(ob, json, false, "records", t->records);
	kv(ob, json, false, "bytes", t->bytes);
	ipfix_ob_puts(ob, json ? "}" : "\n");
}

/* Only for a collector's output: other dumps keep their form. */
static void
write_exporters(struct ipfix_ob *ob, const struct stream *s, bool json)
{
	if (s->nexps == 0)
		return;
	ipfix_ob_puts(ob, json ? ",\"exporters\":[" : "");
	for (size_t i = 0; i < s->nexps; i++) {
		if (json) {
			ipfix_ob_puts(ob, i > 0 ? ",{\"exporter\":" :
			    "{\"exporter\":");
			ipfix_ob_json_lit(ob, s->exps[i].label);
		} else {
			ipfix_ob_puts(ob, "  exporter ");
			ipfix_ob_puts(ob, s->exps[i].label);
			ipfix_ob_putc(ob, ':');
		}
		kv(ob, json, false, "messages", s->exps[i].messages);
		kv(ob, json, false, "records", s->exps[i].records);
		ipfix_ob_puts(ob, json ? "}" : "\n");
	}
	ipfix_ob_puts(ob, json ? "]" : "");
}

static void
write_stream(struct ipfix_ob *ob, const struct ipfix_stats *st,
    const struct stream *s, bool json)
{
	struct tcount *v;
	size_t i, n;

	ipfix_ob_puts(ob, json ? "{\"type\":\"stats\",\"file\":" : "stats ");
	if (json) {
		ipfix_ob_json_lit(ob, s->name);
		ipfix_ob_putc(ob, ',');
	} else {
		ipfix_ob_puts(ob, s->name);
		ipfix_ob_puts(ob, ":\n  ");
	}
	write_totals(ob, st, s, json);
	ipfix_ob_puts(ob, json ? ",\"domains\":[" : "\n");
	for (i = 0; i < s->ndoms; i++) {
		if (json && i > 0)
			ipfix_ob_putc(ob, ',');
		write_domain(ob, &s->doms[i], json);
	}
	ipfix_ob_puts(ob, json ? "],\"templates\":[" : "");
	v = sorted(s, &n);
	for (i = 0; i < n; i++) {
		if (json && i > 0)
			ipfix_ob_putc(ob, ',');
		write_template(ob, &v[i], json);
	}
	free(v);
	ipfix_ob_puts(ob, json ? "]" : "");
	write_exporters(ob, s, json);
	ipfix_ob_puts(ob, json ? "}\n" : "");
}

int
ipfix_stats_write(const struct ipfix_stats *st, FILE *out, bool json)
{
	struct ipfix_ob ob;
	size_t i;

	if (ipfix_ob_init(&ob, out) == -1)
		return -1;
	for (i = 0; i < st->n; i++)
		write_stream(&ob, st, &st->s[i], json);
	return ipfix_ob_fini(&ob);
}
