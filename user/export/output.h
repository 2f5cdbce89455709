/* output.h - opening the file an export (or `record --jsonl`) writes. */
#ifndef IPCS_EXPORT_OUTPUT_H
#define IPCS_EXPORT_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

/*
 * path "-" or NULL: stdout (binary refused on a terminal). Else a new 0600
 * file made by outfile_create (outf_flags: OUTF_FORCE, OUTF_FOREIGN; a bool
 * force passes as OUTF_FORCE). Errors are logged with what to do. Returns 0
 * or -errno.
 */
int export_output_open(const char *path, unsigned outf_flags, bool binary, FILE **out);
/* Flush and close (stdout is only flushed); logs and returns -EIO on failure. */
int export_output_close(FILE *f, const char *path);

#endif
