/*
 * wl.h - helpers every test workload uses. Define WL_NAME (the program's
 * name, for messages) before including.
 */
#ifndef IPCS_WL_H
#define IPCS_WL_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

static void die(const char *what)
{
	fprintf(stderr, WL_NAME ": %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Tests find processes by comm: name each role explicitly. */
static inline void set_comm(const char *name)
{
	if (prctl(PR_SET_NAME, name, 0, 0, 0) != 0)
		die("prctl(PR_SET_NAME)");
}

static inline unsigned long parse_num(const char *s, const char *what)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v == 0) {
		fprintf(stderr, WL_NAME ": bad %s '%s': want a positive integer\n", what, s);
		exit(2);
	}
	return v;
}

/* Byte i of a stream: a pattern that catches lost or reordered bytes. */
static inline unsigned char pattern(unsigned long i)
{
	return (unsigned char)(i % 251);
}

#endif
