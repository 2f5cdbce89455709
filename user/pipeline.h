/*
 * pipeline.h - one path for every source: raw record -> decode -> model ->
 * sinks. Live and replay sources both call pipeline_feed().
 */
#ifndef IPCS_PIPELINE_H
#define IPCS_PIPELINE_H

#include <stddef.h>
#include "collect/decode.h"
#include "evfilter.h"
#include "model/model.h"

#define PIPELINE_MAX_SINKS 4

/* A consumer of events: recorder, plain printer, exporter. */
struct sink {
	/* raw/len: the record as it came (for byte-exact recording). */
	int (*on_event)(void *ctx, const struct ipcs_event *ev, const void *raw, size_t len);
	void *ctx;
};

struct pipeline {
	struct model *model;		/* NULL when no command needs it */
	struct sink sinks[PIPELINE_MAX_SINKS];
	size_t nsinks;
	struct sink taps[PIPELINE_MAX_SINKS];	/* see every decoded event, even those --kind holds back */
	size_t ntaps;
	__u64 records;			/* records fed */
	__u64 malformed;		/* rejected by the decoder */
	__u64 unknown;			/* unknown record types (newer writer), skipped */
	const struct ev_filter *filter;	/* NULL: every event; else only those it matches */
	__u64 filtered;			/* events the filter held back */
};

/* with_model: build the model as events flow. Returns 0 or -ENOMEM. */
int pipeline_init(struct pipeline *p, bool with_model);
int pipeline_add_sink(struct pipeline *p, struct sink s);
/* A sink that sees every decoded event before the filter (the deadlock watcher learns the
 * futexes of every kind the probes report, whatever --kind keeps). */
int pipeline_add_tap(struct pipeline *p, struct sink s);
/* Feed one raw record. Malformed records are counted and skipped (0); a
 * sink's or the model's error is returned. */
int pipeline_feed(struct pipeline *p, const void *rec, size_t len);
/* pipeline_feed in two steps, for a caller that keeps the decoded event:
 * decode (counted as pipeline_feed counts): 1 = ev is good, 0 = skipped;
 * then apply it (filter, model, sinks). */
int pipeline_decode(struct pipeline *p, const void *rec, size_t len, struct ipcs_event *ev);
int pipeline_apply(struct pipeline *p, const struct ipcs_event *ev, const void *rec, size_t len);
void pipeline_fini(struct pipeline *p);

#endif
