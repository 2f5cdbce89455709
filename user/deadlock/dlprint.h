/* dlprint.h - a diagnosis for a person (escaped text) or for machines (JSON). */
#ifndef IPCS_DL_DLPRINT_H
#define IPCS_DL_DLPRINT_H

#include <stdio.h>
#include "deadlock/waitgraph.h"
#include "util/json.h"

void dl_print_text(FILE *f, const struct dl_graph *g, const struct dl_result *r);
/* The whole document {deadlock, threads_scanned, cycles[], stalls[]}. */
void dl_print_json(FILE *f, const struct dl_graph *g, const struct dl_result *r);
/* One chain as {"threads": [...]} (also --watch's JSON lines). */
void dl_json_chain(struct json_writer *w, const struct dl_graph *g, const struct dl_chain *c);
/* One cycle as text, headed "DEADLOCK num" (also --watch). */
void dl_text_cycle(FILE *f, const struct dl_graph *g, const struct dl_chain *c, size_t num);

/* One stall as text, headed "STALL num" (also --watch). */
void dl_text_stall(FILE *f, const struct dl_graph *g, const struct dl_chain *c, size_t num);

#endif
