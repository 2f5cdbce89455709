/*
 * evfilter.h - which decoded events go on to the model and the sinks:
 * --kind LIST and --since/--until (seconds from the recording's start).
 * Process, seed and drop records always pass: they are state, not activity.
 */
#ifndef IPCS_EVFILTER_H
#define IPCS_EVFILTER_H

#include <stdbool.h>
#include <sys/types.h>
#include "collect/decode.h"

/* -p/-c on a recording: the processes kept; children join at their fork, as
 * record -p follows them (so it grows while events pass). */
struct ev_procs {
	__u32 *pids;
	size_t n, cap;
	const char *const *comms;	/* -c: events of processes with these names too */
	size_t ncomms;
	int err;		/* -ENOMEM once a child could not be added */
};

struct ev_filter {
	__u32 kinds;		/* bit per enum ipcs_chan_kind; 0 = every kind */
	__u64 since_ns, until_ns;	/* absolute CLOCK_MONOTONIC; until 0 = no end */
	struct ev_procs *procs;	/* NULL: every process */
};

/* procs for -p PID... and -c COMM...: 0 or -ENOMEM. */
int evfilter_procs_init(struct ev_procs *pr, const pid_t *pids, size_t n,
			const char *const *comms, size_t ncomms);
void evfilter_procs_fini(struct ev_procs *pr);

/*
 * "pipe,unix,tcp": kind names as ipcs_kind_name() prints them, plus "unix"
 * for the three unix socket kinds; "-signal" leaves a kind out (of the
 * others listed, or of every kind when only exclusions are). Returns 0, or -EINVAL naming the bad
 * word in *bad (points into list's copy: valid until the next call).
 */
int evfilter_parse_kinds(const char *list, __u32 *kinds, const char **bad);
/* since/until in seconds from start_ns (negative: unset), kinds as parsed.
 * Returns true when anything is filtered (use f), false for "everything". */
bool evfilter_setup(struct ev_filter *f, __u64 start_ns, double since_s, double until_s, __u32 kinds);
bool evfilter_match(const struct ev_filter *f, const struct ipcs_event *ev);

#endif
