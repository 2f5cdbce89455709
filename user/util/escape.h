/* escape.h - make bytes from other programs safe for a terminal or JSON. */
#ifndef IPCS_ESCAPE_H
#define IPCS_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/*
 * Printable ASCII passes; backslash becomes "\\"; every other byte
 * (controls, ESC, DEL, bytes >= 0x80) becomes "\xNN". Reads at most n bytes
 * of in, stopping at NUL. out is always NUL-terminated; returns the length
 * written, truncating on a whole escape.
 */
size_t esc_term(const char *in, size_t n, char *out, size_t outsz);

/* As esc_term over exactly n bytes, NULs included (\x00): captured payloads. */
size_t esc_bytes(const void *in, size_t n, char *out, size_t outsz);

/* Write s (NUL-terminated) to f escaped as by esc_term. */
void esc_term_fputs(const char *s, FILE *f);

/* Write s as a JSON string literal, quotes included. Valid UTF-8 passes;
 * controls, C1 controls and bytes of invalid UTF-8 become \u00NN. */
void esc_json_fputs(const char *s, FILE *f);

#endif
