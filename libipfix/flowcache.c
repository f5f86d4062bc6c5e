/*
 * flowcache: flows live in fixed-size chunks of a pool (no realloc of the
 * flows themselves, so memory per flow stays at sizeof(struct
 * flowcache_flow) plus one bucket), found through a chained hash, and kept
 * in one doubly linked list in the order they were queued. A packet does
 * not move its flow (that would touch two random neighbours per packet);
 * instead the head is looked at once it has been queued for an idle
 * timeout: expired if it really was idle, else queued again at the tail.
 * So timeouts never scan the table, and each flow is re-queued at most
 * once per idle period. A flow found idle when its next packet arrives is
 * expired first, so which packets form a flow is exact; only the moment
 * an idle flow is reported may lag by up to one idle timeout. The active
 * timeout is checked when a packet hits the flow (a flow that keeps sending
 * never goes idle, and one that stops is taken by the idle timeout).
 */
#include <stdlib.h>
#include <string.h>

#include "flowcache.h"

#define NIL UINT32_MAX
#define FAIL (UINT32_MAX - 1)	/* flow_create: error set */
#define CHUNK_SHIFT 12
#define CHUNK_SIZE (1u << CHUNK_SHIFT)
#define FRAG_DEFAULT 4096
#define FRAG_MAX_AGE_NS (30LL * 1000000000LL)

/* What a first fragment leaves behind for the others of its datagram. */
struct frag {
	uint8_t src[16], dst[16];
	uint32_t id;
	uint32_t next;		/* hash chain */
	int64_t ts_ns;
	uint16_t sport, dport;
	uint8_t proto, ipver;
	bool used;
};

struct flowcache {
	struct flowcache_config cfg;
	flowcache_expire_fn fn;
	void *arg;
	struct flowcache_flow **chunks;
	uint32_t nchunks, chunk_cap;
	uint32_t free_head;		/* free entries chained by hnext */
	uint32_t *buckets;
	uint32_t nbuckets;		/* power of two */
	uint32_t head, tail;		/* idle list: head expires first */
	int64_t now;
	int64_t base;			/* time of the first packet */
	uint32_t idle_q;		/* idle timeout in queue units (ms) */
	struct frag *frags;		/* ring of cfg.frag_slots */
	uint32_t *frag_buckets;
	uint32_t frag_nb, frag_pos;
	struct flowcache_stats st;
};

static struct flowcache_flow *
flow_at(const struct flowcache *fc, uint32_t i)
{
	return &fc->chunks[i >> CHUNK_SHIFT][i & (CHUNK_SIZE - 1)];
}

static uint32_t
hash_bytes(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t h = 0x9e3779b97f4a7c15ULL;
	uint32_t w;
	size_t i;

	for (i = 0; i + 4 <= n; i += 4) {
		memcpy(&w, b + i, 4);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 29;
	}
	for (; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	h ^= h >> 32;
	return (uint32_t)h;
}

static size_t
mem_now(const struct flowcache *fc)
{
	return sizeof(*fc) +
	    (size_t)fc->nchunks * CHUNK_SIZE * sizeof(struct flowcache_flow) +
	    (size_t)fc->chunk_cap * sizeof(*fc->chunks) +
	    (size_t)fc->nbuckets * sizeof(uint32_t) +
	    (size_t)fc->cfg.frag_slots * sizeof(struct frag) +
	    (size_t)fc->frag_nb * sizeof(uint32_t);
}

static void
mem_update(struct flowcache *fc)
{
	fc->st.mem_bytes = mem_now(fc);
	if (fc->st.mem_bytes > fc->st.mem_peak)
		fc->st.mem_peak = fc->st.mem_bytes;
}

static uint32_t
pow2_at_least(uint32_t n)
{
	uint32_t p = 16;

	while (p < n && p < (1u << 30))
		p <<= 1;
	return p;
}

struct flowcache *
flowcache_new(const struct flowcache_config *cfg, flowcache_expire_fn fn,
    void *arg, struct ipfix_err *err)
{
	struct flowcache *fc;
	uint32_t i;

	if ((fc = calloc(1, sizeof(*fc))) == NULL)
		goto nomem;
	fc->cfg = *cfg;
	if (fc->cfg.frag_slots == 0)
		fc->cfg.frag_slots = FRAG_DEFAULT;
	fc->fn = fn;
	fc->arg = arg;
	fc->free_head = fc->head = fc->tail = NIL;
	fc->nbuckets = 1024;
	fc->frag_nb = pow2_at_least(fc->cfg.frag_slots * 2);
	fc->buckets = malloc(fc->nbuckets * sizeof(uint32_t));
	fc->frags = calloc(fc->cfg.frag_slots, sizeof(struct frag));
	fc->frag_buckets = malloc(fc->frag_nb * sizeof(uint32_t));
	if (fc->buckets == NULL || fc->frags == NULL ||
	    fc->frag_buckets == NULL) {
		flowcache_free(fc);
		goto nomem;
	}
	memset(fc->buckets, 0xff, fc->nbuckets * sizeof(uint32_t));
	for (i = 0; i < fc->frag_nb; i++)
		fc->frag_buckets[i] = NIL;
	fc->now = fc->base = INT64_MIN;
	fc->idle_q = (uint32_t)(fc->cfg.idle_ns / 1000000);
	if (fc->idle_q == 0 || fc->cfg.idle_ns / 1000000 > UINT32_MAX / 4)
		fc->idle_q = fc->idle_q == 0 ? 1 : UINT32_MAX / 4;
	mem_update(fc);
	return fc;
nomem:
	ipfix_err_set(err, IPFIX_E_NOMEM, IPFIX_NO_OFFSET, NULL,
	    "flow cache: out of memory");
	return NULL;
}

void
flowcache_free(struct flowcache *fc)
{
	uint32_t i;

	if (fc == NULL)
		return;
	for (i = 0; i < fc->nchunks; i++)
		free(fc->chunks[i]);
	free(fc->chunks);
	free(fc->buckets);
	free(fc->frags);
	free(fc->frag_buckets);
	free(fc);
}

/* Pool ------------------------------------------------------------------ */

static int
pool_grow(struct flowcache *fc)
{
	struct flowcache_flow *c, **nc;
	uint32_t base, i, cap;

	if (fc->nchunks == fc->chunk_cap) {
		cap = fc->chunk_cap ? fc->chunk_cap * 2 : 8;
		if ((nc = realloc(fc->chunks, cap * sizeof(*nc))) == NULL)
			return -1;
		fc->chunks = nc;
		fc->chunk_cap = cap;
	}
	if (fc->nchunks >= (NIL >> CHUNK_SHIFT) ||
	    (c = aligned_alloc(128, CHUNK_SIZE * sizeof(*c))) == NULL)
		return -1;
	base = fc->nchunks << CHUNK_SHIFT;
	fc->chunks[fc->nchunks++] = c;
	for (i = CHUNK_SIZE; i-- > 0; ) {
		c[i].hnext = fc->free_head;
		fc->free_head = base + i;
	}
	return 0;
}

static uint32_t
pool_get(struct flowcache *fc)
{
	uint32_t i;

	if (fc->free_head == NIL && pool_grow(fc) == -1)
		return NIL;
	i = fc->free_head;
	fc->free_head = flow_at(fc, i)->hnext;
	return i;
}

static void
pool_put(struct flowcache *fc, uint32_t i)
{
	flow_at(fc, i)->hnext = fc->free_head;
	fc->free_head = i;
}

/* Hash ------------------------------------------------------------------ */

static uint32_t *
bucket_of(const struct flowcache *fc, const struct flowcache_key *k)
{
	return &fc->buckets[hash_bytes(k, sizeof(*k)) & (fc->nbuckets - 1)];
}

static uint32_t
hash_find(const struct flowcache *fc, const struct flowcache_key *k,
    uint32_t h)
{
	uint32_t i;

	for (i = fc->buckets[h & (fc->nbuckets - 1)]; i != NIL;
	    i = flow_at(fc, i)->hnext)
		if (memcmp(&flow_at(fc, i)->key, k, sizeof(*k)) == 0)
			return i;
	return NIL;
}

static void
hash_insert(struct flowcache *fc, uint32_t i)
{
	uint32_t *b = bucket_of(fc, &flow_at(fc, i)->key);

	flow_at(fc, i)->hnext = *b;
	*b = i;
}

static void
hash_remove(struct flowcache *fc, uint32_t i)
{
	uint32_t *p = bucket_of(fc, &flow_at(fc, i)->key);

	while (*p != NIL && *p != i)
		p = &flow_at(fc, *p)->hnext;
	if (*p == i)
		*p = flow_at(fc, i)->hnext;
}

/* Doubling keeps the load factor <= 1/2 (short chains, fewer misses); the rehash walks the idle list,
 * which happens log(n) times in the life of the cache. */
static void
hash_grow(struct flowcache *fc)
{
	uint32_t *nb, i, n = fc->nbuckets * 2;

	if (n == 0 || (nb = malloc((size_t)n * sizeof(*nb))) == NULL)
		return;		/* longer chains, still correct */
	memset(nb, 0xff, (size_t)n * sizeof(*nb));
	free(fc->buckets);
	fc->buckets = nb;
	fc->nbuckets = n;
	for (i = fc->head; i != NIL; i = flow_at(fc, i)->lnext)
		hash_insert(fc, i);
}

/* Idle list --------------------------------------------------------------- */

static void
list_unlink(struct flowcache *fc, uint32_t i)
{
	struct flowcache_flow *f = flow_at(fc, i);

	if (f->lprev != NIL)
		flow_at(fc, f->lprev)->lnext = f->lnext;
	else
		fc->head = f->lnext;
	if (f->lnext != NIL)
		flow_at(fc, f->lnext)->lprev = f->lprev;
	else
		fc->tail = f->lprev;
}

static void
list_append(struct flowcache *fc, uint32_t i)
{
	struct flowcache_flow *f = flow_at(fc, i);

	f->lnext = NIL;
	f->lprev = fc->tail;
	if (fc->tail != NIL)
		flow_at(fc, fc->tail)->lnext = i;
	else
		fc->head = i;
	fc->tail = i;
}

static int64_t
last_seen(const struct flowcache_flow *f)
{
	if (f->dir[1].packets > 0 && f->dir[1].end_ns > f->dir[0].end_ns)
		return f->dir[1].end_ns;
	return f->dir[0].end_ns;
}

/* Expiry ---------------------------------------------------------------- */

static int
expire(struct flowcache *fc, uint32_t i, enum flowcache_reason why,
    struct ipfix_err *err)
{
	struct flowcache_flow *f = flow_at(fc, i);
	int rc;

	hash_remove(fc, i);
	list_unlink(fc, i);
	f->reason = (uint8_t)why;
	fc->st.expired[why]++;
	fc->st.active--;
	rc = fc->fn != NULL ? fc->fn(f, fc->arg, err) : 0;
	pool_put(fc, i);
	return rc != 0 ? -1 : 0;
}

/* Queue time: ms since the first packet, modulo 2^32; compared only as
 * differences, which stay far below 2^31 because heads are looked at once
 * they are an idle timeout old. */
static uint32_t
qtime(const struct flowcache *fc)
{
	return (uint32_t)(uint64_t)((fc->now - fc->base) / 1000000);
}

static void
requeue(struct flowcache *fc, uint32_t i)
{
	list_unlink(fc, i);
	flow_at(fc, i)->qtime = qtime(fc);
	list_append(fc, i);
}

static bool
is_idle(const struct flowcache *fc, const struct flowcache_flow *f)
{
	return last_seen(f) + fc->cfg.idle_ns <= fc->now;
}

int
flowcache_tick(struct flowcache *fc, int64_t now_ns, struct ipfix_err *err)
{
	struct flowcache_flow *f;
	uint32_t q;

	if (now_ns > fc->now)
		fc->now = now_ns;
	if (fc->base == INT64_MIN)
		fc->base = fc->now;
	q = qtime(fc);
	while (fc->head != NIL) {
		f = flow_at(fc, fc->head);
		if (q - f->qtime < fc->idle_q)
			break;
		if (!is_idle(fc, f))
			requeue(fc, fc->head);
		else if (expire(fc, fc->head, FLOWCACHE_IDLE, err) == -1)
			return -1;
	}
	return 0;
}

int
flowcache_flush(struct flowcache *fc, enum flowcache_reason reason,
    struct ipfix_err *err)
{
	while (fc->head != NIL)
		if (expire(fc, fc->head, reason, err) == -1)
			return -1;
	return 0;
}

void
flowcache_get_stats(const struct flowcache *fc, struct flowcache_stats *st)
{
	*st = fc->st;
}

/* Fragments ------------------------------------------------------------- */

static uint32_t
frag_hash(const struct flowcache *fc, const struct pkt_info *pi)
{
	uint8_t k[40];

	memcpy(k, pi->src, 16);
	memcpy(k + 16, pi->dst, 16);
	memcpy(k + 32, &pi->frag_id, 4);
	k[36] = pi->proto;
	k[37] = pi->ip_version;
	k[38] = k[39] = 0;
	return hash_bytes(k, sizeof(k)) & (fc->frag_nb - 1);
}

static bool
frag_match(const struct frag *e, const struct pkt_info *pi)
{
	return e->used && e->id == pi->frag_id && e->proto == pi->proto &&
	    e->ipver == pi->ip_version && memcmp(e->src, pi->src, 16) == 0 &&
	    memcmp(e->dst, pi->dst, 16) == 0;
}

static void
frag_unlink(struct flowcache *fc, uint32_t slot)
{
	struct frag *e = &fc->frags[slot];
	struct pkt_info tmp;
	uint32_t *p;

	memcpy(tmp.src, e->src, 16);
	memcpy(tmp.dst, e->dst, 16);
	tmp.frag_id = e->id;
	tmp.proto = e->proto;
	tmp.ip_version = e->ipver;
	p = &fc->frag_buckets[frag_hash(fc, &tmp)];
	while (*p != NIL && *p != slot)
		p = &fc->frags[*p].next;
	if (*p == slot)
		*p = e->next;
	e->used = false;
}

/* Remember the ports of a first fragment; the ring forgets the oldest. */
static void
frag_remember(struct flowcache *fc, const struct pkt_info *pi, int64_t ts)
{
	uint32_t slot = fc->frag_pos, *b;
	struct frag *e = &fc->frags[slot];

	fc->frag_pos = (slot + 1) % fc->cfg.frag_slots;
	if (e->used)
		frag_unlink(fc, slot);
	memcpy(e->src, pi->src, 16);
	memcpy(e->dst, pi->dst, 16);
	e->id = pi->frag_id;
	e->proto = pi->proto;
	e->ipver = pi->ip_version;
	e->sport = pi->sport;
	e->dport = pi->dport;
	e->ts_ns = ts;
	e->used = true;
	b = &fc->frag_buckets[frag_hash(fc, pi)];
	e->next = *b;
	*b = slot;
}

static const struct frag *
frag_find(const struct flowcache *fc, const struct pkt_info *pi, int64_t ts)
{
	uint32_t i;

	for (i = fc->frag_buckets[frag_hash(fc, pi)]; i != NIL;
	    i = fc->frags[i].next)
		if (frag_match(&fc->frags[i], pi))
			return ts - fc->frags[i].ts_ns <= FRAG_MAX_AGE_NS ?
			    &fc->frags[i] : NULL;
	return NULL;
}

/* Packets --------------------------------------------------------------- */

/* The key of a packet as far as it can be known without the fragment
 * table (non-first fragments get ports 0): enough to prefetch. */
static void
key_plain(const struct flowcache *fc, const struct pkt_info *pi,
    uint32_t ifindex, struct flowcache_key *k)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->src, pi->src, 16);
	memcpy(k->dst, pi->dst, 16);
	k->proto = pi->proto;
	k->ipver = pi->ip_version;
	k->vlan = pi->vlan;
	k->ifindex = fc->cfg.key_ifindex ? ifindex : 0;
	if (pi->level == PKT_TRANSPORT &&
	    (!pi->fragment || pi->first_fragment)) {
		k->sport = pi->sport;
		k->dport = pi->dport;
	}
}

uint32_t
flowcache_prefetch(const struct flowcache *fc, const struct pkt_info *pi,
    uint32_t ifindex)
{
	struct flowcache_key k;
	uint32_t h;

	key_plain(fc, pi, ifindex, &k);
	h = hash_bytes(&k, sizeof(k));
	__builtin_prefetch(&fc->buckets[h & (fc->nbuckets - 1)]);
	return h;
}

void
flowcache_prefetch_flow(const struct flowcache *fc, uint32_t hash)
{
	uint32_t i = fc->buckets[hash & (fc->nbuckets - 1)];

	if (i != NIL) {
		__builtin_prefetch(flow_at(fc, i));
		__builtin_prefetch((const char *)flow_at(fc, i) + 64);
	}
}

static void
key_from(struct flowcache *fc, const struct pkt_info *pi, int64_t ts,
    uint32_t ifindex, struct flowcache_key *k)
{
	const struct frag *fr;

	key_plain(fc, pi, ifindex, k);
	if (pi->fragment && !pi->first_fragment) {
		if ((fr = frag_find(fc, pi, ts)) != NULL) {
			k->sport = fr->sport;
			k->dport = fr->dport;
			fc->st.frag_joined++;
		} else
			fc->st.frag_orphans++;
		return;
	}
	if (pi->level == PKT_TRANSPORT && pi->fragment)
		frag_remember(fc, pi, ts);
}

static void
key_reverse(const struct flowcache_key *k, struct flowcache_key *r)
{
	*r = *k;
	memcpy(r->src, k->dst, 16);
	memcpy(r->dst, k->src, 16);
	r->sport = k->dport;
	r->dport = k->sport;
}

static void
dir_count(struct flowcache_dir *d, const struct pkt_info *pi, int64_t ts)
{
	if (d->packets == 0) {
		d->start_ns = d->end_ns = ts;
		d->tos = pi->tos;
		d->ttl_min = d->ttl_max = pi->ttl;
	}
	if (ts < d->start_ns)
		d->start_ns = ts;
	if (ts > d->end_ns)
		d->end_ns = ts;
	if (pi->ttl < d->ttl_min)
		d->ttl_min = pi->ttl;
	if (pi->ttl > d->ttl_max)
		d->ttl_max = pi->ttl;
	d->packets++;
	d->octets += pi->ip_len;
	if (pi->proto == 6 && pi->level == PKT_TRANSPORT)
		d->tcp_flags |= pi->tcp_flags;
}

static uint32_t
flow_create(struct flowcache *fc, const struct flowcache_key *k,
    const struct pkt_info *pi, struct ipfix_err *err)
{
	struct flowcache_flow *f;
	uint32_t i;

	if (fc->cfg.max_flows > 0 && fc->st.active >= fc->cfg.max_flows &&
	    expire(fc, fc->head, FLOWCACHE_RESOURCES, err) == -1)
		return FAIL;
	if ((i = pool_get(fc)) == NIL) {
		ipfix_err_set(err, IPFIX_E_NOMEM, IPFIX_NO_OFFSET, NULL,
		    "flow cache: out of memory at %u flows", fc->st.active);
		return FAIL;
	}
	f = flow_at(fc, i);
	memset(f, 0, sizeof(*f));
	f->key = *k;
	f->qtime = qtime(fc);
	if (pi->level == PKT_TRANSPORT && (pi->proto == 1 || pi->proto == 58)) {
		f->icmp_type = pi->icmp_type;
		f->icmp_code = pi->icmp_code;
	}
	hash_insert(fc, i);
	list_append(fc, i);
	fc->st.flows++;
	if (++fc->st.active > fc->st.peak)
		fc->st.peak = fc->st.active;
	if (fc->st.active > fc->nbuckets / 2)
		hash_grow(fc);
	mem_update(fc);
	return i;
}

/* Find the flow of key k (hash h), or its reverse for biflows; *dir says
 * which direction the packet goes. NIL when there is none. */
static uint32_t
flow_lookup(const struct flowcache *fc, const struct flowcache_key *k,
    uint32_t h, int *dir)
{
	struct flowcache_key r;
	uint32_t i;

	*dir = 0;
	if ((i = hash_find(fc, k, h)) != NIL || !fc->cfg.biflow)
		return i;
	key_reverse(k, &r);
	if ((i = hash_find(fc, &r, hash_bytes(&r, sizeof(r)))) != NIL)
		*dir = 1;
	return i;
}

/* TCP end of flow: RST ends it at once; FIN ends a uniflow, and a biflow
 * once both sides sent one. */
static bool
tcp_ended(const struct flowcache *fc, struct flowcache_flow *f,
    const struct pkt_info *pi, int dir)
{
	if (f->key.proto != 6 || pi->level != PKT_TRANSPORT)
		return false;
	if (pi->tcp_flags & 0x04)
		return true;
	if (pi->tcp_flags & 0x01)
		f->fin |= (uint8_t)(1u << dir);
	return fc->cfg.biflow ? f->fin == 3 : f->fin != 0;
}

/* A timeout that has passed for the flow a packet just found, or 0. */
static enum flowcache_reason
due(const struct flowcache *fc, const struct flowcache_flow *f)
{
	if (is_idle(fc, f))
		return FLOWCACHE_IDLE;
	if (fc->cfg.active_ns > 0 &&
	    fc->now - f->dir[0].start_ns >= fc->cfg.active_ns)
		return FLOWCACHE_ACTIVE;
	return 0;
}

int
flowcache_add(struct flowcache *fc, const struct pkt_info *pi, int64_t ts_ns,
    uint32_t ifindex, struct ipfix_err *err)
{
	return flowcache_add_hashed(fc, pi, ts_ns, ifindex,
	    flowcache_prefetch(fc, pi, ifindex), err);
}

int
flowcache_add_hashed(struct flowcache *fc, const struct pkt_info *pi,
    int64_t ts_ns, uint32_t ifindex, uint32_t hash, struct ipfix_err *err)
{
	struct flowcache_key k;
	struct flowcache_flow *f;
	enum flowcache_reason why;
	uint32_t i;
	int dir;

	if (flowcache_tick(fc, ts_ns, err) == -1)
		return -1;
	key_from(fc, pi, ts_ns, ifindex, &k);
	if (pi->fragment && !pi->first_fragment)
		hash = hash_bytes(&k, sizeof(k));	/* ports from the table */
	i = flow_lookup(fc, &k, hash, &dir);
	if (i != NIL && (why = due(fc, flow_at(fc, i))) != 0) {
		if (expire(fc, i, why, err) == -1)
			return -1;
		i = NIL;
	}
	if (i == NIL) {
		dir = 0;
		if ((i = flow_create(fc, &k, pi, err)) == FAIL)
			return -1;
	}
	f = flow_at(fc, i);
	dir_count(&f->dir[dir], pi, ts_ns);
	fc->st.packets++;
	fc->st.octets += pi->ip_len;
	if (tcp_ended(fc, f, pi, dir))
		return expire(fc, i, FLOWCACHE_END, err);
	if (fc->cfg.idle_ns == 0)
		return expire(fc, i, FLOWCACHE_IDLE, err);
	return 0;
}
