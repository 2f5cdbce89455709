/*
 * exporter.h - exporters: sinks that turn the event stream (and, at the end,
 * the model) into another tool's format. One file per format; the export
 * command (commands/export.c) and `record --jsonl` drive them.
 */
#ifndef IPCS_EXPORTER_H
#define IPCS_EXPORTER_H

#include <stdio.h>
#include "pipeline.h"

/* What an exporter may know besides the events. */
struct export_info {
	const struct ipcs_file_header *fh;	/* the recording's header; NULL live */
	__u64 start_ns;				/* CLOCK_MONOTONIC origin of relative times */
	const struct model *model;		/* the model the pipeline builds; NULL live */
};

struct exporter {
	struct sink sink;	/* every event, in stream order */
	/* End of input, after model_flush(): write what needs the whole stream. */
	int (*finish)(void *ctx);
	void (*destroy)(void *ctx);	/* frees ctx; never closes the FILE */
};

/* Each returns 0 or -errno and fills *out; f stays the caller's. */
int export_jsonl_open(FILE *f, const struct export_info *info, struct exporter *out);
int export_dot_open(FILE *f, const struct export_info *info, struct exporter *out);
int export_perfetto_open(FILE *f, const struct export_info *info, struct exporter *out);
int export_pcapng_open(FILE *f, const struct export_info *info, struct exporter *out);

#endif
