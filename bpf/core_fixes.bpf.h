/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * core_fixes.bpf.h - kernel differences handled in one place.
 *
 * sched_process_exit(struct task_struct *p, bool group_dead): the second
 * argument is recent (present in 6.18; kernels of the 5.x/6.1 era pass only
 * p). User space loads one of two exit programs after reading the
 * tracepoint's BTF prototype (features.c). Without the argument, group
 * death is read from signal->live, which do_exit() decrements before it
 * fires the tracepoint (the check Cilium's exit probes use too).
 */
#ifndef IPCS_CORE_FIXES_BPF_H
#define IPCS_CORE_FIXES_BPF_H

#include "maps.bpf.h"

static __always_inline bool task_group_dead_legacy(struct task_struct *p)
{
	return BPF_CORE_READ(p, signal, live.counter) == 0;
}

#endif
