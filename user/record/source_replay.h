/*
 * source_replay.h - a recording as a source of raw records, the replay
 * counterpart of source_live.h: records come out exactly as the probes
 * produced them, undecoded.
 */
#ifndef IPCS_SOURCE_REPLAY_H
#define IPCS_SOURCE_REPLAY_H

#include <stddef.h>
#include "ipcscope_abi.h"
#include "record/recfile.h"

struct replay_source;

/* block_type: IPCS_BLK_META for seed records, IPCS_BLK_EVENTS for events. */
typedef int (*replay_rec_cb)(const void *rec, size_t len, __u16 block_type, void *ctx);

/* Open and check path (errors logged: not a recording, newer major, ...). Returns 0 or -errno. */
int replay_open(const char *path, struct replay_source **out);
const struct ipcs_file_header *replay_header(const struct replay_source *rs);

/*
 * Deliver every record of every good block, in file order. Returns 0 when the
 * file was read to its end or to its last good block (replay_status() says
 * which and why: it logs nothing itself), -errno on I/O errors, or cb's
 * non-zero return.
 */
int replay_run(struct replay_source *rs, replay_rec_cb cb, void *ctx);
/* How the last replay_run ended (truncated, corrupt, drops in the trailer, ...). */
const struct recfile_status *replay_status(const struct replay_source *rs);
void replay_close(struct replay_source *rs);
/* How far replay_run got: *done of *total bytes (*total -1: unknown). */
void replay_progress(const struct replay_source *rs, off_t *done, off_t *total);

#endif
