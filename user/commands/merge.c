/*
 * merge.c - `ipcscope merge A B... -o OUT`: several recordings into one, on
 * the first one's clock. Each input's timestamps are shifted by the gap
 * between its monotonic and real-time clocks and the first input's (zero
 * for recordings of one host), then the records are merged by time, each
 * input keeping its own order. Recordings of other hosts get their pids and
 * local channel ids tagged (pid + N * 2^22, N = the input's place), so
 * processes and pipes of two hosts never mix, while TCP and UDP keep their
 * addresses and ports: a connection recorded at both ends pairs by its
 * 4-tuple, as loopback connections do. Drop counters are summed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "commands/commands.h"
#include "log.h"
#include "record/recfile.h"

#define PID_TAG_SHIFT 22	/* Linux pids stay below 2^22 (PID_MAX_LIMIT) */

struct buf {
	unsigned char *d;
	size_t len, cap;
	__u32 n;
};

struct input {
	const char *path;
	struct ipcs_file_header fh;
	struct recfile_status st;
	struct buf meta, ev;
	size_t pos;			/* merge cursor in ev */
	__s64 shift;			/* ns added to every timestamp */
	__u32 tag;			/* 0, or N << PID_TAG_SHIFT for another host */
	__u64 drops[IPCS_DROP_SLOTS];	/* latest cumulative counters in its stream */
	__u64 final[IPCS_DROP_SLOTS];	/* its trailer's, when the recorder finished */
};

static int buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 1 << 16;
		unsigned char *d;

		while (cap < b->len + n)
			cap *= 2;
		d = realloc(b->d, cap);
		if (!d)
			return -ENOMEM;
		b->d = d;
		b->cap = cap;
	}
	memcpy(b->d + b->len, p, n);
	b->len += n;
	b->n++;
	return 0;
}

static int read_cb(const void *rec, size_t len, __u16 block_type, void *ctx)
{
	struct input *in = ctx;

	return buf_add(block_type == IPCS_BLK_META ? &in->meta : &in->ev, rec, len);
}

static __u32 tag_pid(__u32 pid, __u32 tag)
{
	return pid ? pid | tag : 0;
}

/* Cgroup ids are inode numbers of one host's cgroupfs: another host's may be equal. */
static __u64 tag_cgroup(__u64 id, __u32 tag)
{
	return id ? id ^ ((__u64)tag << 32) : 0;
}

static void tag_chan(struct ipcs_chan *c, __u32 tag)
{
	/* TCP and UDP are named by their endpoints: those must match across hosts */
	if (c->kind != IPCS_KIND_TCP && c->kind != IPCS_KIND_UDP && c->kind != IPCS_KIND_NONE)
		c->dev ^= tag;
}

/* Shift the time and tag the host-local ids of one record, in place. */
static void retag(void *rec, const struct input *in)
{
	struct ipcs_rec_hdr *h = rec;
	__u32 t = in->tag;

	if (h->ts_ns)
		h->ts_ns = (__u64)((__s64)h->ts_ns + in->shift);
	if (!t)
		return;
	switch (h->type) {
	case IPCS_REC_SYS: case IPCS_REC_SYS_PATH: case IPCS_REC_SOCK: {
		struct ipcs_sys_rec *r = rec;

		r->pid = tag_pid(r->pid, t), r->tid = tag_pid(r->tid, t);
		tag_chan(&r->chan, t);
		break;
	}
	case IPCS_REC_PAYLOAD: {
		struct ipcs_payload_rec *r = rec;

		r->pid = tag_pid(r->pid, t), r->tid = tag_pid(r->tid, t);
		tag_chan(&r->chan, t);
		break;
	}
	case IPCS_REC_PROC: {
		struct ipcs_proc_rec *r = rec;

		r->pid = tag_pid(r->pid, t), r->tid = tag_pid(r->tid, t), r->ppid = tag_pid(r->ppid, t);
		if (h->size >= sizeof(*r))	/* 1.2+: a 1.0/1.1 record ends before cgroup_id */
			r->cgroup_id = tag_cgroup(r->cgroup_id, t);
		break;
	}
	case IPCS_REC_SEED_PROC: {
		struct ipcs_seed_proc_rec *r = rec;

		r->pid = tag_pid(r->pid, t), r->ppid = tag_pid(r->ppid, t);
		if (h->size >= sizeof(*r))
			r->cgroup_id = tag_cgroup(r->cgroup_id, t);
		break;
	}
	case IPCS_REC_CGROUP: {
		struct ipcs_cgroup_rec *r = rec;

		if (h->size < sizeof(*r))
			break;
		r->pid = tag_pid(r->pid, t), r->tid = tag_pid(r->tid, t);
		r->cgroup_id = tag_cgroup(r->cgroup_id, t);
		break;
	}
	case IPCS_REC_CGROUP_NAME: {
		struct ipcs_cgroup_name_rec *r = rec;

		if (h->size >= sizeof(*r))
			r->cgroup_id = tag_cgroup(r->cgroup_id, t);
		break;
	}
	case IPCS_REC_PEER: {
		struct ipcs_peer_rec *r = rec;

		r->pid = tag_pid(r->pid, t), r->ppid = tag_pid(r->ppid, t);
		r->cgroup_id = tag_cgroup(r->cgroup_id, t);
		tag_chan(&r->chan, t);
		break;
	}
	case IPCS_REC_SEED_FD: {
		struct ipcs_seed_fd_rec *r = rec;

		r->pid = tag_pid(r->pid, t);
		tag_chan(&r->chan, t);
		break;
	}
	case IPCS_REC_SIGNAL: {
		struct ipcs_signal_rec *r = rec;

		r->pid = tag_pid(r->pid, t), r->tid = tag_pid(r->tid, t);
		r->rpid = tag_pid(r->rpid, t), r->rtid = tag_pid(r->rtid, t);
		break;
	}
	case IPCS_REC_FUTEX: {
		struct ipcs_futex_rec *r = rec;

		r->pid = tag_pid(r->pid, t), r->tid = tag_pid(r->tid, t);
		r->key_dev ^= t;
		break;
	}
	case IPCS_REC_SHM: {
		struct ipcs_shm_rec *r = rec;

		r->pid = tag_pid(r->pid, t), r->tid = tag_pid(r->tid, t);
		r->dev ^= t;
		break;
	}
	}
}

/* Records are 8-byte aligned in the buffer (sizes are multiples of 8). */
static void retag_all(struct buf *b, const struct input *in)
{
	for (size_t off = 0; off < b->len;) {
		struct ipcs_rec_hdr *h = (struct ipcs_rec_hdr *)(b->d + off);

		retag(h, in);
		off += h->size;
	}
}

static int load(struct input *in, const struct input *first, __u32 idx)
{
	struct recfile_reader *r;
	int err = recfile_open(in->path, &r);

	if (err)
		return err;
	in->fh = *recfile_header(r);
	err = recfile_read_all(r, read_cb, in);
	recfile_get_status(r, &in->st);
	recfile_close_reader(r);
	if (err) {
		log_error("%s: reading failed: %s", in->path, strerror(err < 0 ? -err : EIO));
		return err < 0 ? err : -EIO;
	}
	if (!in->st.clean_end)
		log_warn("%s: %s; merging what was read", in->path,
			 in->st.message[0] ? in->st.message : "the recording did not end cleanly");
	if (first) {
		/* real - mono is the boot time on the real-time clock: the gap maps clocks */
		in->shift = ((__s64)in->fh.start_real_ns - (__s64)in->fh.start_mono_ns) -
			    ((__s64)first->fh.start_real_ns - (__s64)first->fh.start_mono_ns);
		if (strncmp(in->fh.host, first->fh.host, sizeof(in->fh.host)))
			in->tag = idx << PID_TAG_SHIFT;
	}
	retag_all(&in->meta, in);
	retag_all(&in->ev, in);
	return 0;
}

static void drops_sum(const struct input *ins, int n, __u64 out[IPCS_DROP_SLOTS])
{
	memset(out, 0, IPCS_DROP_SLOTS * sizeof(__u64));
	for (int i = 0; i < n; i++)
		for (int k = 0; k < IPCS_DROP_SLOTS; k++)
			out[k] += ins[i].drops[k];
}

/* The input whose next record is oldest, or -1 when all are done. */
static int next_input(struct input *ins, int n)
{
	int best = -1;
	__u64 bts = 0;

	for (int i = 0; i < n; i++) {
		const struct ipcs_rec_hdr *h;

		if (ins[i].pos >= ins[i].ev.len)
			continue;
		h = (const void *)(ins[i].ev.d + ins[i].pos);
		if (best < 0 || h->ts_ns < bts) {
			best = i;
			bts = h->ts_ns;
		}
	}
	return best;
}

static int write_merged(struct recfile_writer *w, struct input *ins, int n)
{
	struct ipcs_drops_rec d;
	struct buf meta = { 0 };
	int i, err = 0;

	for (i = 0; i < n && !err; i++)
		if (ins[i].meta.len && !(err = buf_add(&meta, ins[i].meta.d, ins[i].meta.len)))
			meta.n += ins[i].meta.n - 1;	/* buf_add counted one */
	if (!err && meta.len)
		err = recfile_write_meta(w, meta.d, meta.len, meta.n);
	free(meta.d);
	while (!err && (i = next_input(ins, n)) >= 0) {
		struct input *in = &ins[i];
		const struct ipcs_rec_hdr *h = (const void *)(in->ev.d + in->pos);

		in->pos += h->size;
		if (h->type != IPCS_REC_DROPS || h->size < sizeof(d)) {
			err = recfile_append(w, h, h->size);
			continue;
		}
		/* Counters are cumulative per recording: the merged stream carries their sum. */
		memcpy(&d, h, sizeof(d));
		memcpy(in->drops, d.drops, sizeof(d.drops));
		drops_sum(ins, n, d.drops);
		err = recfile_append(w, &d, sizeof(d));
	}
	return err;
}

static void host_append(char *dst, size_t dsz, const char *src, size_t ssz)
{
	size_t l = strnlen(dst, dsz), n = strnlen(src, ssz);

	if (l + 1 >= dsz)
		return;
	dst[l++] = '+';
	if (n > dsz - 1 - l)
		n = dsz - 1 - l;
	memcpy(dst + l, src, n);
	dst[l + n] = '\0';
}

int cmd_merge(const struct ipcs_opts *o)
{
	struct recfile_write_opts wo = { .force = o->force };
	struct ipcs_file_header like;
	struct recfile_writer *w = NULL;
	__u64 drops[IPCS_DROP_SLOTS];
	struct input *ins = calloc((size_t)o->ninputs, sizeof(*ins));
	int i, err = 0;

	if (!ins)
		return EXIT_FAIL;
	for (i = 0; i < o->ninputs && !err; i++) {
		ins[i].path = o->inputs[i];
		err = load(&ins[i], i ? &ins[0] : NULL, (__u32)i);
		if (ins[i].st.has_trailer)
			memcpy(ins[i].final, ins[i].st.trailer.drops, sizeof(ins[i].final));
		if (ins[i].fh.capture_bytes > wo.capture_bytes)
			wo.capture_bytes = ins[i].fh.capture_bytes;
	}
	if (!err) {
		like = ins[0].fh;
		for (i = 1; i < o->ninputs; i++)
			if (ins[i].tag)	/* name every host: "a+b" (cut to fit) */
				host_append(like.host, sizeof(like.host), ins[i].fh.host, sizeof(ins[i].fh.host));
		wo.like = &like;
		err = recfile_create(o->output, &wo, &w);
	}
	if (!err) {
		err = write_merged(w, ins, o->ninputs);
		/* the trailer: each input's last word on its drops, summed */
		for (i = 0; i < o->ninputs; i++)
			for (int k = 0; k < IPCS_DROP_SLOTS; k++)
				if (ins[i].final[k] > ins[i].drops[k])
					ins[i].drops[k] = ins[i].final[k];
		drops_sum(ins, o->ninputs, drops);
		if (err) {
			log_error("writing %s failed: %s", o->output, strerror(-err));
			recfile_abort(w);
			unlink(o->output);
		} else {
			err = recfile_close(w, drops);
		}
	}
	for (i = 0; i < o->ninputs; i++) {
		free(ins[i].meta.d);
		free(ins[i].ev.d);
	}
	free(ins);
	return err ? EXIT_FAIL : EXIT_OK;
}
