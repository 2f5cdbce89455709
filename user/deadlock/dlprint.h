/* dlprint.h - a diagnosis for a person (escaped text) or for machines (JSON). */
#ifndef IPCS_DL_DLPRINT_H
#define IPCS_DL_DLPRINT_H

#include <stdio.h>
#include "deadlock/waitgraph.h"
#include "util/json.h"

/* Every thread of the named processes, the cycles and stalls, the verdict
 * (threshold_ns: the one the suspected verdict used). */
void dl_print_text(FILE *f, const struct dl_graph *g, const struct dl_result *r, enum dl_verdict v,
		   int64_t threshold_ns);
/* The whole document {verdict, deadlock, threads_scanned, threads[], cycles[], stalls[]}. */
void dl_print_json(FILE *f, const struct dl_graph *g, const struct dl_result *r, enum dl_verdict v);
/* One chain as {"threads": [...]} (also --watch's JSON lines). */
void dl_json_chain(struct json_writer *w, const struct dl_graph *g, const struct dl_chain *c);
/* One cycle as text, headed "DEADLOCK num" (also --watch). */
void dl_text_cycle(FILE *f, const struct dl_graph *g, const struct dl_chain *c, size_t num);

/* One stall as text, headed "STALL num" (also --watch). */
void dl_text_stall(FILE *f, const struct dl_graph *g, const struct dl_chain *c, size_t num);

#endif
