/*
 * report_fdpass.c - SCM_RIGHTS and SCM_CREDENTIALS in `report`: each fd that
 * travelled (who passed what to whom, over which socket) and each credentials
 * message received.
 */
#include <inttypes.h>
#include <stdio.h>
#include "commands/report_fdpass.h"
#include "commands/report_common.h"
#include "model/model_fdpass.h"
#include "util/escape.h"

static const char *end_name(const struct model_fdpass *p)
{
	if (p->kind != IPCS_KIND_PIPE && p->kind != IPCS_KIND_FIFO)
		return NULL;
	return p->fmode & IPCS_FMODE_WRITE ? "write end" : "read end";
}

static int pass_json(const struct model_fdpass *p, void *ctx)
{
	struct json_writer *w = ctx;

	json_obj_begin(w);
	report_json_proc(w, "from", &p->from);
	report_json_proc(w, "to", &p->to);
	json_kstr(w, "via", p->via);
	if (p->creds) {
		json_key(w, "credentials");
		json_obj_begin(w);
		json_ku64(w, "pid", p->cred_pid);
		json_ku64(w, "uid", p->cred_uid);
		json_ku64(w, "gid", p->cred_gid);
		json_obj_end(w);
	} else {
		json_ki64(w, "fd", p->fd_sent);
		json_ki64(w, "received_fd", p->fd_received);
		json_kstr(w, "what", p->what == IPCS_FDW_CHAN ? ipcs_kind_name(p->kind) :
							   ipcs_fd_what_name(p->what));
		if (end_name(p))
			json_kstr(w, "end", end_name(p));
		json_kstr(w, "name", p->name);
		json_kstr(w, "channel", p->channel);
	}
	json_ku64(w, "sent_ns", p->ts_sent);
	json_ku64(w, "received_ns", p->ts_received);
	json_obj_end(w);
	return 0;
}

void report_fdpass_json(struct json_writer *w, const struct model *m)
{
	struct model_fdpass_totals t;

	model_get_fdpass_totals(m, &t);
	json_key(w, "fd_passes");
	json_obj_begin(w);
	json_ku64(w, "fds_passed", t.fds_passed);
	json_ku64(w, "paired", t.paired);
	json_ku64(w, "credentials", t.creds);
	json_ku64(w, "not_listed", t.not_kept);
	json_key(w, "passes");
	json_arr_begin(w);
	model_foreach_fdpass(m, pass_json, w);
	json_arr_end(w);
	json_obj_end(w);
}

static int pass_text(const struct model_fdpass *p, void *ctx)
{
	char from[96], to[96], via[96], name[IPCS_FDPASS_NAME * 4 + 1], chan[96];
	const char *end = end_name(p);

	if (!(*(int *)ctx)++)
		printf("\nfds passed (SCM_RIGHTS) and credentials received (SCM_CREDENTIALS):\n");
	report_text_proc(from, sizeof(from), &p->from);
	report_text_proc(to, sizeof(to), &p->to);
	esc_term(p->via[0] ? p->via : "?", sizeof(p->via), via, sizeof(via));
	if (p->creds) {
		printf("  %s received credentials pid %u uid %u gid %u from %s over %s\n", to,
		       p->cred_pid, p->cred_uid, p->cred_gid, from, via);
		return 0;
	}
	esc_term(p->name, sizeof(p->name), name, sizeof(name));
	esc_term(p->channel, sizeof(p->channel), chan, sizeof(chan));
	printf("  %s passed fd %d (%s%s%s%s%s) to %s", from, p->fd_sent,
	       p->what == IPCS_FDW_CHAN ? ipcs_kind_name(p->kind) : ipcs_fd_what_name(p->what),
	       end ? " " : "", end ? end : "", chan[0] || name[0] ? ": " : "",
	       chan[0] ? chan : name, to);
	if (p->fd_received >= 0)
		printf(" as fd %d", p->fd_received);
	printf(" over %s\n", via);
	return 0;
}

void report_fdpass_text(const struct model *m)
{
	struct model_fdpass_totals t;
	int n = 0;

	model_foreach_fdpass(m, pass_text, &n);
	model_get_fdpass_totals(m, &t);
	if (t.not_kept)
		printf("  ... and %" PRIu64 " more not listed\n", (uint64_t)t.not_kept);
}
