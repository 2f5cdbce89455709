/*
 * names.h - numbers from the kernel as strace names them: signals
 * ("SIGCHLD"), futex operations ("FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME"),
 * errno ("ETIMEDOUT (Connection timed out)"), a signal's outcome and
 * disposition. For replay --plain and jsonl.
 */
#ifndef IPCS_NAMES_H
#define IPCS_NAMES_H

#include <stddef.h>

/* "SIGCHLD", "SIGRTMIN+3", "SIG99" for a number no signal has. Returns buf. */
char *names_signal(int sig, char *buf, size_t n);

/* A futex(2) op word: the command with _PRIVATE, then |FUTEX_CLOCK_REALTIME;
 * an unknown command as its number ("137" never: "FUTEX_WAIT_BITSET_PRIVATE"). */
char *names_futex_op(unsigned op, char *buf, size_t n);

/* "ETIMEDOUT" (NULL when the number is no errno) and its text. */
const char *names_errno(int err);
const char *names_errno_text(int err);

/* enum ipcs_sig_result: "delivered", "ignored", "already pending", "overflow", "info lost". */
const char *names_sig_result(int result);
/* enum ipcs_sig_disp: "default", "ignored", "handler". */
const char *names_sig_disp(unsigned disp);

#endif
