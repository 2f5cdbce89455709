/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * fdres.bpf.h - a task's fd -> the channel it names (struct ipcs_chan).
 * current->files->fdt->fd[fd] -> struct file -> inode and superblock.
 * New channel kinds (sockets, eventfd, ...) are added in chan_kind().
 */
#ifndef IPCS_FDRES_BPF_H
#define IPCS_FDRES_BPF_H

#include "maps.bpf.h"
#include "sock.bpf.h"
#include "eventfd.bpf.h"

#define PIPEFS_MAGIC 0x50495045
#define MQUEUE_MAGIC 0x19800202
#define S_IFMT  00170000
#define S_IFIFO 0010000
#define FMODE_READ  0x1
#define FMODE_WRITE 0x2

#include "pty.bpf.h"

enum fdres_result {
	FDRES_FAULT = -1,	/* a kernel read failed: the answer is unknown */
	FDRES_NONE = 0,		/* no such fd, or not a channel ipcscope follows */
};

static __always_inline __u16 chan_kind(unsigned long magic, umode_t mode)
{
	if (magic == PIPEFS_MAGIC)
		return IPCS_KIND_PIPE;
	if ((mode & S_IFMT) == S_IFIFO)
		return IPCS_KIND_FIFO;
	if (magic == MQUEUE_MAGIC)
		return IPCS_KIND_MQ;
	return IPCS_KIND_NONE;
}

/* Fill chan from the open file; returns its kind, FDRES_NONE or FDRES_FAULT. */
static __always_inline int file_to_chan(struct file *file, struct ipcs_chan *chan)
{
	struct inode *inode = NULL;
	struct super_block *sb = NULL;
	unsigned long magic = 0, ino = 0;
	umode_t mode = 0;
	fmode_t fmode = 0;
	dev_t dev = 0;
	__u64 sock_id = 0;
	__u16 kind;

	if (bpf_core_read(&inode, sizeof(inode), &file->f_inode) || !inode ||
	    bpf_core_read(&sb, sizeof(sb), &inode->i_sb) || !sb ||
	    bpf_core_read(&magic, sizeof(magic), &sb->s_magic) ||
	    bpf_core_read(&mode, sizeof(mode), &inode->i_mode))
		return FDRES_FAULT;
	kind = magic == SOCKFS_MAGIC ? sock_file_kind(file, &sock_id) :
				       chan_kind(magic, mode);
	if ((mode & S_IFMT) == S_IFCHR) {
		int end;

		if (bpf_core_read(&dev, sizeof(dev), &inode->i_rdev))
			return FDRES_FAULT;
		end = pty_end(mode, dev);
		if (!end)
			return FDRES_NONE;
		return pty_to_chan(file, end, chan) < 0 ? FDRES_FAULT : IPCS_KIND_PTY;
	}
	if (magic == ANON_INODE_FS_MAGIC) {
		int r = anon_file_is_eventfd(file);

		if (r < 0)
			return FDRES_FAULT;
		kind = r ? IPCS_KIND_EVENTFD : IPCS_KIND_NONE;
	}
	if (kind == IPCS_KIND_NONE)
		return FDRES_NONE;
	if (kind == IPCS_KIND_EVENTFD ? eventfd_ident(file, (__u64 *)&ino) :
	    bpf_core_read(&ino, sizeof(ino), &inode->i_ino))
		return FDRES_FAULT;
	if (bpf_core_read(&dev, sizeof(dev), &sb->s_dev) ||
	    bpf_core_read(&fmode, sizeof(fmode), &file->f_mode))
		return FDRES_FAULT;
	chan->ino = sock_id ? sock_id : ino;	/* sockets: see sock.bpf.h */
	chan->dev = dev;
	chan->kind = kind;
	chan->fmode = (fmode & FMODE_READ ? IPCS_FMODE_READ : 0) |
		      (fmode & FMODE_WRITE ? IPCS_FMODE_WRITE : 0);
	return kind;
}

/* The open file behind fd; FDRES_NONE when there is none, FDRES_FAULT, or 1. */
static __always_inline int fd_to_file(struct task_struct *task, int fd, struct file **out)
{
	struct files_struct *files = NULL;
	struct fdtable *fdt = NULL;
	struct file **fds = NULL;
	struct file *file = NULL;
	unsigned int max_fds = 0;

	if (fd < 0)
		return FDRES_NONE;
	if (bpf_core_read(&files, sizeof(files), &task->files))
		return FDRES_FAULT;
	if (!files)	/* exiting task */
		return FDRES_NONE;
	if (bpf_core_read(&fdt, sizeof(fdt), &files->fdt) || !fdt ||
	    bpf_core_read(&max_fds, sizeof(max_fds), &fdt->max_fds) ||
	    bpf_core_read(&fds, sizeof(fds), &fdt->fd))
		return FDRES_FAULT;
	if ((unsigned int)fd >= max_fds)
		return FDRES_NONE;
	if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]))
		return FDRES_FAULT;
	if (!file)	/* not open: the syscall fails with EBADF */
		return FDRES_NONE;
	*out = file;
	return 1;
}

static __always_inline int fd_to_chan(struct task_struct *task, int fd,
				      struct ipcs_chan *chan)
{
	struct file *file = NULL;
	int r = fd_to_file(task, fd, &file);

	return r > 0 ? file_to_chan(file, chan) : r;
}

#define TMPFS_MAGIC_FD 0x01021994
#define S_IFREG_ 0100000
#define S_IFDIR_ 0040000
#define S_IFBLK_ 0060000

/* What a file ipcscope does not follow is (enum ipcs_fd_what), from its inode. */
static __always_inline __u16 file_what(unsigned long magic, umode_t mode, const char *name)
{
	static const char memfd[6] = "memfd:";
	int i;

	if (magic == SOCKFS_MAGIC)
		return IPCS_FDW_SOCKET;
	if (magic == ANON_INODE_FS_MAGIC)
		return IPCS_FDW_ANON;
	switch (mode & S_IFMT) {
	case S_IFDIR_:
		return IPCS_FDW_DIR;
	case S_IFCHR:
	case S_IFBLK_:
		return IPCS_FDW_DEV;
	case S_IFREG_:
		if (magic != TMPFS_MAGIC_FD)
			return IPCS_FDW_FILE;
		for (i = 0; i < 6; i++)
			if (name[i] != memfd[i])
				return IPCS_FDW_SHMFILE;
		return IPCS_FDW_MEMFD;
	}
	return IPCS_FDW_OTHER;
}

/*
 * Describe fd of the current task for fd passing: a followed channel's
 * identity, else what the file is with its inode. A global function: the
 * verifier checks it once, however many fds a message carries.
 * Returns 1 when out is filled, 0 (no such fd) or -1 (read fault).
 */
__noinline int ipcs_fd_describe(int fd, struct ipcs_fdpass_fd *out)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct inode *inode = NULL;
	struct super_block *sb = NULL;
	struct dentry *d = NULL;
	const unsigned char *dname = NULL;
	struct ipcs_chan chan = {};
	struct file *file = NULL;
	unsigned long magic = 0, ino = 0;
	umode_t mode = 0;
	dev_t dev = 0;
	int r;

	if (!out)
		return 0;
	out->fd = fd;
	r = fd_to_file(task, fd, &file);
	if (r <= 0)
		return r;
	if (!bpf_core_read(&d, sizeof(d), &file->f_path.dentry) && d &&
	    !bpf_core_read(&dname, sizeof(dname), &d->d_name.name) && dname)
		bpf_probe_read_kernel_str(out->name, sizeof(out->name), dname);
	r = file_to_chan(file, &chan);
	if (r < 0)
		return -1;
	if (r > 0) {
		out->ino = chan.ino;
		out->dev = chan.dev;
		out->kind = chan.kind;
		out->fmode = chan.fmode;
		out->what = IPCS_FDW_CHAN;
		return 1;
	}
	if (bpf_core_read(&inode, sizeof(inode), &file->f_inode) || !inode ||
	    bpf_core_read(&sb, sizeof(sb), &inode->i_sb) || !sb ||
	    bpf_core_read(&magic, sizeof(magic), &sb->s_magic) ||
	    bpf_core_read(&mode, sizeof(mode), &inode->i_mode) ||
	    bpf_core_read(&ino, sizeof(ino), &inode->i_ino) ||
	    bpf_core_read(&dev, sizeof(dev), &sb->s_dev))
		return -1;
	out->ino = ino;
	out->dev = dev;
	out->what = file_what(magic, mode, out->name);
	/* tmpfs files are shared-memory segments: the key shm.bpf.h gives their mappings. */
	if (out->what == IPCS_FDW_MEMFD || out->what == IPCS_FDW_SHMFILE)
		out->kind = IPCS_KIND_SHM;
	return 1;
}

#endif
