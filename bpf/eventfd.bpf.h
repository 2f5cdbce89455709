/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * eventfd.bpf.h - recognise an eventfd among anon-inode files, and read the
 * 8-byte counter value a read or write moved.
 */
#ifndef IPCS_EVENTFD_BPF_H
#define IPCS_EVENTFD_BPF_H

#include "maps.bpf.h"

#define ANON_INODE_FS_MAGIC 0x09041934

/*
 * Is this anon-inode file an eventfd? Its dentry is named "[eventfd]"
 * (anon_inode_getfile). kallsyms (eventfd_fops) is not available here.
 * Returns 1 yes, 0 no, -1 read fault.
 */
static __always_inline int anon_file_is_eventfd(struct file *file)
{
	static const char want[9] = "[eventfd]";
	const unsigned char *name = NULL;
	struct dentry *d = NULL;
	char got[10] = {};

	if (bpf_core_read(&d, sizeof(d), &file->f_path.dentry) || !d ||
	    bpf_core_read(&name, sizeof(name), &d->d_name.name) || !name ||
	    bpf_probe_read_kernel(got, sizeof(got), name))
		return -1;
	for (int i = 0; i < 9; i++)
		if (got[i] != want[i])
			return 0;
	return got[9] == 0;
}

/*
 * Identity of an eventfd: every anon-inode file shares ONE inode, so the
 * inode number cannot tell two eventfds apart. The eventfd_ctx pointer
 * (file->private_data) is per object and shared by every fd and process
 * holding it: it goes into chan.ino (an opaque id, never dereferenced).
 */
static __always_inline int eventfd_ident(struct file *file, __u64 *id)
{
	void *ctx = NULL;

	if (bpf_core_read(&ctx, sizeof(ctx), &file->private_data) || !ctx)
		return -1;
	*id = (__u64)(unsigned long)ctx;
	return 0;
}

#endif
