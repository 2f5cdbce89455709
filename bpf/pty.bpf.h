/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * pty.bpf.h - a pseudoterminal end: the master (/dev/ptmx, char 5:2) or a
 * slave (/dev/pts/N, char majors 136..143). Both ends name the pty by its
 * tty index, read from file->private_data (struct tty_file_private)->tty.
 */
#ifndef IPCS_PTY_BPF_H
#define IPCS_PTY_BPF_H

#include "maps.bpf.h"

#define S_IFCHR 0020000
#define PTY_MASTER_DEV ((5u << 20) | 2u)	/* kernel dev_t: major << 20 | minor */
#define PTY_SLAVE_MAJOR_FIRST 136
#define PTY_SLAVE_MAJOR_LAST 143
/* Channel dev for ptys: major 4095, no device; ino = tty index (one devpts instance assumed). */
#define IPCS_PTY_CHAN_DEV 0xfff00001u

/* 1 master, 2 slave, 0 neither. */
static __always_inline int pty_end(umode_t mode, dev_t rdev)
{
	__u32 major = rdev >> 20;

	if ((mode & S_IFMT) != S_IFCHR)
		return 0;
	if (rdev == PTY_MASTER_DEV)
		return 1;
	return major >= PTY_SLAVE_MAJOR_FIRST && major <= PTY_SLAVE_MAJOR_LAST ? 2 : 0;
}

/* Fill chan for a pty end; returns IPCS_KIND_PTY or -1 on a read fault. */
static __always_inline int pty_to_chan(struct file *file, int end, struct ipcs_chan *chan)
{
	struct tty_file_private *priv = NULL;
	struct tty_struct *tty = NULL;
	fmode_t fmode = 0;
	int index = 0;

	if (bpf_core_read(&priv, sizeof(priv), &file->private_data) || !priv ||
	    bpf_core_read(&tty, sizeof(tty), &priv->tty) || !tty ||
	    bpf_core_read(&index, sizeof(index), &tty->index) ||
	    bpf_core_read(&fmode, sizeof(fmode), &file->f_mode))
		return -1;
	chan->ino = (__u32)index;
	chan->dev = IPCS_PTY_CHAN_DEV;
	chan->kind = IPCS_KIND_PTY;
	chan->fmode = (fmode & FMODE_READ ? IPCS_FMODE_READ : 0) |
		      (fmode & FMODE_WRITE ? IPCS_FMODE_WRITE : 0) |
		      (end == 1 ? IPCS_FMODE_PTY_MASTER : 0);
	return IPCS_KIND_PTY;
}

#endif
