/*
 * view_detail.c - the sequence view: one conversation, or all traffic among
 * the processes marked in the processes view. A column per process, an arrow
 * per message (time, size, call), newest at the bottom; Enter opens the
 * selected message: times, size, fds, and a hex + text dump of its payload
 * when it was captured.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "views.h"

#define TIME_W 12

/* The processes across the top, and where their lifelines run. */
struct seq_cols {
	struct model_proc_ref p[VIEW_GROUP_MAX];
	int x[VIEW_GROUP_MAX];
	size_t n;
	bool by_role;	/* one conversation: a is column 0 and b column 1, even a to itself */
};

void view_seq_select(const struct view_state *vs, struct seq_select *sel)
{
	memset(sel, 0, sizeof(*sel));
	if (vs->detail_group) {
		sel->procs = vs->group;
		sel->nprocs = vs->ngroup;
	} else if (vs->detail_valid) {
		sel->conv = &vs->detail;
	}
}

static void put_side(struct screen *scr, int x, int y, int w, const struct model_proc_ref *p)
{
	char pid[16];
	int end;

	if (!p->pid) {
		screen_put(scr, x, y, SA_HEADER, "(not seen)", w);
		return;
	}
	snprintf(pid, sizeof(pid), "%u/", p->pid);
	end = screen_put(scr, x, y, SA_HEADER, pid, w);
	screen_put_esc(scr, end, y, SA_HEADER, p->comm, IPCS_COMM_LEN, w - (end - x));
}

/* Columns between a third of the first half and the right edge, evenly. */
static void layout(const struct view_state *vs, struct screen *scr, struct seq_cols *c)
{
	int pw = (scr->w - TIME_W - 2) / 2, x0 = TIME_W + 2 + pw / 4, x1 = scr->w - 2 - pw / 4;

	if (vs->detail_group) {
		c->n = vs->ngroup;
		memcpy(c->p, vs->group, c->n * sizeof(c->p[0]));
	} else {
		c->n = 2;
		c->by_role = true;
		c->p[0] = vs->detail.a;
		c->p[1] = vs->detail.b;
	}
	if (x1 - x0 < 12 * (int)(c->n - 1))
		x1 = x0 + 12 * (int)(c->n - 1);
	for (size_t i = 0; i < c->n; i++)
		c->x[i] = x0 + (int)i * (x1 - x0) / (int)(c->n - 1);
}

static int col_of(const struct seq_cols *c, const struct model_proc_ref *p)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->p[i].pid == p->pid && c->p[i].start_ns == p->start_ns)
			return (int)i;
	return 0;
}

/* What kind of message: the writing call, or the channel's kind. */
static const char *msg_kind(const struct model_conv *c, const struct model_msg *m)
{
	return m->sys ? ipcs_sys_name(m->sys) : ipcs_kind_name(c->kind);
}

static __u64 msg_ts(const struct model_msg *m)
{
	return m->ts_w ? m->ts_w : m->ts_r;
}

static double rel_s(__u64 ts, __u64 start_ns)
{
	return ts > start_ns ? (double)(ts - start_ns) / 1e9 : 0.0;
}

/* One arrow from the sender's lifeline to the receiver's, its label in the middle. */
static void arrow_row(struct screen *scr, const struct snapshot *snap, const struct seq_cols *cols,
		      const struct snap_msg *sm, __u64 start_ns, int y, bool selected)
{
	enum scr_attr attr = selected ? SA_SELECTED : SA_NORMAL;
	const struct model_conv *c = &snap->convs[sm->conv];
	const struct model_msg *m = &sm->m;
	int from = cols->x[cols->by_role ? m->rev : col_of(cols, m->rev ? &c->b : &c->a)];
	int to = cols->x[cols->by_role ? !m->rev : col_of(cols, m->rev ? &c->a : &c->b)];
	int lo = from < to ? from : to, hi = from < to ? to : from, len, mid;
	char buf[96];

	screen_fill_row(scr, y, attr);
	snprintf(buf, sizeof(buf), "%.6f", rel_s(msg_ts(m), start_ns));
	screen_put_field(scr, 0, y, attr, buf, TIME_W, 1);
	for (size_t i = 0; i < cols->n; i++)
		screen_put(scr, cols->x[i], y, attr, "|", 1);
	for (int x = lo + 1; x < hi; x++)
		screen_put(scr, x, y, attr, "-", 1);
	if (hi > lo)
		screen_put(scr, from < to ? hi - 1 : lo + 1, y, attr, from < to ? ">" : "<", 1);
	snprintf(buf, sizeof(buf), " %" PRIu64 " B %s%s ", (uint64_t)m->bytes, msg_kind(c, m),
		 m->nfds ? " +fds" : "");
	len = (int)strlen(buf);
	if (len > hi - lo - 3)
		len = hi - lo - 3;
	mid = lo + 2 + (hi - lo - 3 - len) / 2;
	if (len > 0)
		screen_put(scr, mid, y, attr, buf, len);
}

/* Hex and text of the payload; the text shows printable ASCII only, the rest as '.'. */
static void dump_payload(struct screen *scr, const struct model_msg *m, int y, int ymax)
{
	int per = scr->w >= 78 ? 16 : 8;

	for (__u32 off = 0; off < m->payload_len && y < ymax; off += (__u32)per, y++) {
		char line[160];
		int p = snprintf(line, sizeof(line), "  %04x  ", off);

		for (int i = 0; i < per; i++)
			p += off + (__u32)i < m->payload_len ?
			     snprintf(line + p, sizeof(line) - (size_t)p, "%02x ", m->payload[off + (__u32)i]) :
			     snprintf(line + p, sizeof(line) - (size_t)p, "   ");
		p += snprintf(line + p, sizeof(line) - (size_t)p, " |");
		for (int i = 0; i < per && off + (__u32)i < m->payload_len; i++) {
			unsigned char ch = m->payload[off + (__u32)i];

			line[p++] = ch >= 0x20 && ch < 0x7f ? (char)ch : '.';
		}
		line[p++] = '|';
		line[p] = '\0';
		screen_put(scr, 0, y, SA_NORMAL, line, scr->w);
	}
}

static void msg_pane(struct screen *scr, const struct snapshot *snap, size_t i, __u64 start_ns,
		     int y, int ymax)
{
	const struct model_msg *m = &snap->msgs[i].m;
	const struct model_conv *c = &snap->convs[snap->msgs[i].conv];
	const struct model_proc_ref *from = m->rev ? &c->b : &c->a, *to = m->rev ? &c->a : &c->b;
	char buf[256];
	int x;

	screen_fill_row(scr, y, SA_HEADER);
	snprintf(buf, sizeof(buf), " message %zu/%zu: %s on ", i + 1, snap->nmsgs, msg_kind(c, m));
	x = screen_put(scr, 0, y, SA_HEADER, buf, scr->w);
	x = screen_put_esc_tail(scr, x, y, SA_HEADER, c->channel, sizeof(c->channel), 32);
	snprintf(buf, sizeof(buf), ", %u -> %u", from->pid, to->pid);
	screen_put(scr, x, y++, SA_HEADER, buf, scr->w - x);
	if (m->payload_len)
		snprintf(buf, sizeof(buf), "  size %" PRIu64 " bytes   fds passed %u   payload: first %u bytes",
			 (uint64_t)m->bytes, m->nfds, m->payload_len);
	else
		snprintf(buf, sizeof(buf), "  size %" PRIu64 " bytes   fds passed %u   payload not captured",
			 (uint64_t)m->bytes, m->nfds);
	screen_put(scr, 0, y++, SA_NORMAL, buf, scr->w);
	if (m->ts_w && m->ts_r)
		snprintf(buf, sizeof(buf), "  written %.6f s   read %.6f s", rel_s(m->ts_w, start_ns),
			 rel_s(m->ts_r, start_ns));
	else
		snprintf(buf, sizeof(buf), "  %s %.6f s (the other side was not seen)",
			 m->ts_w ? "written" : "read", rel_s(msg_ts(m), start_ns));
	screen_put(scr, 0, y++, SA_NORMAL, buf, scr->w);
	dump_payload(scr, m, y, ymax);
}

/* The title row: the conversation, or the group; and what the logs no longer hold. */
static void title(const struct snapshot *snap, const struct view_state *vs, struct screen *scr, int y0)
{
	char buf[96];
	int x;

	screen_fill_row(scr, y0, SA_HEADER);
	if (vs->detail_group) {
		snprintf(buf, sizeof(buf), " traffic among %zu processes", vs->ngroup);
		x = screen_put(scr, 0, y0, SA_HEADER, buf, -1);
	} else {
		x = screen_put(scr, 1, y0, SA_HEADER, ipcs_kind_name(vs->detail.kind), -1);
		x = screen_put(scr, x, y0, SA_HEADER, " ", -1);
		x = screen_put_esc_tail(scr, x, y0, SA_HEADER, vs->detail.channel,
					sizeof(vs->detail.channel), scr->w / 2);
	}
	snprintf(buf, sizeof(buf), "  messages: %zu shown, %" PRIu64 " older not kept",
		 snap->nmsgs, (uint64_t)snap->msgs_dropped);
	screen_put(scr, x, y0, SA_HEADER, buf, scr->w - x);
}

void view_detail_render(const struct snapshot *snap, const struct viewer_info *info,
			struct view_state *vs, struct screen *scr, int y0, int rows)
{
	struct seq_cols cols;
	int list_rows;

	if (vs->detail_group ? vs->ngroup < 2 : !vs->detail_valid) {
		screen_put(scr, 1, y0 + 1, SA_DIM, vs->detail_group ?
			   "(mark two or more processes with m in view 2, then press Enter)" :
			   "(no conversation chosen: select one in view 1 and press Enter)", scr->w - 2);
		vs->nrows = 0;
		return;
	}
	title(snap, vs, scr, y0);
	if (rows < 3)
		return;
	memset(&cols, 0, sizeof(cols));
	layout(vs, scr, &cols);
	screen_fill_row(scr, y0 + 1, SA_HEADER);
	screen_put_field(scr, 0, y0 + 1, SA_HEADER, "TIME s", TIME_W, 1);
	for (size_t i = 0; i < cols.n; i++) {
		int x = cols.x[i] - 4 > TIME_W ? cols.x[i] - 4 : TIME_W + 1;
		int w = i + 1 < cols.n ? cols.x[i + 1] - 4 - x - 1 : scr->w - x;

		put_side(scr, x, y0 + 1, w, &cols.p[i]);
	}
	list_rows = rows - 2;
	if (vs->detail_msg && snap->nmsgs)
		list_rows = list_rows / 2 > 1 ? list_rows / 2 : 1;
	view_scroll(vs, snap->nmsgs, (size_t)(list_rows > 0 ? list_rows : 1));
	for (int r = 0; r < list_rows && vs->top[VIEW_DETAIL] + (size_t)r < snap->nmsgs; r++) {
		size_t i = vs->top[VIEW_DETAIL] + (size_t)r;

		arrow_row(scr, snap, &cols, &snap->msgs[i], info->start_ns, y0 + 2 + r,
			  i == vs->sel[VIEW_DETAIL]);
	}
	if (!snap->nmsgs) {
		screen_put(scr, 1, y0 + 2, SA_DIM, "(no messages in the log)", scr->w - 2);
		return;
	}
	if (vs->detail_msg)
		msg_pane(scr, snap, vs->sel[VIEW_DETAIL], info->start_ns, y0 + 2 + list_rows, y0 + rows);
}
