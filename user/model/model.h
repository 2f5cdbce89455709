/*
 * model.h - channels, processes and conversations built from events.
 * Fed only through model_apply(); knows nothing of sources, sinks or views.
 */
#ifndef IPCS_MODEL_H
#define IPCS_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include "ipcscope_abi.h"
#include "collect/decode.h"

struct model;

/* A process as the model names it; pid 0 means "not observed". */
struct model_proc_ref {
	__u32 pid;
	__u64 start_ns;
	char comm[IPCS_COMM_LEN];
	bool untraced;	/* named as a peer of a traced process (IPCS_REC_PEER), not traced */
};

struct model_dir_stats {
	__u64 msgs;	/* write calls whose bytes this reader consumed */
	__u64 bytes;	/* bytes written by one side and read by the other */
};

#define MODEL_NAME_MAX (IPCS_PATH_MAX + 32)

/* Request (a->b burst) to response (next b->a write) times; count 0 = none. */
struct model_latency {
	__u64 count;
	__u64 p50, p90, p99, max;	/* ns */
};

/* Kind "signal": what became of the signals a sent b (a conversation per signal number). */
struct model_sig_stats {
	__u64 result[IPCS_SIGR_MAX];	/* signal_generate outcomes, enum ipcs_sig_result */
	__u64 handled;			/* delivered to a user handler */
	__u64 defaulted;		/* delivered with the default action */
};

/* Bytes moved in one-second windows of event time, for rates: cur holds the
 * window sec (ts / 1e9), prev the window just before it (0 if idle then). */
struct model_rate {
	__u64 sec, cur, prev;
};

/* Bytes per second over the last whole second before now_ns (0 when idle). */
__u64 model_rate_at(const struct model_rate *r, __u64 now_ns);
/* Bytes in the second that ends at now_ns (the windows taken in part): traffic
 * that began a moment ago already has a rate. */
__u64 model_rate_recent(const struct model_rate *r, __u64 now_ns);

/* A conversation: (channel, process a, process b). For pipes a = writer. */
struct model_conv {
	__u16 kind;			/* enum ipcs_chan_kind */
	__u64 ino;
	__u32 dev;
	char channel[MODEL_NAME_MAX];	/* "pipe:[123]", FIFO path, ... (raw, unescaped) */
	struct model_proc_ref a, b;
	struct model_dir_stats a_to_b, b_to_a;
	struct model_rate rate_ab, rate_ba;	/* by delivery time */
	__u64 first_ns, last_ns;
	__u64 a_blocked_ns, b_blocked_ns;	/* time blocked in this conversation's calls */
	struct model_latency latency;		/* sockets: a = first writer */
	struct model_sig_stats sig;		/* kind signal only */
	__u64 fds_a_to_b, fds_b_to_a;		/* unix sockets: fds passed (SCM_RIGHTS) */
	__u64 creds_a_to_b, creds_b_to_a;	/* credentials received (SCM_CREDENTIALS) */
};

struct model_holder {
	struct model_proc_ref proc;
	__s32 fd;
	__u16 fmode;	/* IPCS_FMODE_* */
};

struct model_chan {
	__u16 kind;
	__u64 ino;
	__u32 dev;
	char channel[MODEL_NAME_MAX];
	__u64 bytes_written, bytes_read;
	size_t nholders;
	const struct model_holder *holders;	/* valid during the callback only */
};

struct model_proc {
	struct model_proc_ref ref;
	__u32 ppid;
	bool exited;
	__s32 exit_code;
	__u64 cgroup_id;		/* its cgroup v2 id, 0 = unknown */
	char cgroup[IPCS_PATH_MAX];	/* its path ("/system.slice/x.scope"; raw, unescaped),
					   "" when the recording does not name the id */
	char cmdline[IPCS_CMDLINE_MAX + 1];	/* its title: /proc/PID/cmdline as last recorded,
						   NULs as spaces (raw, unescaped); "" unknown */
	bool cmdline_cut;		/* longer than IPCS_CMDLINE_MAX when read */
};

struct model_totals {
	__u64 events;				/* records applied */
	__u64 drops[IPCS_DROP_SLOTS];		/* latest cumulative counters seen */
	__u64 drops_total;
	__u64 first_ns, last_ns;
	__u64 procs_seen, channels_seen;
	__u64 convs_aged_out;			/* folded into totals to bound memory */
};

int model_new(struct model **out);
void model_free(struct model *m);

/* Apply one decoded event. Returns 0 or -errno (-ENOMEM). */
int model_apply(struct model *m, const struct ipcs_event *ev);

/* End of input: bytes still unmatched go to conversations with an unobserved peer. */
void model_flush(struct model *m);

typedef int (*model_conv_cb)(const struct model_conv *c, void *ctx);
typedef int (*model_chan_cb)(const struct model_chan *c, void *ctx);
typedef int (*model_proc_cb)(const struct model_proc *p, void *ctx);

/* Iterate; a non-zero return from cb stops and is returned. */
int model_foreach_conv(const struct model *m, model_conv_cb cb, void *ctx);
int model_foreach_chan(const struct model *m, model_chan_cb cb, void *ctx);
int model_foreach_proc(const struct model *m, model_proc_cb cb, void *ctx);

size_t model_conv_count(const struct model *m);

/* One message of a conversation, as its message log keeps it (msglog.c). */
struct model_msg {
	__u64 seq;		/* the write's identity */
	__u64 ts_w, ts_r;	/* the write and the read that moved it (0: not seen) */
	__u64 bytes;
	__u16 sys;		/* the writing call, enum ipcs_sys (0: not known) */
	__u8 rev;		/* 0: a -> b, 1: b -> a */
	__u8 _pad;
	__u32 nfds;		/* file descriptors passed with it (SCM_RIGHTS) */
	__u32 payload_len;	/* bytes of payload held: the message's first bytes */
	unsigned char *payload;	/* owned by the log; NULL when not captured */
};

typedef int (*model_msg_cb)(const struct model_msg *msg, void *ctx);

/*
 * The recent messages of conversation c (identified as model_foreach_conv
 * gave it: kind, dev, ino, both processes), oldest first; payload pointers
 * are valid during the callback only. *dropped (may be NULL) gets how many
 * older messages the log no longer holds. -ENOENT if c is gone.
 */
int model_foreach_msg(const struct model *m, const struct model_conv *c, model_msg_cb cb,
		      void *ctx, __u64 *dropped);

/* Name of channel (dev, ino) as in model_conv.channel; -ENOENT if unknown. */
int model_chan_name(const struct model *m, __u32 dev, __u64 ino, char *buf, size_t n);
void model_get_totals(const struct model *m, struct model_totals *out);

/* ---- additions (model helper): limits, per-kind totals ---- */

/* Memory bounds; model_new() sets the defaults noted. */
struct model_limits {
	size_t max_convs;		/* 200000: then convs of closed channels fold into totals */
	size_t max_exited_procs;	/* 8192 exited processes kept for display */
	size_t max_orphan_chans;	/* 16384 channels without holders kept */
	__u64 age_events;		/* 65536 events an exited process / closed channel stays */
	__u64 queue_bytes_max;		/* 2 MiB unread write bytes per channel */
	size_t queue_segs_max;		/* 65536 unread write calls (or early reads) per channel */
	__u64 pending_bytes_max;	/* 2 MiB read bytes whose write is not seen yet */
	size_t msglog_max;		/* 256 recent messages kept per conversation */
};

void model_get_limits(const struct model *m, struct model_limits *out);
/* Zero fields keep the current value. */
void model_set_limits(struct model *m, const struct model_limits *lim);

/* Exact sums over every conversation of a kind, aged out ones included. */
struct model_kind_totals {
	__u64 convs;		/* conversations ever created */
	__u64 msgs;
	__u64 bytes;
	__u64 unobserved_bytes;	/* of bytes: the writer or the reader was never seen */
};

/* Returns 0, or -EINVAL for a kind out of range. */
int model_get_kind_totals(const struct model *m, __u16 kind, struct model_kind_totals *out);

/* The path of cgroup v2 id as the stream named it, or NULL when it did not. */
const char *model_cgroup_path(const struct model *m, __u64 id);

/* The title of pid's current process (its command line, NULs as spaces;
 * raw, unescaped), or NULL when none was recorded. */
const char *model_proc_cmdline(const struct model *m, __u32 pid);

/* What moved, as the model attributes it (serve's per-class counters and
 * histograms see every sample, not the summaries the conversations keep). */
struct model_flow {
	__u16 kind;				/* enum ipcs_chan_kind */
	const struct model_proc_ref *src, *dst;	/* writer -> reader (pid 0: not observed) */
	__u64 src_cgroup, dst_cgroup;		/* their cgroup v2 ids, 0 unknown */
	__u64 bytes;
	bool msg;				/* a new message (write call) began */
	bool has_latency;			/* src answered dst's request after latency_ns */
	__u64 latency_ns;
	__u64 src_blocked_ns, dst_blocked_ns;	/* the writer's and the reader's call, 0: none */
};

typedef void (*model_flow_cb)(const struct model_flow *f, void *ctx);

/* cb is called for each credit, latency sample and blocked call as model_apply
 * finds it (NULL: none). Pointers are valid during the call only. */
void model_set_flow_cb(struct model *m, model_flow_cb cb, void *ctx);

/* Records ignored as impossible (bad pid, impossible byte counts). */
__u64 model_ignored(const struct model *m);

#endif
