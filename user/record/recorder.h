/* recorder.h - the recording sink: every event, byte for byte, into a recfile. */
#ifndef IPCS_RECORDER_H
#define IPCS_RECORDER_H

#include "pipeline.h"
#include "record/recfile.h"

struct recorder {
	struct recfile_writer *w;
	const char *path;
	bool created;		/* we made the file: remove it if tracing never starts */
};

/* Creates the file now, so an unwritable path fails before tracing starts. */
int recorder_open(struct recorder *r, const char *path, const struct recfile_write_opts *o);
struct sink recorder_sink(struct recorder *r);
/* The seed records taken from /proc at start, as one META block. */
int recorder_write_meta(struct recorder *r, const void *recs, size_t len, __u32 nrecs);
/* Push buffered events to disk (called every second: a killed recorder loses at most that). */
int recorder_flush(struct recorder *r);
/* Finish: trailer with the final drop counters. */
int recorder_close(struct recorder *r, const __u64 drops[IPCS_DROP_SLOTS]);
/* Tracing never started: remove the file we created. */
void recorder_discard(struct recorder *r);

#endif
