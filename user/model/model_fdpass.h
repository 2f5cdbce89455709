/*
 * model_fdpass.h - fds passed over unix sockets (SCM_RIGHTS) and credentials
 * received (SCM_CREDENTIALS): who passed what to whom, over which socket.
 */
#ifndef IPCS_MODEL_FDPASS_H
#define IPCS_MODEL_FDPASS_H

#include <stdbool.h>
#include "model/model.h"

/* One fd that travelled, or one credentials message received. */
struct model_fdpass {
	struct model_proc_ref from, to;	/* pid 0: that side was not seen */
	char via[MODEL_NAME_MAX];	/* the socket conversation's channel ("" if unknown) */
	bool creds;			/* SCM_CREDENTIALS: cred_* set, no fd */
	__u32 cred_pid, cred_uid, cred_gid;
	__s32 fd_sent;			/* the sender's fd number; -1 unknown */
	__s32 fd_received;		/* the receiver's new fd; -1 unknown */
	__u16 kind;			/* enum ipcs_chan_kind of the object, NONE if not followed */
	__u16 what;			/* enum ipcs_fd_what */
	__u16 fmode;			/* IPCS_FMODE_*: which end (pipes) */
	char name[IPCS_FDPASS_NAME];	/* dentry name: "memfd:NAME", a file's base name */
	char channel[MODEL_NAME_MAX];	/* the object's channel name, e.g. "pipe:[123]"; "" if none */
	__u64 ts_sent, ts_received;	/* 0: not seen */
};

/* Exact counts; the list of passes keeps the first MODEL_FDPASS_KEEP. */
struct model_fdpass_totals {
	__u64 fds_passed;	/* fds received or sent (each fd once) */
	__u64 paired;		/* of those, both sides seen */
	__u64 creds;		/* credentials messages received */
	__u64 not_kept;		/* passes beyond the list's cap */
};

#define MODEL_FDPASS_KEEP 4096

typedef int (*model_fdpass_cb)(const struct model_fdpass *p, void *ctx);

/* In the order they completed (pairs, then unpaired at flush). */
int model_foreach_fdpass(const struct model *m, model_fdpass_cb cb, void *ctx);
void model_get_fdpass_totals(const struct model *m, struct model_fdpass_totals *out);

#endif
