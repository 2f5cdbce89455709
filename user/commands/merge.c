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
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "commands/commands.h"
#include "log.h"
#include "util/hashmap.h"
#include "record/recfile.h"
#include "ipcscope_rectab.h"
#include "util/vec.h"

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
	if (n > SIZE_MAX - b->len || vec_grow((void **)&b->d, &b->cap, b->len + n, 1, 1 << 16))
		return -ENOMEM;
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

/* TCP and UDP are named by their endpoints: those must match across hosts. */
static bool kind_host_local(__u16 kind)
{
	return kind != IPCS_KIND_TCP && kind != IPCS_KIND_UDP && kind != IPCS_KIND_NONE;
}

static void tag_u32(void *p, __u32 tag, bool keep_zero)
{
	__u32 v;

	memcpy(&v, p, sizeof(v));
	v = keep_zero ? tag_pid(v, tag) : v ^ tag;
	memcpy(p, &v, sizeof(v));
}

/* The host-local id at p, of the given role, tagged for another host. */
static void tag_field(unsigned char *p, __u8 role, __u32 t)
{
	struct ipcs_fdpass_fd fd;
	struct ipcs_chan c;
	__u64 id;

	switch (role) {
	case IPCS_FLD_PID: case IPCS_FLD_TID:
		tag_u32(p, t, true);
		break;
	case IPCS_FLD_DEV:
		tag_u32(p, t, false);
		break;
	case IPCS_FLD_CHAN:
		memcpy(&c, p, sizeof(c));
		if (kind_host_local(c.kind))
			tag_u32(p + offsetof(struct ipcs_chan, dev), t, false);
		break;
	case IPCS_FLD_FDID:
		memcpy(&fd, p, sizeof(fd));
		if (kind_host_local(fd.kind))
			tag_u32(p + offsetof(struct ipcs_fdpass_fd, dev), t, false);
		break;
	case IPCS_FLD_CGROUP: case IPCS_FLD_CGROUP_KEY:
		memcpy(&id, p, sizeof(id));
		id = tag_cgroup(id, t);
		memcpy(p, &id, sizeof(id));
		break;
	}
}

/* A field a record is too short for (one written by an older version) is left alone. */
void merge_retag(void *rec, __s64 shift, __u32 t)
{
	struct ipcs_rec_hdr *h = rec;
	const struct ipcs_rec_info *ri;

	if (h->ts_ns)
		h->ts_ns = (__u64)((__s64)h->ts_ns + shift);
	if (!t || !(ri = ipcs_rec_lookup(h->type)) || h->size < ipcs_rec_min_size(ri))
		return;
	IPCS_REC_FOREACH_FIELD(f, ri)
		for (unsigned i = 0; i < f->count && ipcs_field_present(f, i, h->size); i++)
			tag_field((unsigned char *)rec + f->off + (size_t)i * f->stride, f->role, t);
}

/* Records are 8-byte aligned in the buffer (sizes are multiples of 8). */
static void retag_all(struct buf *b, const struct input *in)
{
	for (size_t off = 0; off < b->len;) {
		struct ipcs_rec_hdr *h = (struct ipcs_rec_hdr *)(b->d + off);

		merge_retag(h, in->shift, in->tag);
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

/* ---- the same threads recorded twice (same boot of a host, overlapping times) ---- */

/* One boot of one host: the same hostname, and the same boot id (1.4 files);
 * with an older file, the same boot time on the real-time clock (real - boot),
 * within a second of clock adjustment. */
static bool same_boot(const struct ipcs_file_header *a, const struct ipcs_file_header *b)
{
	static const __u8 zero[sizeof(a->boot_id)];
	__s64 ba, bb;

	if (strncmp(a->host, b->host, sizeof(a->host)))
		return false;
	if (memcmp(a->boot_id, zero, sizeof(zero)) && memcmp(b->boot_id, zero, sizeof(zero)))
		return !memcmp(a->boot_id, b->boot_id, sizeof(a->boot_id));
	ba = (__s64)a->start_real_ns - (__s64)a->start_boot_ns;
	bb = (__s64)b->start_real_ns - (__s64)b->start_boot_ns;
	return (ba > bb ? ba - bb : bb - ba) < 1000000000;
}

/* The span of an input's events, on the first input's clock (after load's shift). */
static void span_of(const struct input *in, __u64 *lo, __u64 *hi)
{
	*lo = (__u64)((__s64)in->fh.start_mono_ns + in->shift);
	*hi = in->st.has_trailer ? (__u64)((__s64)in->st.trailer.end_mono_ns + in->shift) : *lo;
	for (size_t off = 0; off < in->ev.len;) {
		const struct ipcs_rec_hdr *h = (const void *)(in->ev.d + off);

		if (h->ts_ns > *hi)
			*hi = h->ts_ns;
		off += h->size;
	}
}

/* The thread that made the call a record describes (so was traced), 0 for
 * none: a signal or a fork may name a thread the recording did not trace. */
static __u32 actor_of(const struct ipcs_rec_hdr *h, __u32 *pid)
{
	const struct ipcs_rec_info *ri = ipcs_rec_lookup(h->type);
	__u32 tid = 0, p = 0;

	*pid = 0;
	if (!ri || !(ri->flags & IPCS_RECI_CALL) || h->size < ipcs_rec_min_size(ri))
		return 0;
	IPCS_REC_FOREACH_FIELD(f, ri) {
		if (f->role == IPCS_FLD_TID && !tid)
			memcpy(&tid, (const char *)h + f->off, sizeof(tid));
		else if (f->role == IPCS_FLD_PID && !p)
			memcpy(&p, (const char *)h + f->off, sizeof(p));
	}
	*pid = p;
	return tid ? tid : p;
}

/*
 * A thread both a and b recorded events of while both were recording: merged,
 * each of its calls would count twice. Returns 1 (tid, pid set), 0, or -ENOMEM.
 */
static int shared_thread(const struct input *a, const struct input *b, __u32 *tid, __u32 *pid)
{
	__u64 alo, ahi, blo, bhi, lo, hi;
	struct hashmap seen;
	int found = 0;

	span_of(a, &alo, &ahi);
	span_of(b, &blo, &bhi);
	lo = alo > blo ? alo : blo;
	hi = ahi < bhi ? ahi : bhi;
	if (lo > hi)
		return 0;
	hashmap_init(&seen, sizeof(__u32));
	for (size_t off = 0; off < a->ev.len;) {
		const struct ipcs_rec_hdr *h = (const void *)(a->ev.d + off);
		__u32 p, t = actor_of(h, &p);

		off += h->size;
		if (t && h->ts_ns >= lo && h->ts_ns <= hi && hashmap_put(&seen, &t, (void *)1, NULL)) {
			hashmap_fini(&seen);
			return -ENOMEM;
		}
	}
	for (size_t off = 0; off < b->ev.len && !found;) {
		const struct ipcs_rec_hdr *h = (const void *)(b->ev.d + off);
		__u32 p, t = actor_of(h, &p);

		off += h->size;
		if (t && h->ts_ns >= lo && h->ts_ns <= hi && hashmap_get(&seen, &t)) {
			*tid = t, *pid = p;
			found = 1;
		}
	}
	hashmap_fini(&seen);
	return found;
}

/* Refuse inputs that recorded the same threads at the same time (unless --allow-overlap). */
static int check_overlap(const struct input *ins, int n, bool allow)
{
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++) {
			__u32 tid = 0, pid = 0;
			int r;

			if (!same_boot(&ins[i].fh, &ins[j].fh))
				continue;
			r = shared_thread(&ins[i], &ins[j], &tid, &pid);
			if (r < 0)
				return r;
			if (!r)
				continue;
			if (allow) {
				log_warn("%s and %s both recorded thread %u (process %u) at the same "
					 "time: its events are counted twice (--allow-overlap)",
					 ins[i].path, ins[j].path, tid, pid);
				continue;
			}
			log_error("%s and %s were recorded on the same boot of host %s at overlapping "
				  "times and both traced thread %u (process %u): merged, each of its "
				  "calls would count twice. Merge recordings of different processes, "
				  "or pass --allow-overlap to merge them anyway",
				  ins[i].path, ins[j].path, ins[i].fh.host, tid, pid);
			return -EEXIST;
		}
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
	struct recfile_write_opts wo = { .force = o->force, .foreign = o->replace_foreign };
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
	if (!err)
		err = check_overlap(ins, o->ninputs, o->allow_overlap);
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
