/* pipeline.c - decode each record once, update the model, hand it to the sinks. */
#include <errno.h>
#include <string.h>
#include "log.h"
#include "pipeline.h"

int pipeline_init(struct pipeline *p, bool with_model)
{
	memset(p, 0, sizeof(*p));
	return with_model ? model_new(&p->model) : 0;
}

int pipeline_add_sink(struct pipeline *p, struct sink s)
{
	if (p->nsinks >= PIPELINE_MAX_SINKS)
		return -ENOSPC;
	p->sinks[p->nsinks++] = s;
	return 0;
}

int pipeline_add_tap(struct pipeline *p, struct sink s)
{
	if (p->ntaps >= PIPELINE_MAX_SINKS)
		return -ENOSPC;
	p->taps[p->ntaps++] = s;
	return 0;
}

int pipeline_decode(struct pipeline *p, const void *rec, size_t len, struct ipcs_event *ev)
{
	int err;

	p->records++;
	err = ipcs_decode(rec, len, ev);
	if (err == -ENOMSG) {
		if (!p->unknown++)
			log_warn("skipping records of unknown type (written by a newer ipcscope?)");
		return 0;
	}
	if (err) {
		if (!p->malformed++)
			log_warn("skipping malformed record (%zu bytes)", len);
		return 0;
	}
	return 1;
}

int pipeline_feed(struct pipeline *p, const void *rec, size_t len)
{
	struct ipcs_event ev;
	int err = pipeline_decode(p, rec, len, &ev);

	return err <= 0 ? err : pipeline_apply(p, &ev, rec, len);
}

int pipeline_apply(struct pipeline *p, const struct ipcs_event *ev, const void *rec, size_t len)
{
	int err;

	for (size_t i = 0; i < p->ntaps; i++) {
		err = p->taps[i].on_event(p->taps[i].ctx, ev, rec, len);
		if (err)
			return err;
	}
	if (p->filter && !evfilter_match(p->filter, ev)) {
		p->filtered++;
		return 0;
	}
	if (p->model) {
		err = model_apply(p->model, ev);
		if (err)
			return err;
	}
	for (size_t i = 0; i < p->nsinks; i++) {
		err = p->sinks[i].on_event(p->sinks[i].ctx, ev, rec, len);
		if (err)
			return err;
	}
	return 0;
}

void pipeline_fini(struct pipeline *p)
{
	if (p->model)
		model_free(p->model);
	p->model = NULL;
}
