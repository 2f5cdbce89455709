/*
 * report_common.c - what report.c and its sections (report_*.c) share: the
 * conversations table's columns, processes as JSON or text, the set of
 * processes shown.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "commands/report_common.h"
#include "util/escape.h"
#include "util/vec.h"

const struct tt_col report_conv_cols[RC_COUNT] = {
	[RC_KIND] = { "KIND", false, TT_FIXED, 0, false },
	[RC_CHANNEL] = { "CHANNEL", false, TT_MID, 18, false },
	[RC_A] = { "FROM (A)", false, TT_END, 10, false },
	[RC_B] = { "TO (B)", false, TT_END, 10, false },
	[RC_MSGS] = { "MSGS", true, TT_FIXED, 0, false },
	[RC_BYTES] = { "BYTES", true, TT_FIXED, 0, false },
	[RC_BLOCKED] = { "BLOCKED", true, TT_FIXED, 0, false },
	[RC_NOTE] = { "", false, TT_END, 8, true },
};

void report_json_proc(struct json_writer *w, const char *key, const struct model_proc_ref *p)
{
	json_key(w, key);
	json_obj_begin(w);
	json_ku64(w, "pid", p->pid);
	json_kstr(w, "comm", p->pid ? p->comm : "?");
	json_kbool(w, "traced", p->pid && !p->untraced);	/* false: a peer named from /proc */
	json_obj_end(w);
}

void report_text_proc(char *buf, size_t n, const struct model_proc_ref *p)
{
	char comm[IPCS_COMM_LEN * 4 + 1];

	if (!p->pid) {
		snprintf(buf, n, "(not seen)");
		return;
	}
	esc_term(p->comm, IPCS_COMM_LEN, comm, sizeof(comm));
	snprintf(buf, n, "%u/%s%s", p->pid, comm, p->untraced ? " (untraced)" : "");
}

static int cmp_u32(const void *x, const void *y)
{
	__u32 a = *(const __u32 *)x, b = *(const __u32 *)y;

	return a < b ? -1 : a > b;
}

int report_pid_add(struct pid_set *s, __u32 pid)
{
	if (!pid)
		return 0;
	if (vec_grow((void **)&s->v, &s->cap, s->n + 1, sizeof(*s->v), 64))
		return -ENOMEM;
	s->v[s->n++] = pid;
	return 0;
}

void report_pid_sort(struct pid_set *s)
{
	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), cmp_u32);
}

bool report_pid_shown(const struct pid_set *s, __u32 pid)
{
	return !s || bsearch(&pid, s->v, s->n, sizeof(*s->v), cmp_u32);
}
