/*
 * model_int.h - the model's internal types, shared by every file of
 * user/model. Nothing outside user/model includes this.
 *
 * Ownership: processes, channels and conversations are reference counted.
 * A table holds one reference; conversations hold one on their channel and
 * on both processes, queued write segments and pending reads on their
 * process. So a conversation keeps naming a process or a channel after it
 * aged out of its table, and memory stays bounded by the conversation cap.
 */
#ifndef IPCS_MODEL_INT_H
#define IPCS_MODEL_INT_H

#include <stdbool.h>
#include "model/model.h"
#include "model/msglog.h"
#include "util/hashmap.h"

struct mfd;
struct mq_state;

struct mproc {
	__u64 id;		/* instance id: unique per model, 0 = unobserved */
	unsigned refs;
	struct model_proc_ref ref;
	__u32 ppid;
	bool exited;
	__s32 exit_code;
	__u64 cgroup_id;	/* its cgroup v2 (cgroups.c), 0 = unknown */
	char *cmdline;		/* its title (IPCS_REC_CMDLINE, NULs as spaces; malloc), NULL unknown */
	bool cmdline_cut;
	struct mfd *fds;	/* this process's fd entries (list) */
	size_t nfds;
};

/* One open fd of one process on a channel: an entry of both lists. */
struct mfd {
	struct mproc *proc;
	struct mchan *chan;
	__s32 fd;
	__u16 fmode;
	bool cloexec;
	struct mfd *pnext, *pprev;	/* in proc->fds */
	struct mfd *cnext, *cprev;	/* in chan->holders */
};

/* A write not yet read (writer's bytes), or a read not yet paid (reader's). */
struct mseg {
	struct mproc *proc;
	__u64 rem;		/* bytes left */
	__u64 seq;		/* write identity, for message counting */
	__u64 ts_ns;
	__u64 blocked_ns;	/* charged once, to the first conversation */
	__u16 sys;		/* the writing call (message log) */
	__u32 tid;		/* the writing thread (message log: its later records) */
	__u32 nfds;		/* fds it passed (SCM_RIGHTS), for the message log */
	__u32 payload_len;
	unsigned char *payload;	/* its first bytes (--capture; malloc), for the message log */
};

struct msegq {
	struct mseg *v;
	size_t head, len, cap;
	__u64 bytes;
};

struct mchan {
	__u64 ino;
	__u32 dev;
	__u16 kind;
	unsigned refs;
	bool in_table;
	char *path;		/* FIFO path when known (malloc) */
	__u64 bytes_written, bytes_read;
	struct mfd *holders;
	size_t nholders;
	struct msegq writes;	/* unread write segments, oldest first */
	struct msegq reads;	/* reads that ran ahead of their writes */
	__u64 orphan_gen;	/* != 0: no holders since that generation */
	__u64 conn;		/* sockets: connection key, same on both ends (sock.c) */
	bool seed_inode;	/* a socket seeded from /proc, keyed by inode until adopted (sock.c) */
	bool untraced;		/* sockets: held by processes not traced (IPCS_REC_PEER): what is
				   written to it is read at once, what comes from it was written at once */
	__u64 sock_ino;		/* sockets: the inode of the socket whose queue this is, 0 unknown;
				   another inode under the same identity is a new socket (sock.c) */
	__u64 peer_id;		/* connected sockets: the other end's queue (ino), 0 unknown */
	struct mproc *untraced_by;	/* untraced: who held it (referenced), for after its fd
					   went to another socket (the process's calls are not seen) */
	struct mproc *untraced_r, *untraced_w;	/* pipes: the untraced reader / writer (referenced) */
	struct mq_state *mq;	/* kind mq: unpaired sends and receives (mq.c) */
};

/* Request/response latency samples of a bidirectional conversation. */
struct mlat {
	__u64 *v;		/* samples, ns (malloc; capped at MLAT_MAX) */
	__u32 n, cap;
	__u64 count;		/* samples seen, kept or not */
	__u64 max;
	__u64 req_ts;		/* last a->b write of the open request */
	bool in_req;		/* a request is waiting for its response */
};

struct mconv {
	__u64 ino;
	__u32 dev;
	struct mchan *chan;
	struct mproc *a, *b;
	struct model_dir_stats a_to_b, b_to_a;
	struct model_rate rate_ab, rate_ba;
	__u64 last_seq;		/* last write segment counted as a message */
	bool seq_valid;
	__u64 first_ns, last_ns;
	__u64 a_blocked_ns, b_blocked_ns;
	__u64 last_seq_ba;	/* last b->a write segment counted */
	bool seq_valid_ba;
	struct mlat lat;	/* request/response latency (sock.c) */
	struct model_sig_stats sig;	/* kind signal only */
	__u64 fds_ab, fds_ba;		/* fds passed (SCM_RIGHTS, fdpass.c) */
	__u64 creds_ab, creds_ba;	/* credentials received (SCM_CREDENTIALS) */
	struct msglog log;		/* recent messages, for the viewer (msglog.c) */
	struct mconv *lnext, *lprev;	/* LRU list, least recently active first */
};

/* An entry of an aging queue: a process exit or a channel losing holders. */
struct mage {
	void *obj;		/* struct mproc * or struct mchan *, referenced */
	__u64 gen;		/* chan: orphan_gen when queued */
	__u64 at_event;		/* totals.events when queued */
};

struct mageq {
	struct mage *v;
	size_t head, len, cap;
};

/*
 * The last data write of a thread, so the records that follow its call
 * (IPCS_REC_PAYLOAD, IPCS_REC_FDPASS) reach that write's message: its
 * queued segment, or the log entry of the conversation it was first
 * credited to. Direct-mapped by tid: a collision only loses viewer detail.
 */
#define LASTW_SLOTS 64
struct mlastw {
	__u32 tid;		/* 0: empty */
	__u32 chan_dev;
	__u64 chan_ino;
	__u64 seq;
	bool in_conv;		/* conv_*: the key of the conversation first credited */
	__u32 conv_dev;
	__u64 conv_ino, conv_a, conv_b;
};

/* sock.c: connection keys (mchan.conn), apart from identities and name hashes. */
#define IPCS_CONN_KEY_BASE 0x6300000000000000ull

/* sock.c: a remembered connection id of two inet ends (ip, ip, port, port). */
#define INET_ENDS_KEY 36
#define INET_MEMO 4
struct mends_memo {
	char k[INET_ENDS_KEY];
	__u64 id;		/* 0: empty */
};

struct model {
	struct model_limits lim;
	struct model_totals tot;
	struct model_kind_totals kinds[IPCS_KIND_MAX];
	__u64 ignored;
	__u64 next_proc_id;
	__u64 next_seq;
	__u64 next_conn;	/* sock.c: connection keys handed out */
	__u16 cur_sys;		/* syscall of the record being applied (0: none) */
	__u32 cur_tid;		/* its thread (0: none) */
	struct mlastw lastw[LASTW_SLOTS];	/* conv.c */
	__u64 orphan_gen;
	/* Channels with seed_inode set (an upper bound: one that ages out unadopted
	 * stays counted), so sock_adopt can skip its lookup when there are none. */
	__u64 seed_socks;
	struct mends_memo ends_memo[INET_MEMO];	/* sock.c */
	unsigned ends_next;
	struct mproc unobserved;	/* pid 0, comm "?" */

	struct hashmap procs;	/* id -> mproc: live and recently exited */
	struct hashmap pids;	/* pid -> current mproc instance */
	struct hashmap fds;	/* (proc id, fd) -> mfd */
	struct hashmap chans;	/* (dev, ino) -> mchan */
	struct hashmap convs;	/* (dev, ino, a id, b id) -> mconv */
	struct mconv *lru_head, *lru_tail;
	struct mageq exited;	/* processes waiting to age out */
	struct mageq orphans;	/* channels without holders waiting to age out */
	__u64 closed_gen;	/* bumps when a channel closes: retry conv aging */
	__u64 conv_scan_gen;	/* closed_gen when aging last found nothing */
	struct futex_tab *futex;	/* futex.c */
	struct shm_tab *shm;		/* shm.c */
	struct fdpass_tab *fdpass;	/* fdpass.c */
	struct waits_tab *waits;	/* waits.c */
	struct hashmap cgroups;	/* cgroup id -> path (malloc), cgroups.c */
	/* Set by model_new so channels.c calls nothing above it: a channel's
	 * queued bytes to unobserved peers (conv_flush_chan) before it leaves
	 * the table, and its per-kind state freed (mq) with it. */
	int (*chan_flush)(struct model *m, struct mchan *c);
	void (*chan_release)(struct mchan *c);
	model_flow_cb flow_cb;	/* conv.c: each credit, latency sample, blocked time (serve) */
	void *flow_ctx;
};

/*
 * Call direction: model.c dispatches to the per-kind files (sock, mq, pty,
 * eventfd, signal, futex, shm, fdpass, waits), which call conv.c, which
 * calls channels.c and proctab.c; processes, fds and channels call one
 * another (the one loop). The helpers below them (ageq.c, segq.c,
 * latency.c, msglog.c) call nothing above (segq.c only drops its
 * segments' process references). channels.c reaches conv.c and
 * mq.c only through the hooks model.c sets (chan_flush, chan_release).
 */

/* ---- ageq.c ---- */
int ageq_push(struct mageq *q, void *obj, __u64 gen, __u64 at_event);
void ageq_fini(struct mageq *q);
/* The oldest entry, taken off the queue into *out; false when empty. */
bool ageq_pop(struct mageq *q, struct mage *out);
/* As ageq_pop, only when the oldest is due: queued age events before now,
 * or the queue holds more than max. */
bool ageq_pop_due(struct mageq *q, __u64 now, __u64 age, size_t max, struct mage *out);

/* ---- segq.c ---- */
void segq_fini(struct msegq *q);
struct mseg *segq_front(struct msegq *q);
struct mseg *segq_back(struct msegq *q);
int segq_push(struct msegq *q, const struct mseg *s);
void segq_pop(struct msegq *q);

/* ---- latency.c ---- */
/* n bytes credited to v in direction rev (b->a) written at ts_w; true when a response ended a
 * request, its latency in *sample. */
bool lat_note(struct mlat *l, bool rev, __u64 ts_w, __u64 *sample);
void lat_summary(const struct mlat *l, struct model_latency *out);
void lat_fini(struct mlat *l);

/* ---- cgroups.c ---- */
int cgtab_init(struct model *m);
void cgtab_fini(struct model *m);
int cgroup_name_apply(struct model *m, const struct ipcs_cgroup_name_rec *r);
int cgroup_move_apply(struct model *m, const struct ipcs_cgroup_rec *r);

/* ---- proctab.c ---- */
int proctab_init(struct model *m);
void proctab_fini(struct model *m);
struct mproc *proc_ref(struct mproc *p);
void proc_unref(struct mproc *p);
struct mproc *proc_lookup(struct model *m, __u32 pid);
/* Current instance of pid, created on the fly (start_ns 0) when unknown. */
int proc_get(struct model *m, __u32 pid, const char *comm, struct mproc **out);
/* The instance that started at start_ns under pid (0 = unknown: the current
 * one); a live instance that started at another time is retired (pid reuse
 * whose fork record was lost) and a new one made. */
int proc_get_started(struct model *m, __u32 pid, __u64 start_ns, __u32 ppid,
		     const char *comm, struct mproc **out);
/* New instance for pid; a current instance is retired (pid reuse). */
int proc_create(struct model *m, __u32 pid, __u64 start_ns, __u32 ppid,
		const char *comm, struct mproc **out);
/* The holder an IPCS_REC_PEER names (pid != 0): its live instance or a new one,
 * marked untraced, its cgroup noted. */
int proc_peer(struct model *m, const struct ipcs_peer_rec *r, struct mproc **out);
void proc_set_comm(struct mproc *p, const char *comm);
/* Its title from raw /proc/PID/cmdline bytes (NULs as spaces); "" or n 0 forgets it. */
int proc_set_cmdline(struct mproc *p, const char *raw, size_t n, bool cut);
int proc_cmdline_apply(struct model *m, const struct ipcs_cmdline_rec *r);
/* Mark exited, drop its fds, queue it for aging. */
int proc_exit(struct model *m, struct mproc *p, __s32 exit_code);
void proc_age(struct model *m);

/* ---- channels.c ---- */
int chantab_init(struct model *m);
void chantab_fini(struct model *m);
struct mchan *chan_ref(struct mchan *c);
void chan_unref(struct model *m, struct mchan *c);
struct mchan *chan_lookup(const struct model *m, __u32 dev, __u64 ino);
/* Channel for an event's identity, created when unknown; NULL for kind NONE. */
int chan_get(struct model *m, const struct ipcs_chan *id, struct mchan **out);
/* Replace the channel under id by a fresh one (a new pipe reused the inode). */
int chan_renew(struct model *m, const struct ipcs_chan *id, struct mchan **out);
void chan_set_path(struct mchan *c, const char *path);
void chan_name(const struct mchan *c, char *buf, size_t size);
bool chan_is_closed(const struct mchan *c);
/* After an event: a channel left without holders starts aging. */
void chan_note_unheld(struct model *m, struct mchan *c);
void chan_age(struct model *m);
struct mfd *fd_lookup(struct model *m, const struct mproc *p, __s32 fd);
/* Open fd on c in p, replacing whatever p had under that number. */
int fd_add(struct model *m, struct mproc *p, __s32 fd, struct mchan *c,
	   __u16 fmode, bool cloexec);
void fd_remove(struct model *m, struct mfd *f);
void fd_remove_all(struct model *m, struct mproc *p, bool cloexec_only);
/* Fork: to inherits a copy of from's fd table. */
int fd_copy_table(struct model *m, const struct mproc *from, struct mproc *to);

/* ---- conv.c ---- */
int convtab_init(struct model *m);
void convtab_fini(struct model *m);
int conv_write(struct model *m, struct mchan *c, struct mproc *w, __u64 n,
	       __u64 ts, __u64 blocked);
int conv_read(struct model *m, struct mchan *c, struct mproc *r, __u64 n,
	      __u64 ts, __u64 blocked);
/* One message a -> b on c, no bytes (signals); *out = its conversation. */
int conv_message(struct model *m, struct mchan *c, struct mproc *a, struct mproc *b,
		 __u64 ts, struct mconv **out);
/* n bytes in one message a -> b on c (mq); the calls' times and blocked ns. */
int conv_transfer(struct model *m, struct mchan *c, struct mproc *a, struct mproc *b,
		  __u64 n, __u64 ts_a, __u64 ts_b, __u64 blocked_a, __u64 blocked_b);
/* The conversation (c, a, b), created when new; for a connection it may be
 * (c, b, a): *rev says so. */
int conv_get(struct model *m, struct mchan *c, struct mproc *a, struct mproc *b,
	     struct mconv **out, bool *rev);
/* The conversation (c, a, b) if it exists. */
struct mconv *conv_find(struct model *m, const struct mchan *c, const struct mproc *a,
			const struct mproc *b);
/* tid's new call: its earlier write gets no more records. */
void conv_forget_write(struct model *m, __u32 tid);
/* Payload bytes (payload != NULL) or passed fds of tid's last write, for its message. */
int conv_attach(struct model *m, __u32 tid, const void *payload, size_t n, __u32 nfds);
/* n bytes u wrote into c that no record shows (u is not traced): a message. */
int conv_write_unseen(struct model *m, struct mchan *c, struct mproc *u, __u64 n, __u64 ts);
/* *slot = p, referenced, unless *slot is an older live process. */
void conv_set_untraced(struct mproc **slot, struct mproc *p);
/* A pipe end held by an untraced process (IPCS_REC_PEER). */
int conv_peer_pipe(struct model *m, const struct ipcs_peer_rec *r);
/* Pipe writes and reads: as conv_write/conv_read, with an untraced other end moving at once. */
int conv_pipe_write(struct model *m, struct mchan *c, struct mproc *w, __u64 n, __u64 ts,
		    __u64 blocked);
int conv_pipe_read(struct model *m, struct mchan *c, struct mproc *r, __u64 n, __u64 ts,
		   __u64 blocked);
/* Attribute everything still queued on c to unobserved peers. */
int conv_flush_chan(struct model *m, struct mchan *c);
void conv_age(struct model *m);

/* ---- sock.c ---- */
int sock_apply(struct model *m, struct mproc *p, const struct ipcs_sock_rec *r);
/* A socket fd seen in /proc before tracing (IPCS_SEEDF_SOCK_INODE). */
int sock_seed_fd(struct model *m, struct mproc *p, const struct ipcs_seed_fd_rec *r,
		 const char *path);
/* sendfile/splice into (into) or out of a connected socket's fd. */
int sock_splice(struct model *m, struct mproc *p, const struct ipcs_sys_rec *s, bool into);
/* An untraced process holds a socket end (IPCS_REC_PEER). */
int sock_peer_apply(struct model *m, const struct ipcs_peer_rec *r);
/* ---- signal.c ---- */
int signal_apply(struct model *m, const struct ipcs_signal_rec *r);

/* ---- mq.c ---- */
int mq_apply(struct model *m, struct mproc *p, const struct ipcs_sys_rec *s, const char *path);
/* Unpaired messages of c to unobserved peers. */
int mq_flush(struct model *m, struct mchan *c);
void mq_state_free(struct mq_state *q);

/* ---- pty.c ---- */
/* A read/write on a pty end: bytes into the direction's stream. */
int pty_rw(struct model *m, struct mchan *base, struct mproc *p, const struct ipcs_sys_rec *s,
	   bool is_write);

/* ---- eventfd.c ---- */
int eventfd_create(struct model *m, struct mproc *p, const struct ipcs_sys_rec *s);
int eventfd_rw(struct model *m, struct mproc *p, const struct ipcs_sys_rec *s,
	       bool is_write);

/* ---- futex.c ---- */
struct futex_tab;
int futex_init(struct model *m);
void futex_fini(struct model *m);
int futex_apply(struct model *m, const struct ipcs_futex_rec *r);
/* Unpaired waits and wakes go to conversations with an unobserved peer. */
int futex_flush(struct model *m);

/* ---- shm.c ---- */
struct shm_tab;
int shm_init(struct model *m);
void shm_fini(struct model *m);
int shm_apply(struct model *m, const struct ipcs_shm_rec *r);
/* A memfd's name ("memfd:NAME") for segment (dev, ino); the first name stays. */
int shm_name(struct model *m, __u32 dev, __u64 ino, const char *name);
/* IPCS_REC_SHM_NAME: a mapper's path names the segment, over any other name. */
int shm_path_apply(struct model *m, const struct ipcs_shm_name_rec *r);
/* The segment's name when known ("/dev/shm/X", "memfd:X"), else NULL. */
const char *shm_seg_name(const struct model *m, __u32 dev, __u64 ino);
/* memfd_create: the segment, its name and creator. */
int shm_memfd_create(struct model *m, struct mproc *p, const struct ipcs_sys_rec *s,
		     const char *name);
/* Fork: the child inherits the parent's shared mappings. */
int shm_fork(struct model *m, const struct mproc *parent, struct mproc *child, __u64 ts);

/* ---- fdpass.c ---- */
struct fdpass_tab;
int fdpass_init(struct model *m);
void fdpass_fini(struct model *m);
int fdpass_apply(struct model *m, const struct ipcs_fdpass_rec *r);
/* Sends never received and receives never matched complete with an unobserved side. */
int fdpass_flush(struct model *m);

/* ---- waits.c ---- */
int waits_init(struct model *m);
void waits_fini(struct model *m);
int waits_apply(struct model *m, const struct ipcs_wait_rec *r);
/* tid's call returned at ts (any record emitted at a syscall's exit) */
void waits_call_ended(struct model *m, __u32 tid, __u64 ts);
void waits_proc_exited(struct model *m, __u32 pid, __u64 ts);

#endif
