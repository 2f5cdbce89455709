/*
 * lockprint.h - lock-order inversions and the locks a thread holds, for a
 * person (escaped text) or for machines (JSON). Stack addresses are named
 * ("symbol+0xOFF (module)") while their process lives (libdwfl, no ptrace),
 * else printed as addresses.
 */
#ifndef IPCS_DL_LOCKPRINT_H
#define IPCS_DL_LOCKPRINT_H

#include <stdbool.h>
#include <stdio.h>
#include "deadlock/locks.h"
#include "util/json.h"

/* "POTENTIAL DEADLOCK num: lock-order inversion ..." with both orders' stacks. */
void dl_lock_text_inversion(FILE *f, const struct dl_inversion *inv, size_t num, bool symbols);
/* {"locks": [...], "cycle_locks": n, "orders": [{...}, {...}]} */
void dl_lock_json_inversion(struct json_writer *w, const struct dl_inversion *inv, bool symbols);
/* "      holds semaphore 0x... (taken ... at: ...)" lines for each lock tid holds. */
void dl_lock_text_held(FILE *f, const struct dl_locks *s, pid_t tid, bool symbols);
/* {"pid", "tid", "holds": [{"lock", "call", "mode", "stack"}], "waits_to_take": lock or null} */
void dl_lock_json_held(struct json_writer *w, const struct dl_locks *s, pid_t tid, bool symbols);
/* "0x7f00...", or "pid:0x..." style name of a lock ("shm:dev:ino+off" for a shared one). */
void dl_lock_name(const struct dl_lockref *l, char *out, size_t outsz);

#endif
