/*
 * channels.c - the channel table, keyed by (dev, ino) as the kernel resolved
 * it, and per-process fd tables: (process instance, fd) -> channel end.
 * An fd entry is linked into its process (for fork/exec/exit) and into its
 * channel (the holders). A channel without holders is an orphan: it ages
 * out after a while; anything still queued goes to unobserved peers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/model_int.h"

/*
 * Keys are whole 64-bit words, each written by one store: a key built from a
 * 4-byte field next to zero padding is two stores, and the map's 8-byte loads
 * of it then stall (store forwarding fails), several times per event. On
 * little-endian machines the bytes are those of (u32 value, u32 zero).
 */
struct chan_key {
	__u64 ino;
	__u64 dev;
};

struct fd_key {
	__u64 proc_id;
	__u64 fd;	/* (__u32)fd */
};

static struct chan_key chan_key(__u32 dev, __u64 ino)
{
	return (struct chan_key){ .ino = ino, .dev = dev };
}

static struct fd_key fd_key(const struct mproc *p, __s32 fd)
{
	return (struct fd_key){ .proc_id = p->id, .fd = (__u32)fd };
}

int chantab_init(struct model *m)
{
	int err = hashmap_init(&m->chans, sizeof(struct chan_key));

	return err ? err : hashmap_init(&m->fds, sizeof(struct fd_key));
}

void chantab_fini(struct model *m)
{
	struct mfd *f;
	struct mchan *c;
	struct mproc *p;
	struct mage e;
	size_t it = 0;

	/* fd entries hold no references: free them while everything exists. */
	while (hashmap_next(&m->fds, &it, NULL, (void **)&f))
		free(f);
	hashmap_fini(&m->fds);
	it = 0;
	while (hashmap_next(&m->procs, &it, NULL, (void **)&p)) {
		p->fds = NULL;
		p->nfds = 0;
	}
	while (ageq_pop(&m->orphans, &e))
		chan_unref(m, e.obj);
	ageq_fini(&m->orphans);
	it = 0;
	while (hashmap_next(&m->chans, &it, NULL, (void **)&c)) {
		c->holders = NULL;
		c->nholders = 0;
		c->in_table = false;
		chan_unref(m, c);
	}
	hashmap_fini(&m->chans);
}

struct mchan *chan_ref(struct mchan *c)
{
	c->refs++;
	return c;
}

void chan_unref(struct model *m, struct mchan *c)
{
	if (!c || --c->refs)
		return;
	segq_fini(&c->writes);
	segq_fini(&c->reads);
	m->chan_release(c);
	if (c->untraced_by)
		proc_unref(c->untraced_by);
	if (c->untraced_r)
		proc_unref(c->untraced_r);
	if (c->untraced_w)
		proc_unref(c->untraced_w);
	free(c->path);
	free(c);
}

static bool kind_valid(__u16 kind)
{
	return kind > IPCS_KIND_NONE && kind < IPCS_KIND_MAX;
}

static int chan_new(struct model *m, const struct ipcs_chan *id, struct mchan **out)
{
	struct chan_key k = chan_key(id->dev, id->ino);
	struct mchan *c = calloc(1, sizeof(*c));
	int err;

	if (!c)
		return -ENOMEM;
	c->ino = id->ino;
	c->dev = id->dev;
	c->kind = id->kind;
	c->refs = 1;	/* the table's */
	c->in_table = true;
	err = hashmap_put(&m->chans, &k, c, NULL);
	if (err) {
		free(c);
		return err;
	}
	m->tot.channels_seen++;
	*out = c;
	return 0;
}

struct mchan *chan_lookup(const struct model *m, __u32 dev, __u64 ino)
{
	struct chan_key k = chan_key(dev, ino);

	return hashmap_get(&m->chans, &k);
}

int chan_get(struct model *m, const struct ipcs_chan *id, struct mchan **out)
{
	struct chan_key k = chan_key(id->dev, id->ino);

	*out = NULL;
	if (!kind_valid(id->kind))
		return 0;
	*out = hashmap_get(&m->chans, &k);
	return *out ? 0 : chan_new(m, id, out);
}

/* Take c out of the table: it keeps living while conversations name it. */
static void chan_detach(struct model *m, struct mchan *c)
{
	struct chan_key k = chan_key(c->dev, c->ino);

	if (!c->in_table)
		return;
	if (hashmap_get(&m->chans, &k) == c)
		hashmap_del(&m->chans, &k);
	c->in_table = false;
	m->closed_gen++;
	chan_unref(m, c);
}

int chan_renew(struct model *m, const struct ipcs_chan *id, struct mchan **out)
{
	struct chan_key k = chan_key(id->dev, id->ino);
	struct mchan *old = hashmap_get(&m->chans, &k);

	*out = NULL;
	if (!kind_valid(id->kind))
		return 0;
	if (old) {
		/* The inode is new, so whoever held the old one closed it unseen. */
		while (old->holders)
			fd_remove(m, old->holders);
		m->chan_flush(m, old);
		chan_detach(m, old);
	}
	return chan_new(m, id, out);
}

void chan_set_path(struct mchan *c, const char *path)
{
	char *dup;

	/* Named kinds: FIFOs by path, signals by name, message queues by mq name. */
	if (!path || !*path || (c->kind != IPCS_KIND_FIFO && c->kind != IPCS_KIND_SIGNAL &&
				c->kind != IPCS_KIND_MQ))
		return;
	/* Keep the first name, but an absolute path beats a relative one. */
	if (c->path && (c->path[0] == '/' || path[0] != '/'))
		return;
	dup = strndup(path, IPCS_PATH_MAX - 1);
	if (!dup)
		return;	/* the channel keeps its inode name */
	free(c->path);
	c->path = dup;
}

void chan_name(const struct mchan *c, char *buf, size_t size)
{
	if (c->path)
		snprintf(buf, size, "%s", c->path);
	else
		snprintf(buf, size, "%s:[%llu]", ipcs_kind_name(c->kind),
			 (unsigned long long)c->ino);
}

bool chan_is_closed(const struct mchan *c)
{
	return !c->nholders && !c->writes.len && !c->reads.len;
}

static void chan_orphan(struct model *m, struct mchan *c)
{
	if (c->orphan_gen || !c->in_table)
		return;
	c->orphan_gen = ++m->orphan_gen;
	m->closed_gen++;
	if (ageq_push(&m->orphans, chan_ref(c), c->orphan_gen, m->tot.events))
		chan_unref(m, c);	/* cannot queue: stays until model_free */
}

/* Called when an event leaves c without holders (or never gave it any). */
void chan_note_unheld(struct model *m, struct mchan *c)
{
	if (c && !c->nholders)
		chan_orphan(m, c);
}

void chan_age(struct model *m)
{
	struct mage e;

	while (ageq_pop_due(&m->orphans, m->tot.events, m->lim.age_events, m->lim.max_orphan_chans,
			    &e)) {
		struct mchan *c = e.obj;

		/* Stale entry: the channel got a holder again since. */
		if (c->orphan_gen == e.gen && !c->nholders && c->in_table) {
			m->chan_flush(m, c);
			chan_detach(m, c);
		}
		chan_unref(m, c);
	}
}

struct mfd *fd_lookup(struct model *m, const struct mproc *p, __s32 fd)
{
	struct fd_key k = fd_key(p, fd);

	return hashmap_get(&m->fds, &k);
}

int fd_add(struct model *m, struct mproc *p, __s32 fd, struct mchan *c,
	   __u16 fmode, bool cloexec)
{
	struct fd_key k = fd_key(p, fd);
	struct mfd *f;
	int err;

	/* Dead processes hold nothing; a late record must not resurrect fds. */
	if (fd < 0 || !c || p->exited || !c->in_table)
		return 0;
	f = hashmap_get(&m->fds, &k);
	if (f && f->chan == c) {
		f->fmode = fmode ? fmode : f->fmode;
		f->cloexec = cloexec;
		return 0;
	}
	if (f)
		fd_remove(m, f);
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->proc = p;
	f->chan = c;
	f->fd = fd;
	f->fmode = fmode & (IPCS_FMODE_READ | IPCS_FMODE_WRITE);
	f->cloexec = cloexec;
	err = hashmap_put(&m->fds, &k, f, NULL);
	if (err) {
		free(f);
		return err;
	}
	f->pnext = p->fds;
	if (p->fds)
		p->fds->pprev = f;
	p->fds = f;
	p->nfds++;
	f->cnext = c->holders;
	if (c->holders)
		c->holders->cprev = f;
	c->holders = f;
	c->nholders++;
	c->orphan_gen = 0;
	return 0;
}

void fd_remove(struct model *m, struct mfd *f)
{
	struct fd_key k = fd_key(f->proc, f->fd);
	struct mproc *p = f->proc;
	struct mchan *c = f->chan;

	hashmap_del(&m->fds, &k);
	if (f->pprev)
		f->pprev->pnext = f->pnext;
	else
		p->fds = f->pnext;
	if (f->pnext)
		f->pnext->pprev = f->pprev;
	if (f->cprev)
		f->cprev->cnext = f->cnext;
	else
		c->holders = f->cnext;
	if (f->cnext)
		f->cnext->cprev = f->cprev;
	p->nfds--;
	c->nholders--;
	free(f);
	if (!c->nholders)
		chan_orphan(m, c);
}

void fd_remove_all(struct model *m, struct mproc *p, bool cloexec_only)
{
	struct mfd *f = p->fds, *next;

	for (; f; f = next) {
		next = f->pnext;
		if (!cloexec_only || f->cloexec)
			fd_remove(m, f);
	}
}

int fd_copy_table(struct model *m, const struct mproc *from, struct mproc *to)
{
	const struct mfd *f;
	int err;

	for (f = from->fds; f; f = f->pnext) {
		err = fd_add(m, to, f->fd, f->chan, f->fmode, f->cloexec);
		if (err)
			return err;
	}
	return 0;
}
