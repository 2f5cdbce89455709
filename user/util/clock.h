/*
 * clock.h - CLOCK_MONOTONIC in nanoseconds: the probes' clock
 * (bpf_ktime_get_ns), so user-space times compare with record times.
 */
#ifndef IPCS_CLOCK_H
#define IPCS_CLOCK_H

#include <time.h>
#include <linux/types.h>

static inline __u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

#endif
