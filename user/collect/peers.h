/*
 * peers.h - the other end of a traced process's socket, named when the
 * process holding it is not traced: the peer's inode (a unix socket's, from
 * the record; a loopback TCP end's, from /proc/net/tcp{,6} by its 4-tuple)
 * -> the processes holding it (/proc/PID/fd, as `ss -xp` finds them), sent
 * as IPCS_REC_PEER records before the record that meets that end first.
 */
#ifndef IPCS_PEERS_H
#define IPCS_PEERS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "ipcscope_abi.h"

struct peers;

/* Is pid traced by the probes' filter? */
typedef bool (*peers_traced_fn)(pid_t pid, void *ctx);
/* Where the PEER records go (the live record callback). */
typedef int (*peers_cb)(const void *rec, size_t len, void *ctx);

/* proc_root: "/proc" (tests: a crafted tree). 0 or -ENOMEM. */
int peers_new(const char *proc_root, peers_traced_fn traced, void *tctx, struct peers **out);
void peers_free(struct peers *p);

/*
 * Before a probe record is delivered: when it meets the other end of its
 * socket for the first time, find the end's holders in a walk of /proc
 * newer than the record; if none of them is traced, one IPCS_REC_PEER per
 * holding process (at most 4) goes to cb, stamped with the record's time.
 * An end no process holds any more (closed before the walk) gets one with
 * pid 0 after PEERS_GONE_WAIT_NS (peers.c) in which no traced record was
 * made on it (peers_tick or a later call sends it). Returns 0 or cb's error.
 */
int peers_before(struct peers *p, const void *rec, size_t len, peers_cb cb, void *ctx);

/* Between records (once per poll): ends found gone whose wait is over are named. */
int peers_tick(struct peers *p, peers_cb cb, void *ctx);

/* How many ends were named (records sent) and looked up in /proc, for tests and stats. */
void peers_counts(const struct peers *p, __u64 *named, __u64 *scans);

/* Parser, exposed for tests: "socket:[123]" exactly -> 123; 0 for anything else. */
__u64 peers_parse_socket_link(const char *s);

#endif
