/*
 * pty.c - pseudoterminals. A pty carries two byte streams: what the master
 * writes the slave reads, and back. Each direction is its own channel
 * (keyed apart from the pty's own (dev, tty index), which fds hold), so
 * the pipe machinery attributes bytes per direction. The line discipline
 * may add or drop bytes (echo, \n -> \r\n, canonical editing): those with
 * no writer behind them go to an unobserved peer (pid 0); in raw mode the
 * streams match exactly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model/model_int.h"

#define PTY_DIR_BIT (1ull << 32)	/* direction ids: never a tty index */

/* Ptys are named by their slave, whichever end was opened (/dev/ptmx names none). */
static void pty_name(struct mchan *c, __u64 index, const char *dir)
{
	char name[64];
	char *dup;

	if (c->path)
		return;
	snprintf(name, sizeof(name), "/dev/pts/%llu%s", (unsigned long long)index, dir);
	dup = strdup(name);
	if (dup)	/* else it keeps its numeric name */
		c->path = dup;
}

static int pty_dir_chan(struct model *m, const struct ipcs_chan *end, bool to_master,
			struct mchan **out)
{
	struct ipcs_chan id = { .ino = PTY_DIR_BIT | (end->ino << 1) | (to_master ? 1 : 0),
				.dev = end->dev, .kind = IPCS_KIND_PTY };
	int err = chan_get(m, &id, out);

	if (!err && *out)
		pty_name(*out, end->ino, to_master ? " (to master)" : " (to slave)");
	return err;
}

int pty_rw(struct model *m, struct mchan *base, struct mproc *p, const struct ipcs_sys_rec *s,
	   bool is_write)
{
	bool master = s->chan.fmode & IPCS_FMODE_PTY_MASTER;
	struct mchan *c;
	int err;

	if (s->ret <= 0)
		return 0;
	pty_name(base, s->chan.ino, "");
	/* The master writes and the slave reads the stream to the slave. */
	err = pty_dir_chan(m, &s->chan, is_write != master, &c);
	if (err || !c)
		return err;
	if (is_write)
		err = conv_write(m, c, p, (__u64)s->ret, s->h.ts_ns, s->blocked_ns);
	else
		err = conv_read(m, c, p, (__u64)s->ret, s->h.ts_ns, s->blocked_ns);
	chan_note_unheld(m, c);
	return err;
}
