/*
 * view_detail.c - the sequence view of one conversation: a column per
 * process, an arrow per message (time, size, call), newest at the bottom;
 * Enter opens the selected message: times, size, fds, and a hex + text dump
 * of its payload when it was captured.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "viewer.h"

#define TIME_W 12

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

/* What kind of message: the writing call, or the channel's kind. */
static const char *msg_kind(const struct model_conv *c, const struct model_msg *m)
{
	return m->sys ? ipcs_sys_name(m->sys) : ipcs_kind_name(c->kind);
}

static __u64 msg_ts(const struct model_msg *m)
{
	return m->ts_w ? m->ts_w : m->ts_r;
}

/* One arrow from column xa to xb (either way) with its label in the middle. */
static void arrow_row(struct screen *scr, const struct model_conv *c, const struct model_msg *m,
		      __u64 start_ns, int y, int xa, int xb, bool selected)
{
	enum scr_attr attr = selected ? SA_SELECTED : SA_NORMAL;
	int from = m->rev ? xb : xa, to = m->rev ? xa : xb, lo = from < to ? from : to;
	int hi = from < to ? to : from, len, mid;
	__u64 ts = msg_ts(m);
	char buf[96];

	screen_fill_row(scr, y, attr);
	snprintf(buf, sizeof(buf), "%.6f", ts > start_ns ? (double)(ts - start_ns) / 1e9 : 0.0);
	screen_put_field(scr, 0, y, attr, buf, TIME_W, 1);
	screen_put(scr, xa, y, attr, "|", 1);
	screen_put(scr, xb, y, attr, "|", 1);
	for (int x = lo + 1; x < hi; x++)
		screen_put(scr, x, y, attr, "-", 1);
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
static int dump_payload(struct screen *scr, const struct model_msg *m, int y, int ymax)
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
	return y;
}

static void msg_pane(struct screen *scr, const struct snapshot *snap, const struct model_conv *c,
		     size_t i, __u64 start_ns, int y, int ymax)
{
	const struct model_msg *m = &snap->msgs[i];
	char buf[256];

	screen_fill_row(scr, y, SA_HEADER);
	snprintf(buf, sizeof(buf), " message %zu/%zu: %s, %s", i + 1, snap->nmsgs, msg_kind(c, m),
		 m->rev ? "B -> A" : "A -> B");
	screen_put(scr, 0, y++, SA_HEADER, buf, scr->w);
	if (m->payload_len)
		snprintf(buf, sizeof(buf), "  size %" PRIu64 " bytes   fds passed %u   payload: first %u bytes",
			 (uint64_t)m->bytes, m->nfds, m->payload_len);
	else
		snprintf(buf, sizeof(buf), "  size %" PRIu64 " bytes   fds passed %u   payload not captured",
			 (uint64_t)m->bytes, m->nfds);
	screen_put(scr, 0, y++, SA_NORMAL, buf, scr->w);
	snprintf(buf, sizeof(buf), "  written %.6f s   read %.6f s",
		 m->ts_w > start_ns ? (double)(m->ts_w - start_ns) / 1e9 : 0.0,
		 m->ts_r > start_ns ? (double)(m->ts_r - start_ns) / 1e9 : 0.0);
	if (!m->ts_w || !m->ts_r)
		snprintf(buf, sizeof(buf), "  %s %.6f s (the other side was not seen)",
			 m->ts_w ? "written" : "read", (double)(msg_ts(m) > start_ns ? msg_ts(m) - start_ns : 0) / 1e9);
	screen_put(scr, 0, y++, SA_NORMAL, buf, scr->w);
	dump_payload(scr, m, y, ymax);
}

void view_detail_render(const struct snapshot *snap, const struct viewer_info *info,
			struct view_state *vs, struct screen *scr, int y0, int rows)
{
	const struct model_conv *c = &vs->detail;
	int xa, xb, pw, list_rows, y;
	char buf[96];

	if (!vs->detail_valid) {
		screen_put(scr, 1, y0 + 1, SA_DIM, "(no conversation chosen: select one in view 1 and press Enter)",
			   scr->w - 2);
		vs->nrows = 0;
		return;
	}
	/* Title: kind, channel, totals, and what the log no longer holds. */
	screen_fill_row(scr, y0, SA_HEADER);
	y = screen_put(scr, 1, y0, SA_HEADER, ipcs_kind_name(c->kind), -1);
	y = screen_put(scr, y, y0, SA_HEADER, " ", -1);
	y = screen_put_esc_tail(scr, y, y0, SA_HEADER, c->channel, sizeof(c->channel), scr->w / 2);
	snprintf(buf, sizeof(buf), "  messages: %zu shown, %" PRIu64 " older not kept",
		 snap->nmsgs, (uint64_t)snap->msgs_dropped);
	screen_put(scr, y, y0, SA_HEADER, buf, scr->w - y);
	if (rows < 3)
		return;
	/* Process columns: A at a third, B at the end of the time axis. */
	pw = (scr->w - TIME_W - 2) / 2;
	xa = TIME_W + 2 + pw / 4;
	xb = scr->w - 2 - pw / 4;
	if (xb - xa < 12)
		xb = xa + 12;
	screen_fill_row(scr, y0 + 1, SA_HEADER);
	screen_put_field(scr, 0, y0 + 1, SA_HEADER, "TIME s", TIME_W, 1);
	put_side(scr, xa - 4 > TIME_W ? xa - 4 : TIME_W + 1, y0 + 1, (xb - xa) - 1, &c->a);
	put_side(scr, xb - 4, y0 + 1, scr->w - (xb - 4), &c->b);
	list_rows = rows - 2;
	if (vs->detail_msg && snap->nmsgs)
		list_rows = list_rows / 2 > 1 ? list_rows / 2 : 1;
	view_scroll(vs, snap->nmsgs, (size_t)(list_rows > 0 ? list_rows : 1));
	for (int r = 0; r < list_rows && vs->top[VIEW_DETAIL] + (size_t)r < snap->nmsgs; r++) {
		size_t i = vs->top[VIEW_DETAIL] + (size_t)r;

		arrow_row(scr, c, &snap->msgs[i], info->start_ns, y0 + 2 + r, xa, xb,
			  i == vs->sel[VIEW_DETAIL]);
	}
	if (!snap->nmsgs) {
		screen_put(scr, 1, y0 + 2, SA_DIM, "(no messages in the log of this conversation)", scr->w - 2);
		return;
	}
	if (vs->detail_msg)
		msg_pane(scr, snap, c, vs->sel[VIEW_DETAIL], info->start_ns, y0 + 2 + list_rows,
			 y0 + rows);
}
