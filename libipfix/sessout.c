/*
 * sessout: merged RFC 5655 output of many Transport Sessions with template
 * ids remapped per output ODID, or one byte-exact file per session.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cursor.h"
#include "grow.h"
#include "msg.h"
#include "sessout.h"
#include "stream.h"

#define DEFAULT_MAX_DOMAINS	4096
#define IDENTITY_MAX		1024
#define PATH_MAX_LEN		1024

/* An output ODID: which template ids are taken, its sequence number and
 * whether the four metadata templates are in the current file yet. */
struct odom {
	uint32_t odid;
	uint32_t seq;
	bool meta_done;
	uint8_t used[65536 / 8];
};

/* One template of a session: input id -> output id, and the definition
 * (with the output id) for writing it again after a reopen. */
struct tmap {
	uint32_t odid;
	uint16_t in_tid;
	struct ipfix_tmpl *t;
	bool written;		/* defined in the current file */
};

struct osess {
	struct ipfix_sessout_session s;
	char identity[IDENTITY_MAX];
	uint8_t der[IPFIX_SESSOUT_DER_MAX];
	bool v4;		/* IPv4 metadata templates */
	uint8_t version;	/* exportProtocolVersion: 10, or 9 */
	struct tmap *maps;
	size_t nmaps, capmaps;
	size_t map_hint[2];	/* the last two map_find hits: data sets
				   come in runs of a few templates */
	uint32_t *detailed;	/* ODIDs with session details in this file */
	size_t ndetailed, capdetailed;
	struct follow *follows;	/* the predecessor per ODID */
	size_t nfollows, capfollows;
	uint32_t last_export;
	int64_t last_recv_ms;
	struct ipfix_writer *w;	/* split mode */
	char path[PATH_MAX_LEN];
	unsigned part;
};

struct ipfix_sessout {
	struct ipfix_sessout_config cfg;
	char path[PATH_MAX_LEN];
	struct ipfix_writer *w;	/* merged mode */
	dev_t dev;		/* the file opened at path, to tell whether */
	ino_t ino;		/* it was moved away (SIGHUP) */
	struct osess **sess;
	size_t nsess, capsess;
	struct odom **doms;
	size_t ndoms, capdoms;
	struct ipfix_tmpl *meta[4];	/* SESS4, SESS6, MSG4, MSG6 */
	/* the message being translated */
	struct osess *cur;
	struct odom *curdom;
	uint32_t export_time;
	uint16_t stream;
	int64_t recv_ms;
	bool building;
	struct ipfix_builder b;		/* in the writer's buffer */
	bool unflushed;		/* written since the last flush */
	struct ipfix_sessout_stats st;
};

/* Metadata templates ------------------------------------------------------ */

struct follow {
	uint32_t odid, prev;
};

struct fdef {
	uint16_t id, len;
	uint32_t pen;
};

#define P IPFIX_SESSOUT_PEN
static const struct fdef sess4_f[] = {
	{ 267, 1, 0 }, { 130, 4, 0 }, { 217, 2, 0 }, { 211, 4, 0 },
	{ 216, 2, 0 }, { 215, 1, 0 }, { 214, 1, 0 }, { 275, IPFIX_VARLEN, 0 },
	{ IPFIX_SESSOUT_IE_SESSION, 4, P }, { IPFIX_SESSOUT_IE_FOLLOWS, 4, P },
};
static const struct fdef sess6_f[] = {
	{ 267, 1, 0 }, { 131, 16, 0 }, { 217, 2, 0 }, { 212, 16, 0 },
	{ 216, 2, 0 }, { 215, 1, 0 }, { 214, 1, 0 }, { 275, IPFIX_VARLEN, 0 },
	{ IPFIX_SESSOUT_IE_SESSION, 4, P }, { IPFIX_SESSOUT_IE_FOLLOWS, 4, P },
};
#undef P
static const struct fdef msg4_f[] = {
	{ 263, 1, 0 }, { 258, 8, 0 }, { 130, 4, 0 }, { 217, 2, 0 }, { 211, 4, 0 },
	{ 216, 2, 0 }, { 215, 1, 0 }, { 259, 2, 0 },
};
static const struct fdef msg6_f[] = {
	{ 263, 1, 0 }, { 258, 8, 0 }, { 131, 16, 0 }, { 217, 2, 0 }, { 212, 16, 0 },
	{ 216, 2, 0 }, { 215, 1, 0 }, { 259, 2, 0 },
};

static struct ipfix_tmpl *
meta_tmpl(uint16_t id, const struct fdef *f, uint16_t n)
{
	struct ipfix_tmpl *t;
	uint16_t i;

	if ((t = ipfix_tmpl_new(id, n, 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		t->fields[i].id = f[i].id;
		t->fields[i].len = f[i].len;
		t->fields[i].pen = f[i].pen;
	}
	ipfix_tmpl_finish(t);
	return t;
}

static int
meta_init(struct ipfix_sessout *o, struct ipfix_err *err)
{
	o->meta[0] = meta_tmpl(IPFIX_SESSOUT_TID_SESS4, sess4_f, 10);
	o->meta[1] = meta_tmpl(IPFIX_SESSOUT_TID_SESS6, sess6_f, 10);
	o->meta[2] = meta_tmpl(IPFIX_SESSOUT_TID_MSG4, msg4_f, 8);
	o->meta[3] = meta_tmpl(IPFIX_SESSOUT_TID_MSG6, msg6_f, 8);
	for (int i = 0; i < 4; i++)
		if (o->meta[i] == NULL)
			return ipfix_err_set(err, IPFIX_E_NOMEM,
			    IPFIX_NO_OFFSET, NULL, "metadata templates");
	return 0;
}

/* Addresses --------------------------------------------------------------- */

/* The address as 4 bytes when it is IPv4, IPv4-mapped or unspecified. */
static bool
addr_v4(const struct sockaddr_storage *ss, uint8_t out[4])
{
	const struct sockaddr_in6 *s6 = (const void *)ss;
	const uint8_t *a = s6->sin6_addr.s6_addr;

	if (ss->ss_family == AF_INET) {
		memcpy(out, &((const struct sockaddr_in *)(const void *)ss)->
		    sin_addr, 4);
		return true;
	}
	if (ss->ss_family != AF_INET6)
		return memset(out, 0, 4), true;
	if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
		memcpy(out, a + 12, 4);
		return true;
	}
	if (IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr))
		return memset(out, 0, 4), true;
	return false;
}

static void
addr_v6(const struct sockaddr_storage *ss, uint8_t out[16])
{
	memset(out, 0, 16);
	if (ss->ss_family == AF_INET6)
		memcpy(out, &((const struct sockaddr_in6 *)(const void *)ss)->
		    sin6_addr, 16);
	else if (ss->ss_family == AF_INET) {
		out[10] = out[11] = 0xff;
		memcpy(out + 12, &((const struct sockaddr_in *)(const void *)
		    ss)->sin_addr, 4);
	}
}

static uint16_t
addr_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)(const void *)ss)->
		    sin_port);
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)(const void *)ss)->
		    sin6_port);
	return 0;
}

static bool
sess_is_v4(const struct ipfix_sessout_session *s)
{
	uint8_t a[4];

	return addr_v4(&s->exporter, a) && addr_v4(&s->collector, a);
}

/* Writes addr (4 or 16 bytes) then port; returns the bytes written. */
static size_t
put_addr_port(uint8_t *p, const struct sockaddr_storage *ss, bool v4)
{
	size_t n = v4 ? 4 : 16;

	if (v4)
		addr_v4(ss, p);
	else
		addr_v6(ss, p);
	ipfix_put16(p + n, addr_port(ss));
	return n + 2;
}

/* Session and domain tables ---------------------------------------------- */

static struct osess *
sess_find(const struct ipfix_sessout *o, uint32_t id)
{
	for (size_t i = 0; i < o->nsess; i++)
		if (o->sess[i]->s.id == id)
			return o->sess[i];
	return NULL;
}

static struct odom *
dom_get(struct ipfix_sessout *o, uint32_t odid, struct ipfix_err *err)
{
	struct odom *d;
	size_t max = o->cfg.max_domains ? o->cfg.max_domains :
	    DEFAULT_MAX_DOMAINS;

	for (size_t i = 0; i < o->ndoms; i++)
		if (o->doms[i]->odid == odid)
			return o->doms[i];
	if (o->ndoms >= max) {
		ipfix_err_set(err, IPFIX_E_LIMIT, IPFIX_NO_OFFSET, NULL,
		    "more than %zu observation domains in the output", max);
		return NULL;
	}
	if (ipfix_grow((void **)&o->doms, &o->capdoms, o->ndoms + 1,
	    sizeof(*o->doms)) == -1 || (d = calloc(1, sizeof(*d))) == NULL) {
		ipfix_err_set(err, IPFIX_E_NOMEM, IPFIX_NO_OFFSET, NULL,
		    "output domain");
		return NULL;
	}
	d->odid = odid;
	/* the metadata templates' ids are never given to a session */
	d->used[IPFIX_SESSOUT_TID_SESS4 / 8] = 0xf0;
	o->doms[o->ndoms++] = d;
	return d;
}

static bool
tid_used(const struct odom *d, uint16_t tid)
{
	return (d->used[tid / 8] >> (tid % 8)) & 1;
}

static void
tid_set(struct odom *d, uint16_t tid, bool on)
{
	if (on)
		d->used[tid / 8] |= (uint8_t)(1u << (tid % 8));
	else
		d->used[tid / 8] &= (uint8_t)~(1u << (tid % 8));
}

/* The input id when free, else the lowest free one; 0 when all are taken. */
static uint16_t
tid_alloc(struct odom *d, uint16_t want)
{
	uint32_t tid;

	if (want >= IPFIX_MIN_DATA_SET_ID && !tid_used(d, want)) {
		tid_set(d, want, true);
		return want;
	}
	for (tid = IPFIX_MIN_DATA_SET_ID; tid <= 65535; tid++)
		if (!tid_used(d, (uint16_t)tid)) {
			tid_set(d, (uint16_t)tid, true);
			return (uint16_t)tid;
		}
	return 0;
}

static struct tmap *
map_find(struct osess *s, uint32_t odid, uint16_t in_tid)
{
	for (int k = 0; k < 2; k++) {
		size_t h = s->map_hint[k];

		if (h < s->nmaps && s->maps[h].odid == odid &&
		    s->maps[h].in_tid == in_tid)
			return &s->maps[h];
	}
	for (size_t i = 0; i < s->nmaps; i++)
		if (s->maps[i].odid == odid && s->maps[i].in_tid == in_tid) {
			s->map_hint[1] = s->map_hint[0];
			s->map_hint[0] = i;
			return &s->maps[i];
		}
	return NULL;
}

/* Forget map m (its output id becomes free); m is invalid afterwards. */
static void
map_drop(struct ipfix_sessout *o, struct osess *s, struct tmap *m)
{
	struct odom *d = dom_get(o, m->odid, NULL);

	if (d != NULL)
		tid_set(d, m->t->id, false);
	ipfix_tmpl_free(m->t);
	*m = s->maps[--s->nmaps];
}

static bool
detailed(const struct osess *s, uint32_t odid)
{
	for (size_t i = 0; i < s->ndetailed; i++)
		if (s->detailed[i] == odid)
			return true;
	return false;
}

static void
sess_free(struct osess *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nmaps; i++)
		ipfix_tmpl_free(s->maps[i].t);
	free(s->maps);
	free(s->detailed);
	free(s->follows);
	if (s->w != NULL)
		ipfix_writer_close(s->w, NULL);
	free(s);
}

/* Open and close -------------------------------------------------------- */

static int
merged_open(struct ipfix_sessout *o, struct ipfix_err *err)
{
	struct stat st;

	o->w = o->cfg.append && o->st.files == 0 && !o->cfg.gzip ?
	    ipfix_writer_open_append(o->path, err) :
	    ipfix_writer_open(o->path, o->cfg.gzip, err);
	if (o->w == NULL)
		return -1;
	o->st.files++;
	o->dev = 0;
	o->ino = 0;
	if (strcmp(o->path, "-") != 0 && stat(o->path, &st) == 0) {
		o->dev = st.st_dev;
		o->ino = st.st_ino;
	}
	return 0;
}

/* True when path still names the file being written: reopening it would
 * truncate what is there. */
static bool
still_ours(const struct ipfix_sessout *o)
{
	struct stat st;

	return strcmp(o->path, "-") == 0 || (stat(o->path, &st) == 0 &&
	    st.st_dev == o->dev && st.st_ino == o->ino);
}

struct ipfix_sessout *
ipfix_sessout_open(const struct ipfix_sessout_config *c, struct ipfix_err *err)
{
	struct ipfix_sessout *o;

	if ((o = calloc(1, sizeof(*o))) == NULL) {
		ipfix_err_sys(err, IPFIX_E_NOMEM, "output");
		return NULL;
	}
	o->cfg = *c;
	snprintf(o->path, sizeof(o->path), "%s", c->path ? c->path : "-");
	o->cfg.path = o->path;
	if (meta_init(o, err) == -1)
		goto fail;
	if (c->split_dir == NULL && merged_open(o, err) == -1)
		goto fail;
	return o;
fail:
	ipfix_sessout_close(o, NULL);
	return NULL;
}

int
ipfix_sessout_close(struct ipfix_sessout *o, struct ipfix_err *err)
{
	int rc = 0;

	if (o == NULL)
		return 0;
	for (size_t i = 0; i < o->nsess; i++)
		sess_free(o->sess[i]);
	free(o->sess);
	for (size_t i = 0; i < o->ndoms; i++)
		free(o->doms[i]);
	free(o->doms);
	for (int i = 0; i < 4; i++)
		ipfix_tmpl_free(o->meta[i]);
	if (o->w != NULL)
		rc = ipfix_writer_close(o->w, err);
	free(o);
	return rc;
}

bool
ipfix_sessout_split(const struct ipfix_sessout *o)
{
	return o->cfg.split_dir != NULL;
}

void
ipfix_sessout_stats(const struct ipfix_sessout *o,
    struct ipfix_sessout_stats *st)
{
	*st = o->st;
}

/* Split files ------------------------------------------------------------ */

static const char *
proto_name(uint8_t proto)
{
	return proto == IPPROTO_TCP ? "tcp" : proto == IPPROTO_SCTP ?
	    "sctp" : "udp";
}

/* DIR/YYYYmmddTHHMMSS-proto-addr-port-sID.ipfix[.gz] */
static int
split_path(const struct ipfix_sessout *o, struct osess *s,
    struct ipfix_err *err)
{
	char addr[INET6_ADDRSTRLEN], when[32];
	uint8_t a4[4], a6[16];
	time_t t = (time_t)(s->s.start_ms / 1000);
	struct tm tm;
	int n;

	if (addr_v4(&s->s.exporter, a4))
		inet_ntop(AF_INET, a4, addr, sizeof(addr));
	else {
		addr_v6(&s->s.exporter, a6);
		inet_ntop(AF_INET6, a6, addr, sizeof(addr));
	}
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y%m%dT%H%M%S", &tm);
	n = snprintf(s->path, sizeof(s->path), "%s/%s-%s-%s-%u-s%u.ipfix%s",
	    o->cfg.split_dir, when, proto_name(s->s.proto), addr,
	    addr_port(&s->s.exporter), s->s.id, o->cfg.gzip ? ".gz" : "");
	if (n < 0 || (size_t)n >= sizeof(s->path))
		return ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL,
		    "split directory name too long");
	return 0;
}

static int
split_open(struct ipfix_sessout *o, struct osess *s, struct ipfix_err *err)
{
	char path[PATH_MAX_LEN + 16];

	if (s->part == 0)
		snprintf(path, sizeof(path), "%s", s->path);
	else
		snprintf(path, sizeof(path), "%s.%u", s->path, s->part);
	if ((s->w = ipfix_writer_open(path, o->cfg.gzip, err)) == NULL)
		return -1;
	o->st.files++;
	return 0;
}

int
ipfix_sessout_raw(struct ipfix_sessout *o, uint32_t id, const uint8_t *msg,
    size_t len, struct ipfix_err *err)
{
	struct osess *s = sess_find(o, id);

	if (s == NULL)
		return ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL,
		    "unknown session %u", id);
	if (s->w == NULL && split_open(o, s, err) == -1)
		return -1;
	if (ipfix_writer_write(s->w, msg, len, err) == -1)
		return -1;
	o->unflushed = true;
	o->st.messages++;
	return 0;
}

/* Sessions -------------------------------------------------------------- */

void
ipfix_sessout_set_version(struct ipfix_sessout *o, uint32_t id,
    uint8_t version)
{
	struct osess *s = sess_find(o, id);

	if (s != NULL)
		s->version = version;
}

int
ipfix_sessout_begin(struct ipfix_sessout *o,
    const struct ipfix_sessout_session *s, struct ipfix_err *err)
{
	struct osess *n;

	if (sess_find(o, s->id) != NULL)
		return ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL,
		    "session %u already open", s->id);
	if (ipfix_grow((void **)&o->sess, &o->capsess, o->nsess + 1,
	    sizeof(*o->sess)) == -1 || (n = calloc(1, sizeof(*n))) == NULL)
		return ipfix_err_set(err, IPFIX_E_NOMEM, IPFIX_NO_OFFSET, NULL,
		    "session table");
	n->s = *s;
	snprintf(n->identity, sizeof(n->identity), "%s",
	    s->identity ? s->identity : "");
	n->s.identity = n->identity;
	n->s.der_len = s->der != NULL && s->der_len <= sizeof(n->der) ?
	    s->der_len : 0;
	if (n->s.der_len > 0)
		memcpy(n->der, s->der, n->s.der_len);
	n->s.der = n->der;
	n->v4 = sess_is_v4(s);
	n->version = 10;
	if (o->cfg.split_dir != NULL && (split_path(o, n, err) == -1 ||
	    split_open(o, n, err) == -1)) {
		free(n);
		return -1;
	}
	o->sess[o->nsess++] = n;
	return 0;
}

static void
sess_remove(struct ipfix_sessout *o, struct osess *s)
{
	for (size_t i = 0; i < o->nsess; i++)
		if (o->sess[i] == s) {
			o->sess[i] = o->sess[--o->nsess];
			break;
		}
	sess_free(s);
}

/* Withdraw (when written) and free every template of s in one ODID. */
static int
end_domain(struct ipfix_sessout *o, struct osess *s, uint32_t odid,
    struct ipfix_err *err)
{
	int rc = ipfix_sessout_msg_begin(o, s->s.id, odid, s->last_export, 0,
	    s->last_recv_ms, err);

	if (rc == -1)
		return -1;
	for (size_t i = 0; i < s->nmaps; )
		if (s->maps[i].odid == odid) {
			if (rc == 0 && s->maps[i].written)
				rc = ipfix_sessout_withdraw(o,
				    s->maps[i].t->options ? 3 : 2,
				    s->maps[i].in_tid, err);
			else
				map_drop(o, s, &s->maps[i]);
		} else
			i++;
	if (ipfix_sessout_msg_end(o, err) == -1)
		rc = -1;
	return rc;
}

int
ipfix_sessout_end(struct ipfix_sessout *o, uint32_t id, struct ipfix_err *err)
{
	struct osess *s = sess_find(o, id);
	int rc = 0;

	if (s == NULL)
		return 0;
	while (s->nmaps > 0 && rc == 0)
		rc = end_domain(o, s, s->maps[0].odid, err);
	sess_remove(o, s);
	return rc;
}

int
ipfix_sessout_continue(struct ipfix_sessout *o, uint32_t odid,
    uint32_t next_seq, const uint8_t used[65536 / 8], struct ipfix_err *err)
{
	struct odom *d = dom_get(o, odid, err);

	if (d == NULL)
		return -1;
	d->seq = next_seq;
	for (size_t i = 0; i < sizeof(d->used); i++)
		d->used[i] |= used[i];
	return 0;
}

/* Building output messages ------------------------------------------------ */

static int
write_out(struct ipfix_sessout *o, struct ipfix_err *err)
{
	size_t len;

	if (!o->building)
		return 0;
	o->building = false;
	len = ipfix_builder_finish(&o->b);
	o->curdom->seq += o->b.records;
	o->st.messages++;
	o->st.records += o->b.records;
	o->unflushed = true;
	return ipfix_writer_commit(o->w, len, err);
}

/* The session s follows in odid (0: none). */
static uint32_t
follows(const struct osess *s, uint32_t odid)
{
	for (size_t i = 0; i < s->nfollows; i++)
		if (s->follows[i].odid == odid)
			return s->follows[i].prev;
	return 0;
}

int
ipfix_sessout_follows(struct ipfix_sessout *o, uint32_t id, uint32_t odid,
    uint32_t prev, struct ipfix_err *err)
{
	struct osess *s = sess_find(o, id);

	if (s == NULL || prev == 0 || follows(s, odid) == prev)
		return 0;
	if (ipfix_grow((void **)&s->follows, &s->capfollows, s->nfollows + 1,
	    sizeof(*s->follows)) == -1)
		return ipfix_err_set(err, IPFIX_E_NOMEM, IPFIX_NO_OFFSET, NULL,
		    "session details");
	s->follows[s->nfollows++] = (struct follow){ odid, prev };
	return 0;
}

static size_t
sess_details(const struct osess *s, uint32_t odid, uint8_t *p)
{
	const uint8_t *id = (const uint8_t *)s->identity;
	size_t n = 0, idlen = strlen(s->identity);

	if (s->s.der_len > 0) {
		id = s->der;
		idlen = s->s.der_len;
	}
	p[n++] = 0;				/* sessionScope: written 0 */
	n += put_addr_port(p + n, &s->s.exporter, s->v4);
	n += put_addr_port(p + n, &s->s.collector, s->v4);
	p[n++] = s->s.proto;
	p[n++] = s->version;
	if (idlen < 255)
		p[n++] = (uint8_t)idlen;
	else {
		p[n++] = 255;
		ipfix_put16(p + n, (uint16_t)idlen);
		n += 2;
	}
	memcpy(p + n, id, idlen);
	n += idlen;
	ipfix_put32(p + n, s->s.id);
	ipfix_put32(p + n + 4, follows(s, odid));
	return n + 8;
}

static size_t
msg_details(const struct ipfix_sessout *o, const struct osess *s, uint8_t *p)
{
	size_t n = 0;

	p[n++] = 0;				/* messageScope: written 0 */
	ipfix_put64(p + n, (uint64_t)o->recv_ms);
	n += 8;
	n += put_addr_port(p + n, &s->s.exporter, s->v4);
	n += put_addr_port(p + n, &s->s.collector, s->v4);
	p[n++] = s->s.proto;
	ipfix_put16(p + n, o->stream);
	return n + 2;
}

/* Starts an output message: metadata templates when this file lacks them,
 * the session's details on its first message in the ODID, then the
 * Message Details record. An empty builder always takes these. */
static int
start_out(struct ipfix_sessout *o, struct ipfix_err *err)
{
	struct osess *s = o->cur;
	struct odom *d = o->curdom;
	uint8_t rec[IPFIX_SESSOUT_DER_MAX + 64], *buf;
	size_t n;
	int i, rc = 0;

	if ((buf = ipfix_writer_space(o->w, err)) == NULL)
		return -1;
	ipfix_builder_init(&o->b, buf, IPFIX_MSG_MAX, d->odid,
	    o->export_time, d->seq);
	o->building = true;
	for (i = 0; i < 4 && !d->meta_done && rc == 0; i++)
		rc = ipfix_builder_add_template(&o->b, o->meta[i], err);
	d->meta_done = true;
	if (rc == 0 && !detailed(s, d->odid)) {
		n = sess_details(s, d->odid, rec);
		rc = ipfix_builder_add_record(&o->b, s->v4 ?
		    IPFIX_SESSOUT_TID_SESS4 : IPFIX_SESSOUT_TID_SESS6, rec, n,
		    err);
		if (rc == 0 && ipfix_grow((void **)&s->detailed, &s->capdetailed,
		    s->ndetailed + 1, sizeof(*s->detailed)) == 0)
			s->detailed[s->ndetailed++] = d->odid;
	}
	n = msg_details(o, s, rec);
	if (rc == 0)
		rc = ipfix_builder_add_record(&o->b, s->v4 ?
		    IPFIX_SESSOUT_TID_MSG4 : IPFIX_SESSOUT_TID_MSG6, rec, n, err);
	return rc == 0 ? 0 : -1;
}

/* Adds one item (kind 0 template, 1 withdrawal, 2 record), cutting the
 * output message when it is full. */
static int
add_item(struct ipfix_sessout *o, int kind, const struct ipfix_tmpl *t,
    uint16_t a, uint16_t b, const uint8_t *rec, size_t len,
    struct ipfix_err *err)
{
	int rc = 1;

	for (int tries = 0; tries < 2 && rc == 1; tries++) {
		if (!o->building && start_out(o, err) == -1)
			return -1;
		if (kind == 0)
			rc = ipfix_builder_add_template(&o->b, t, err);
		else if (kind == 1)
			rc = ipfix_builder_add_withdrawal(&o->b, a, b, err);
		else
			rc = ipfix_builder_add_record(&o->b, a, rec, len,
			    err);
		if (rc == 1 && write_out(o, err) == -1)
			return -1;
	}
	if (rc != 0) {
		o->st.dropped++;
		return rc == 1 ? ipfix_err_set(err, IPFIX_E_LIMIT,
		    IPFIX_NO_OFFSET, NULL, "item too big for an output "
		    "message with its details") : -1;
	}
	return 0;
}

int
ipfix_sessout_msg_begin(struct ipfix_sessout *o, uint32_t id, uint32_t odid,
    uint32_t export_time, uint16_t sctp_stream, int64_t recv_ms,
    struct ipfix_err *err)
{
	if (o->w == NULL)
		return ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL,
		    "merged output is not open");
	if ((o->cur = sess_find(o, id)) == NULL)
		return ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL,
		    "unknown session %u", id);
	if ((o->curdom = dom_get(o, odid, err)) == NULL) {
		o->cur = NULL;
		return -1;
	}
	o->export_time = export_time;
	o->stream = sctp_stream;
	o->recv_ms = recv_ms;
	o->cur->last_export = export_time;
	o->cur->last_recv_ms = recv_ms;
	o->building = false;
	return 0;
}

int
ipfix_sessout_msg_end(struct ipfix_sessout *o, struct ipfix_err *err)
{
	int rc;

	if (o->cur == NULL)
		return 0;
	rc = write_out(o, err);
	o->cur = NULL;
	o->curdom = NULL;
	return rc;
}

/* Templates and withdrawals ---------------------------------------------- */

static int
map_write(struct ipfix_sessout *o, struct tmap *m, struct ipfix_err *err)
{
	if (add_item(o, 0, m->t, 0, 0, NULL, 0, err) == -1)
		return -1;
	m->written = true;
	return 0;
}

static int
map_new(struct ipfix_sessout *o, const struct ipfix_tmpl *t,
    struct ipfix_err *err)
{
	struct osess *s = o->cur;
	struct tmap *m;
	uint16_t out;

	if (ipfix_grow((void **)&s->maps, &s->capmaps, s->nmaps + 1,
	    sizeof(*s->maps)) == -1)
		return ipfix_err_set(err, IPFIX_E_NOMEM, IPFIX_NO_OFFSET, NULL,
		    "template map");
	if ((out = tid_alloc(o->curdom, t->id)) == 0)
		return ipfix_err_set(err, IPFIX_E_LIMIT, IPFIX_NO_OFFSET, NULL,
		    "no free template id in ODID %u", o->curdom->odid);
	m = &s->maps[s->nmaps];
	if ((m->t = ipfix_tmpl_dup(t)) == NULL) {
		tid_set(o->curdom, out, false);
		return ipfix_err_set(err, IPFIX_E_NOMEM, IPFIX_NO_OFFSET, NULL,
		    "template copy");
	}
	m->t->id = out;
	m->odid = o->curdom->odid;
	m->in_tid = t->id;
	m->written = false;
	s->nmaps++;
	return map_write(o, m, err);
}

/* A changed definition: withdraw the old one in the output first, so the
 * file never redefines an id in place. */
static int
map_change(struct ipfix_sessout *o, struct tmap *m,
    const struct ipfix_tmpl *t, struct ipfix_err *err)
{
	struct ipfix_tmpl *n;
	uint16_t out = m->t->id;

	if ((n = ipfix_tmpl_dup(t)) == NULL)
		return ipfix_err_set(err, IPFIX_E_NOMEM, IPFIX_NO_OFFSET, NULL,
		    "template copy");
	n->id = out;
	if (m->written && add_item(o, 1, NULL, m->t->options ? 3 : 2, out,
	    NULL, 0, err) == -1) {
		ipfix_tmpl_free(n);
		return -1;
	}
	ipfix_tmpl_free(m->t);
	m->t = n;
	m->written = false;
	return map_write(o, m, err);
}

/* Same definition whatever the id (the output id differs from the input's). */
static bool
same_fields(const struct ipfix_tmpl *a, const struct ipfix_tmpl *b)
{
	if (a->nfields != b->nfields || a->scope_count != b->scope_count ||
	    a->options != b->options)
		return false;
	for (uint16_t i = 0; i < a->nfields; i++)
		if (a->fields[i].pen != b->fields[i].pen ||
		    a->fields[i].id != b->fields[i].id ||
		    a->fields[i].len != b->fields[i].len)
			return false;
	return true;
}

int
ipfix_sessout_template(struct ipfix_sessout *o, const struct ipfix_tmpl *t,
    enum ipfix_tadd how, struct ipfix_err *err)
{
	struct tmap *m;

	if (o->cur == NULL)
		return ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL,
		    "template outside a message");
	m = map_find(o->cur, o->curdom->odid, t->id);
	if (m == NULL)
		return map_new(o, t, err);
	if (how == IPFIX_TADD_CHANGED || !same_fields(m->t, t))
		return map_change(o, m, t, err);
	return m->written ? 0 : map_write(o, m, err);
}

static int
withdraw_one(struct ipfix_sessout *o, struct tmap *m, struct ipfix_err *err)
{
	int rc = 0;

	if (m->written)
		rc = add_item(o, 1, NULL, m->t->options ? 3 : 2, m->t->id,
		    NULL, 0, err);
	map_drop(o, o->cur, m);
	return rc;
}

int
ipfix_sessout_withdraw(struct ipfix_sessout *o, uint16_t set_id,
    uint16_t tid, struct ipfix_err *err)
{
	struct osess *s = o->cur;
	struct tmap *m;
	bool opt = set_id == IPFIX_SET_OPTIONS_TEMPLATE;
	int rc = 0;

	if (s == NULL)
		return ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL,
		    "withdrawal outside a message");
	if (tid >= IPFIX_MIN_DATA_SET_ID) {
		m = map_find(s, o->curdom->odid, tid);
		return m == NULL ? 0 : withdraw_one(o, m, err);
	}
	/* "all" of one kind: only this session's, one by one */
	for (size_t i = 0; i < s->nmaps && rc == 0; )
		if (s->maps[i].odid == o->curdom->odid &&
		    s->maps[i].t->options == opt)
			rc = withdraw_one(o, &s->maps[i], err);
		else
			i++;
	return rc;
}

/* The output template of t, written before its first record. */
static struct tmap *
record_map(struct ipfix_sessout *o, const struct ipfix_tmpl *t, uint32_t n,
    struct ipfix_err *err)
{
	struct tmap *m;

	if (o->cur == NULL) {
		ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL,
		    "record outside a message");
		return NULL;
	}
	m = map_find(o->cur, o->curdom->odid, t->id);
	if (m == NULL) {
		/* the decoder knew it, so it was stored before this output
		 * existed (cannot happen) or its map failed: drop */
		o->st.dropped += n;
		ipfix_err_set(err, IPFIX_E_NO_TEMPLATE, IPFIX_NO_OFFSET, NULL,
		    "no output template for id %u", t->id);
		return NULL;
	}
	if (!m->written && map_write(o, m, err) == -1)
		return NULL;
	return m;
}

int
ipfix_sessout_record(struct ipfix_sessout *o, const struct ipfix_tmpl *t,
    const uint8_t *rec, size_t len, struct ipfix_err *err)
{
	struct tmap *m = record_map(o, t, 1, err);

	if (m == NULL)
		return -1;
	/* most records fit the message being built: one builder call */
	if (o->building &&
	    ipfix_builder_add_record(&o->b, m->t->id, rec, len, err) == 0)
		return 0;
	return add_item(o, 2, NULL, m->t->id, 0, rec, len, err);
}

int
ipfix_sessout_records(struct ipfix_sessout *o, const struct ipfix_tmpl *t,
    const uint8_t *recs, size_t len, uint32_t n, struct ipfix_err *err)
{
	size_t rl = t->min_len;
	struct tmap *m;
	uint32_t k;

	/* Checked before the lookup, which may write the template. */
	if (t->varlen || rl == 0 || len != rl * n)
		return ipfix_err_set(err, IPFIX_E_USAGE, IPFIX_NO_OFFSET, NULL,
		    "template %u: not %u records of %zu bytes in %zu", t->id,
		    n, rl, len);
	if ((m = record_map(o, t, n, err)) == NULL)
		return -1;
	while (n > 0) {
		k = o->building ? ipfix_builder_add_fitting(&o->b, m->t->id,
		    recs, rl, n) : 0;
		if (k == 0) {
			if (add_item(o, 2, NULL, m->t->id, 0, recs, rl,
			    err) == -1)
				return -1;
			k = 1;
		}
		recs += rl * k;
		n -= k;
	}
	return 0;
}

/* Reopen and flush ----------------------------------------------------- */

static void
forget_file(struct ipfix_sessout *o)
{
	for (size_t i = 0; i < o->ndoms; i++) {
		o->doms[i]->meta_done = false;
		o->doms[i]->seq = 0;
	}
	for (size_t i = 0; i < o->nsess; i++) {
		o->sess[i]->ndetailed = 0;
		for (size_t j = 0; j < o->sess[i]->nmaps; j++)
			o->sess[i]->maps[j].written = false;
	}
}

static int
reopen_split(struct ipfix_sessout *o, struct ipfix_err *err)
{
	int rc = 0;

	for (size_t i = 0; i < o->nsess; i++) {
		struct osess *s = o->sess[i];

		if (s->w != NULL && ipfix_writer_close(s->w, err) == -1)
			rc = -1;
		s->w = NULL;
		s->part++;	/* opened again by its next message */
	}
	return rc;
}

int
ipfix_sessout_reopen(struct ipfix_sessout *o, const char *new_path,
    struct ipfix_err *err)
{
	int rc;

	if (o->cfg.split_dir != NULL)
		return reopen_split(o, err);
	if (new_path == NULL && still_ours(o))
		return ipfix_writer_flush(o->w, err);
	rc = ipfix_writer_close(o->w, err);
	o->w = NULL;
	if (new_path != NULL)
		snprintf(o->path, sizeof(o->path), "%s", new_path);
	if (merged_open(o, err) == -1)
		return -1;
	forget_file(o);
	return rc;
}

int
ipfix_sessout_flush(struct ipfix_sessout *o, struct ipfix_err *err)
{
	int rc = 0;

	if (!o->unflushed)
		return 0;
	if (o->w != NULL)
		rc = ipfix_writer_flush(o->w, err);
	for (size_t i = 0; i < o->nsess; i++)
		if (o->sess[i]->w != NULL &&
		    ipfix_writer_flush(o->sess[i]->w, err) == -1)
			rc = -1;
	o->unflushed = rc == -1;
	return rc;
}
