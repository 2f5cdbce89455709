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

/*
 * The open file behind fd and the fd table it is in; FDRES_NONE when there
 * is none, FDRES_FAULT, or 1. task->files->fdt are direct (BTF) loads, not
 * helper calls; only the slot fdt->fd[fd] is a bpf_probe_read_kernel.
 */
static __always_inline int fd_slot(struct task_struct *task, int fd,
				   struct files_struct **files_out, struct file **out)
{
	struct files_struct *files;
	struct fdtable *fdt;
	struct file **fds;
	struct file *file = NULL;

	if (fd < 0)
		return FDRES_NONE;
	files = task->files;
	if (!files)	/* exiting task */
		return FDRES_NONE;
	fdt = files->fdt;
	if (!fdt)
		return FDRES_FAULT;
	if ((unsigned int)fd >= fdt->max_fds)
		return FDRES_NONE;
	fds = fdt->fd;
	if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]))
		return FDRES_FAULT;
	if (!file)	/* not open: the syscall fails with EBADF */
		return FDRES_NONE;
	*files_out = files;
	*out = file;
	return 1;
}

static __always_inline int fd_to_file(struct task_struct *task, int fd, struct file **out)
{
	struct files_struct *files;

	return fd_slot(task, fd, &files, out);
}

/*
 * The fd cache (maps.bpf.h fdcache): the channel an fd resolved to, kept
 * while the same struct file is at that fd, so a hit costs the fd table
 * walk above and no file -> inode -> superblock reads. A struct file freed
 * and reallocated at the same address and the same fd would fool the
 * pointer check, so every way an fd's file is replaced drops the entry:
 * close and dup2/dup3 onto it (fdc_forget; resolved then with FDC_NOSTORE,
 * so the closing file is not cached again), the calls that create an fd
 * (fresh resolution, FDC_FRESH), close_range (fdc_gen), close-on-exec
 * (the leader's self_exec_id), a files_struct reused by another process
 * (its leader's start_time), io_uring CLOSE (iouring.bpf.c forgets its fd at
 * submit). Not seen: io_uring installing fds (ACCEPT, SOCKET: resolved fresh).
 */
#define FDC_FRESH   0x1	/* the fd is new: resolve it and replace what is cached */
#define FDC_NOSTORE 0x2	/* its file is going away (close, dup2 target): cache nothing */

static __always_inline void fdc_key(struct fdc_key *k, struct files_struct *files, int fd)
{
	k->files = (__u64)files;
	k->fd = fd;
	k->_pad = 0;
}

/* fd's file was replaced or closed in this task's fd table. */
static __always_inline void fdc_forget(int fd)
{
	struct files_struct *files = bpf_get_current_task_btf()->files;
	struct fdc_key k;

	if (!files || fd < 0)
		return;
	fdc_key(&k, files, fd);
	bpf_map_delete_elem(&fdcache, &k);
}

/*
 * fd of the current task -> chan, through the cache. A global function: the
 * verifier checks it once for every call site. Returns the kind, FDRES_NONE
 * (chan untouched) or FDRES_FAULT.
 */
__weak __noinline int ipcs_fd_chan(int fd, int flags, struct ipcs_chan *chan)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct task_struct *leader = task->group_leader;
	struct files_struct *files = NULL;
	struct file *file = NULL;
	struct fdc_val v = {}, *c;
	struct fdc_key k;
	int r;

	if (!chan)
		return FDRES_NONE;
	r = fd_slot(task, fd, &files, &file);
	if (r <= 0)
		return r;
	fdc_key(&k, files, fd);
	v.file = (__u64)file;
	v.start_ns = leader->start_time;
	v.exec_id = leader->self_exec_id;
	v.gen = fdc_gen;
	v.tgid = task->tgid;
	if (!(flags & FDC_FRESH)) {
		c = bpf_map_lookup_elem(&fdcache, &k);
		if (c && c->file == v.file && c->start_ns == v.start_ns &&
		    c->exec_id == v.exec_id && c->gen == v.gen && c->tgid == v.tgid) {
			if (!c->chan.kind)
				return FDRES_NONE;
			*chan = c->chan;
			return c->chan.kind;
		}
	}
	r = file_to_chan(file, &v.chan);
	if (r < 0)
		return r;	/* unknown: nothing cached */
	/* A (possibly) new socket: constants kept for an older one go. */
	if (v.chan.kind >= IPCS_KIND_UNIX_STREAM && v.chan.kind <= IPCS_KIND_UDP)
		bpf_map_delete_elem(&sockcache, &v.chan.ino);
	if (!(flags & FDC_NOSTORE))
		bpf_map_update_elem(&fdcache, &k, &v, BPF_ANY);
	if (r > 0)
		*chan = v.chan;
	return r;
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
__weak __noinline int ipcs_fd_describe(int fd, struct ipcs_fdpass_fd *out)
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
