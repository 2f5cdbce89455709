/*
 * units.h - figures for people: bytes in binary units (575 KiB), rates
 * (54.6 KiB/s), durations (10.5 s). Text and the viewer use these; JSON and
 * jsonl keep exact integers.
 */
#ifndef IPCS_UNITS_H
#define IPCS_UNITS_H

#include <stddef.h>
#include <stdint.h>

/* "0 B" .. "1023 B", then one decimal below 100: "3.0 KiB", "54.6 KiB",
 * "575 KiB", "1.2 GiB" (at most 9 characters). Returns buf. */
char *units_bytes(char *buf, size_t n, uint64_t bytes);

/* units_bytes + "/s" (bytes per second). */
char *units_rate(char *buf, size_t n, uint64_t bytes_per_s);

/* "0 s", "850 ns", "12.5 us", "1.3 ms", "10.5 s", "99.9 s",
 * then "2m05s", "3h07m" (at most 7 characters). Returns buf. */
char *units_dur(char *buf, size_t n, uint64_t ns);

/* A count in at most 6 characters: exact below 100000, then "123k", "4.5M". */
char *units_count(char *buf, size_t n, uint64_t v);

#endif
