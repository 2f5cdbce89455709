/*
 * fuzz_decode.c - libFuzzer harness for raw ring-buffer / file records: the
 * input is a run of records (framed by their headers, as the ring buffer and
 * an event block deliver them). Each one goes through the decoder, the model
 * and the plain line formatter, as replay does; then the model is flushed,
 * walked and freed. Nothing may crash, leak or print a raw control byte.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ipcscope_abi.h"
#include "collect/decode.h"
#include "model/model.h"
#include "sinks/plain.h"

static int check_line(const char *line, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			__builtin_trap();	/* everything foreign is escaped */
	return 0;
}

static int conv_cb(const struct model_conv *c, void *ctx)
{
	(void)ctx;
	return c->channel[0] == '\x01';	/* touch it */
}

static int proc_cb(const struct model_proc *p, void *ctx)
{
	(void)ctx;
	return p->ref.comm[0] == '\x01';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct plain_printer pp = { 0 };
	struct model *m = NULL;
	struct ipcs_event ev;
	char line[1024];
	size_t off = 0, n;

	if (model_new(&m))
		abort();
	pp.model = m;
	while (off < size) {
		int sz = ipcs_rec_size(data + off, size - off);
		unsigned char rec[65536];

		if (sz <= 0) {
			off += 8;	/* resynchronise as a reader skipping garbage would */
			continue;
		}
		/* Copy to an aligned buffer of exactly the record's size (ASan sees overreads). */
		memcpy(rec, data + off, (size_t)sz);
		if (ipcs_decode(rec, (size_t)sz, &ev) == 0) {
			if (model_apply(m, &ev))
				break;	/* -ENOMEM under the fuzzer's malloc limit */
			n = plain_format(&pp, &ev, line, sizeof(line));
			if (n >= sizeof(line) || strlen(line) != n)
				__builtin_trap();
			check_line(line, n);
		}
		off += (size_t)sz;
	}
	model_flush(m);
	model_foreach_conv(m, conv_cb, NULL);
	model_foreach_proc(m, proc_cb, NULL);
	model_free(m);
	return 0;
}
