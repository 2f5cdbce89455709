/*
 * fuzz_opts.c - libFuzzer harness for the command line: the input, split at
 * NUL bytes, is argv after "ipcscope". opts_parse must accept or refuse
 * (EXIT_USAGE) without crashing, and what it accepts must be consistent.
 * IPCS_FUZZ_VERBOSE=1 keeps its messages on stderr when reproducing.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "opts.h"

#define MAX_ARGS 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int devnull = -1, verbose = -1;
	char *copy, *argv[MAX_ARGS + 2];
	struct ipcs_opts o;
	int argc = 1, saved, rc;
	size_t i, start = 0;

	if (verbose < 0)
		verbose = getenv("IPCS_FUZZ_VERBOSE") != NULL;
	if (devnull < 0 && (devnull = open("/dev/null", O_WRONLY | O_CLOEXEC)) < 0)
		abort();
	copy = malloc(size + 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	argv[0] = "ipcscope";
	for (i = 0; i <= size && argc <= MAX_ARGS; i++)
		if (copy[i] == '\0') {
			argv[argc++] = copy + start;
			start = i + 1;
		}
	argv[argc] = NULL;
	saved = verbose ? -1 : dup(2);	/* usage errors go to stderr: not into the fuzzer's log */
	if (saved >= 0)
		dup2(devnull, 2);
	rc = opts_parse(argc, argv, &o);
	if (saved >= 0) {
		dup2(saved, 2);
		close(saved);
	}
	if (rc != 0 && rc != EXIT_USAGE)
		__builtin_trap();
	if (rc == 0) {
		if (o.npids > OPTS_MAX_PIDS || (o.cmd == CMD_RECORD && !o.output && !o.jsonl))
			__builtin_trap();
		if ((o.cmd == CMD_REPORT || o.cmd == CMD_REPLAY) && !o.input)
			__builtin_trap();
		if (o.argv && (o.argc <= 0 || o.argv[o.argc] != NULL))
			__builtin_trap();
		for (size_t k = 0; k < o.npids; k++)
			if (o.pids[k] <= 0)
				__builtin_trap();
		if (o.ncomms > OPTS_MAX_COMMS || o.ncgroups > OPTS_MAX_CGROUPS)
			__builtin_trap();
		for (size_t k = 0; k < o.ncomms; k++)
			if (!o.comms[k] || !o.comms[k][0] || strlen(o.comms[k]) > 15)
				__builtin_trap();
		for (size_t k = 0; k < o.ncgroups; k++)
			if (!o.cgroups[k])
				__builtin_trap();
	}
	free(copy);
	return 0;
}
