/* units.c - human units for text and the viewer (see units.h). */
#include <inttypes.h>
#include <stdio.h>
#include "util/units.h"

/* v scaled by 1024 (or 1000) per step: one decimal below 100, none above. */
static void scaled(char *buf, size_t n, double v, double step, const char *const *names,
		   const char *suffix)
{
	int u = 0;

	while (v >= step * 0.9995 && names[u + 1]) {
		v /= step;
		u++;
	}
	if (v < 99.95)
		snprintf(buf, n, "%.1f %s%s", v, names[u], suffix);
	else
		snprintf(buf, n, "%.0f %s%s", v, names[u], suffix);
}

static char *bytes_sfx(char *buf, size_t n, uint64_t v, const char *suffix)
{
	static const char *const names[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", NULL };

	if (v < 1024)
		snprintf(buf, n, "%" PRIu64 " B%s", v, suffix);
	else
		scaled(buf, n, (double)v, 1024, names, suffix);
	return buf;
}

char *units_bytes(char *buf, size_t n, uint64_t bytes)
{
	return bytes_sfx(buf, n, bytes, "");
}

char *units_rate(char *buf, size_t n, uint64_t bytes_per_s)
{
	return bytes_sfx(buf, n, bytes_per_s, "/s");
}

char *units_dur(char *buf, size_t n, uint64_t ns)
{
	double d = (double)ns;

	if (!ns)
		snprintf(buf, n, "0 s");
	else if (ns < 1000)
		snprintf(buf, n, "%" PRIu64 " ns", ns);
	else if (d < 99.95e9) {
		static const char *const names[] = { "ns", "us", "ms", "s", NULL };

		scaled(buf, n, d, 1000, names, "");
	} else if (ns < 3600000000000ull) {
		uint64_t s = (ns + 500000000ull) / 1000000000ull;

		snprintf(buf, n, "%" PRIu64 "m%02" PRIu64 "s", s / 60, s % 60);
	} else {
		uint64_t m = (ns + 30000000000ull) / 60000000000ull;

		snprintf(buf, n, "%" PRIu64 "h%02" PRIu64 "m", m / 60, m % 60);
	}
	return buf;
}

char *units_count(char *buf, size_t n, uint64_t v)
{
	static const char *const names[] = { "", "k", "M", "G", "T", "P", "E", NULL };

	if (v < 100000) {
		snprintf(buf, n, "%" PRIu64, v);
		return buf;
	}
	scaled(buf, n, (double)v, 1000, names, "");
	/* "123 k" -> "123k": counts read better without the space */
	for (char *p = buf; *p; p++)
		if (*p == ' ') {
			for (char *q = p; *q; q++)
				*q = q[1];
			break;
		}
	return buf;
}
