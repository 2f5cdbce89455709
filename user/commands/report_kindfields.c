/*
 * report_kindfields.c - the kind-specific fields of a conversation's JSON
 * object: a signal's outcomes, a unix socket's fds and credentials passed.
 */
#include "commands/report_kindfields.h"

/* "signals": the outcomes of the signals a sent b, and how b took them. */
static void json_signal(struct json_writer *w, const struct model_sig_stats *s)
{
	json_key(w, "signals");
	json_obj_begin(w);
	json_ku64(w, "delivered", s->result[IPCS_SIGR_DELIVERED]);
	json_ku64(w, "ignored", s->result[IPCS_SIGR_IGNORED]);
	json_ku64(w, "pending", s->result[IPCS_SIGR_ALREADY_PENDING]);
	json_ku64(w, "overflow", s->result[IPCS_SIGR_OVERFLOW_FAIL]);
	json_ku64(w, "lose_info", s->result[IPCS_SIGR_LOSE_INFO]);
	json_ku64(w, "handled", s->handled);
	json_ku64(w, "defaulted", s->defaulted);
	json_obj_end(w);
}

/* Unix sockets: fds passed (SCM_RIGHTS) and credentials received, per direction. */
static void json_fdpass(struct json_writer *w, const struct model_conv *c)
{
	json_ku64(w, "fds_passed", c->fds_a_to_b + c->fds_b_to_a);
	json_key(w, "fds");
	json_obj_begin(w);
	json_ku64(w, "a_to_b", c->fds_a_to_b);
	json_ku64(w, "b_to_a", c->fds_b_to_a);
	json_obj_end(w);
	json_key(w, "credentials");
	json_obj_begin(w);
	json_ku64(w, "a_to_b", c->creds_a_to_b);
	json_ku64(w, "b_to_a", c->creds_b_to_a);
	json_obj_end(w);
}

void report_json_kind_fields(struct json_writer *w, const struct model_conv *c)
{
	if (c->kind >= IPCS_KIND_UNIX_STREAM && c->kind <= IPCS_KIND_UNIX_SEQPACKET)
		json_fdpass(w, c);
	if (c->kind == IPCS_KIND_SIGNAL)
		json_signal(w, &c->sig);
}
