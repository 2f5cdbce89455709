/* recorder.c - sink that appends every raw record to the recording file. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "log.h"
#include "record/recorder.h"

int recorder_open(struct recorder *r, const char *path, const struct recfile_write_opts *o)
{
	int err;

	memset(r, 0, sizeof(*r));
	r->path = path;
	err = recfile_create(path, o, &r->w);
	if (err) {
		log_create_error(path, err);
		return err;
	}
	r->created = true;
	return 0;
}

static int recorder_on_event(void *ctx, const struct ipcs_event *ev, const void *raw, size_t len)
{
	struct recorder *r = ctx;
	int err;

	(void)ev;
	err = recfile_append(r->w, raw, len);
	if (err)
		log_error("writing %s failed: %s; recording stopped (the file is readable up to its last block)",
			  r->path, strerror(-err));
	return err;
}

struct sink recorder_sink(struct recorder *r)
{
	return (struct sink){ .on_event = recorder_on_event, .ctx = r };
}

int recorder_write_meta(struct recorder *r, const void *recs, size_t len, __u32 nrecs)
{
	return recfile_write_meta(r->w, recs, len, nrecs);
}

int recorder_flush(struct recorder *r)
{
	return recfile_flush(r->w);
}

int recorder_close(struct recorder *r, const __u64 drops[IPCS_DROP_SLOTS])
{
	int err = recfile_close(r->w, drops);

	r->w = NULL;
	if (err)
		log_error("finishing %s failed: %s", r->path, strerror(-err));
	return err;
}

void recorder_discard(struct recorder *r)
{
	if (r->w)
		recfile_abort(r->w);
	r->w = NULL;
	if (r->created)
		unlink(r->path);
}
