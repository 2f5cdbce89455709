/* source_replay.c - a recording as a source of raw records (see source_replay.h). */
#include <errno.h>
#include <stdlib.h>
#include "record/source_replay.h"

struct replay_source {
	struct recfile_reader *r;
	struct recfile_status st;
};

static int replay_wrap(struct recfile_reader *r, struct replay_source **out)
{
	struct replay_source *rs = calloc(1, sizeof(*rs));

	if (!rs) {
		recfile_close_reader(r);
		return -ENOMEM;
	}
	rs->r = r;
	*out = rs;
	return 0;
}

int replay_open(const char *path, struct replay_source **out)
{
	struct recfile_reader *r;
	int err;

	*out = NULL;
	err = recfile_open(path, &r);
	return err ? err : replay_wrap(r, out);
}

const struct ipcs_file_header *replay_header(const struct replay_source *rs)
{
	return recfile_header(rs->r);
}

int replay_run(struct replay_source *rs, replay_rec_cb cb, void *ctx)
{
	/* replay_rec_cb and recfile_rec_cb have the same signature by design. */
	int ret = recfile_read_all(rs->r, cb, ctx);

	recfile_get_status(rs->r, &rs->st);
	return ret;
}

const struct recfile_status *replay_status(const struct replay_source *rs)
{
	return &rs->st;
}

void replay_progress(const struct replay_source *rs, off_t *done, off_t *total)
{
	recfile_progress(rs->r, done, total);
}

void replay_close(struct replay_source *rs)
{
	if (!rs)
		return;
	recfile_close_reader(rs->r);
	free(rs);
}
