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

/* Per-session random key: kernel addresses must not reach recordings (KASLR). */
__u64 eventfd_id_key __weak = 0;

/*
 * Identity of an eventfd: every anon-inode file shares ONE inode, so the
 * inode number cannot tell two eventfds apart. The eventfd_ctx pointer
 * (file->private_data) is per object and shared by every fd and process
 * holding it. chan.ino = (ptr ^ key) * odd: one-to-one, so still one id
 * per eventfd, but the address cannot be read back without the key.
 */
static __always_inline int eventfd_ident(struct file *file, __u64 *id)
{
	void *ctx = NULL;
	__u64 key = eventfd_id_key, fresh;

	if (bpf_core_read(&ctx, sizeof(ctx), &file->private_data) || !ctx)
		return -1;
	if (!key) {
		/* First use: CPUs racing here all end up with the winner's key. */
		fresh = ((__u64)bpf_get_prandom_u32() << 32) | bpf_get_prandom_u32() | 1;
		key = __sync_val_compare_and_swap(&eventfd_id_key, 0, fresh);
		if (!key)
			key = fresh;
	}
	*id = (((__u64)(unsigned long)ctx) ^ key) * 0x9e3779b97f4a7c15ull;
	return 0;
}

#endif
