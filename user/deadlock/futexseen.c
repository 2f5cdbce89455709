/* futexseen.c - last waker and last acquirer of each futex, from the records. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "deadlock/futexseen.h"

struct fkey {
	uint64_t ino;
	uint64_t off;
	uint32_t dev;
	uint32_t pid;	/* private: the process; shared: 0 */
};

struct alias_key {
	uint64_t uaddr;
	uint32_t tgid;
	uint32_t pad;
};

struct seen {
	struct fkey k;
	pid_t waker, acquirer;
};

int dl_futexseen_init(struct dl_futexseen *s)
{
	memset(s, 0, sizeof(*s));
	if (hashmap_init(&s->alias, sizeof(struct alias_key)) || hashmap_init(&s->keys, sizeof(struct fkey)))
		return -EINVAL;
	return 0;
}

static void forget_all(struct dl_futexseen *s)
{
	size_t it = 0;
	void *v;

	while (hashmap_next(&s->keys, &it, NULL, &v))
		free(v);
	hashmap_fini(&s->alias);
	hashmap_fini(&s->keys);
	hashmap_init(&s->alias, sizeof(struct alias_key));
	hashmap_init(&s->keys, sizeof(struct fkey));
}

void dl_futexseen_fini(struct dl_futexseen *s)
{
	forget_all(s);
	hashmap_fini(&s->alias);
	hashmap_fini(&s->keys);
}

static struct seen *get_or_new(struct dl_futexseen *s, const struct fkey *k, uint32_t tgid, uint64_t uaddr)
{
	struct alias_key ak;
	struct seen *e = hashmap_get(&s->keys, k);

	if (!e) {
		if (hashmap_len(&s->keys) >= DL_FUTEXSEEN_MAX)
			forget_all(s);	/* bounded memory: old evidence goes first */
		e = calloc(1, sizeof(*e));
		if (!e)
			return NULL;
		e->k = *k;
		if (hashmap_put(&s->keys, k, e, NULL)) {
			free(e);
			return NULL;
		}
	}
	memset(&ak, 0, sizeof(ak));
	ak.uaddr = uaddr;
	ak.tgid = tgid;
	if (hashmap_get(&s->alias, &ak) != e && hashmap_put(&s->alias, &ak, e, NULL))
		return NULL;
	return e;
}

int dl_futexseen_add(struct dl_futexseen *s, const struct ipcs_futex_rec *r)
{
	unsigned cmd;
	struct fkey k;
	struct seen *e;

	if (r->sys == IPCS_SYS_FUTEX_WAITV)	/* several words: no one lock to name */
		return 0;
	cmd = r->op & IPCS_FUTEX_CMD_MASK;
	memset(&k, 0, sizeof(k));
	if (r->key_flags & IPCS_FKEY_SHARED) {
		k.dev = r->key_dev;
		k.ino = r->key_ino;
	} else {
		k.pid = r->pid;
	}
	k.off = r->key_off;
	e = get_or_new(s, &k, r->pid, r->uaddr);
	if (!e)
		return -ENOMEM;
	switch (cmd) {
	case IPCS_FUTEX_WAKE: case IPCS_FUTEX_WAKE_BITSET: case IPCS_FUTEX_WAKE_OP:
	case IPCS_FUTEX_REQUEUE: case IPCS_FUTEX_CMP_REQUEUE: case IPCS_FUTEX_UNLOCK_PI:
		if (r->ret > 0 || (cmd == IPCS_FUTEX_UNLOCK_PI && r->ret == 0))
			e->waker = (pid_t)r->tid;
		break;
	case IPCS_FUTEX_WAIT: case IPCS_FUTEX_WAIT_BITSET: case IPCS_FUTEX_LOCK_PI:
	case IPCS_FUTEX_LOCK_PI2: case IPCS_FUTEX_TRYLOCK_PI:
		if (r->ret == 0)	/* woken (or the PI lock taken): it went on holding it */
			e->acquirer = (pid_t)r->tid;
		break;
	}
	return 0;
}

pid_t dl_futexseen_holder(const struct dl_futexseen *s, pid_t tgid, pid_t tid, uint64_t uaddr,
			  const char **evidence)
{
	struct alias_key ak;
	const struct seen *e;

	memset(&ak, 0, sizeof(ak));
	ak.uaddr = uaddr;
	ak.tgid = (uint32_t)tgid;
	e = hashmap_get(&s->alias, &ak);
	*evidence = NULL;
	if (!e)
		return 0;
	if (e->acquirer > 0 && e->acquirer != tid) {
		*evidence = DL_EVID_LAST_ACQUIRER;
		return e->acquirer;
	}
	if (e->waker > 0 && e->waker != tid) {
		*evidence = DL_EVID_LAST_WAKER;
		return e->waker;
	}
	return 0;
}
