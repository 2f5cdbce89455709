/* plain_table.h - the per-interval line surface: every conversation's totals and rates. */
#ifndef IPCS_PLAIN_TABLE_H
#define IPCS_PLAIN_TABLE_H

#include <stdio.h>
#include "model/model.h"

/*
 * A "# T s ..." header line, then one line per conversation (of kind, 0: all),
 * most bytes first, in key=value fields; names escaped (spaces too, as \x20)
 * so fields split on blanks. Returns 0 or -errno (-ENOMEM, -EIO).
 */
int plain_table(FILE *f, const struct model *m, __u64 start_ns, __u64 now_ns, __u16 kind);

#endif
