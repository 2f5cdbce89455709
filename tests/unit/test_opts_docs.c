/*
 * test_opts_docs.c - --help and docs/ipcscope.8 against the option table of
 * user/opts.c: every option a command takes is in its --help and in its man
 * page SYNOPSIS, every option has an OPTIONS entry, and neither names an
 * option the command does not take. IPCS_MAN_PAGE overrides the page's path.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "opts.h"

static const struct {
	enum ipcs_cmd cmd;
	const char *name;
} cmds[] = {
	{ CMD_LIVE, "live" }, { CMD_RECORD, "record" }, { CMD_REPLAY, "replay" },
	{ CMD_REPORT, "report" }, { CMD_STAT, "stat" }, { CMD_EXPORT, "export" },
	{ CMD_MERGE, "merge" }, { CMD_DEMO, "demo" }, { CMD_DEADLOCK, "deadlock" },
	{ CMD_SERVE, "serve" },
};
#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

static char *man;	/* the page, "\-" as "-" and font changes as blanks */

static bool optchar(char c)
{
	return isalnum((unsigned char)c) || c == '-';
}

/* tok ("--pid", "-p") stands in text as a word of its own. */
static bool has_opt(const char *text, const char *tok)
{
	size_t n = strlen(tok);

	for (const char *p = strstr(text, tok); p; p = strstr(p + 1, tok))
		if ((p == text || !optchar(p[-1])) && !optchar(p[n]))
			return true;
	return false;
}

/* Does cmd take the option tok ("--name" or "-x")? */
static bool takes(enum ipcs_cmd cmd, const char *tok)
{
	const struct option *lo;

	if (tok[1] != '-')
		return strchr(opts_cmd_shortopts(cmd), tok[1]) != NULL;
	if (!strcmp(tok, "--help"))
		return true;
	for (size_t i = 0; (lo = opts_cmd_longopt(cmd, i)); i++)
		if (!strcmp(tok + 2, lo->name))
			return true;
	return false;
}

/* One option of a command in its forms: "-p" and "--pid", either may be "". */
struct optforms {
	char s[4], l[48];
};

/* Calls fn for every option cmd takes, both its forms together. */
static void each_opt(enum ipcs_cmd cmd, void (*fn)(enum ipcs_cmd, const struct optforms *, const void *),
		     const void *ctx)
{
	const char *s = opts_cmd_shortopts(cmd);
	const struct option *lo;
	struct optforms f;

	for (; *s; s++) {
		if (*s == ':')
			continue;
		memset(&f, 0, sizeof(f));
		snprintf(f.s, sizeof(f.s), "-%c", *s);
		for (size_t i = 0; (lo = opts_cmd_longopt(cmd, i)); i++)
			if (lo->val == *s)
				snprintf(f.l, sizeof(f.l), "--%s", lo->name);
		fn(cmd, &f, ctx);
	}
	for (size_t i = 0; (lo = opts_cmd_longopt(cmd, i)); i++) {
		if (lo->val < 256)
			continue;	/* with its short form above */
		memset(&f, 0, sizeof(f));
		snprintf(f.l, sizeof(f.l), "--%s", lo->name);
		fn(cmd, &f, ctx);
	}
}

/* Calls fn(tok) for every option-looking word ("-x", "--name") of text. */
static void each_word(const char *text, enum ipcs_cmd cmd,
		      void (*fn)(enum ipcs_cmd, const char *, const void *), const void *ctx)
{
	char tok[64];

	for (const char *p = text; *p; p++) {
		size_t n = 0;

		if (*p != '-' || (p > text && optchar(p[-1])))
			continue;
		if (p[1] == '-' && islower((unsigned char)p[2])) {
			while (p[2 + n] && (islower((unsigned char)p[2 + n]) || p[2 + n] == '-'))
				n++;
			n += 2;
		} else if (isalpha((unsigned char)p[1]) && !optchar(p[2])) {
			n = 2;
		}
		if (!n || n >= sizeof(tok))
			continue;
		memcpy(tok, p, n);
		tok[n] = '\0';
		fn(cmd, tok, ctx);
		p += n - 1;
	}
}

static char *usage_of(enum ipcs_cmd cmd)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	opts_usage(cmd, f);
	fclose(f);
	return buf;
}

static const char *cmd_name(enum ipcs_cmd cmd)
{
	for (size_t i = 0; i < NCMDS; i++)
		if (cmds[i].cmd == cmd)
			return cmds[i].name;
	return "?";
}

static int failures;
static const char *checked_where;	/* what the checks look at, for messages */

static void report_missing(enum ipcs_cmd cmd, const char *tok, const char *where)
{
	fprintf(stderr, "ipcscope %s takes %s: missing from %s\n", cmd_name(cmd), tok, where);
	failures++;
}

/* Every form of the option is in text (--help, OPTIONS). */
static void missing(enum ipcs_cmd cmd, const struct optforms *f, const void *text)
{
	if (*f->s && !has_opt(text, f->s))
		report_missing(cmd, f->s, checked_where);
	if (*f->l && !has_opt(text, f->l))
		report_missing(cmd, f->l, checked_where);
}

/* One of its forms is (SYNOPSIS: "-p PID" stands for --pid too). */
static void missing_both(enum ipcs_cmd cmd, const struct optforms *f, const void *text)
{
	if ((*f->s && has_opt(text, f->s)) || (*f->l && has_opt(text, f->l)))
		return;
	/* live's and replay's -n is --frames, a long option of its own in the
	 * table because deadlock's -n is another one */
	if (!strcmp(f->l, "--frames") && has_opt(text, "-n"))
		return;
	report_missing(cmd, *f->s ? f->s : f->l, checked_where);
}

static void stray(enum ipcs_cmd cmd, const char *tok, const void *where)
{
	if (takes(cmd, tok))
		return;
	fprintf(stderr, "%s names %s, which ipcscope %s does not take\n", (const char *)where, tok,
		cmd_name(cmd));
	failures++;
}

/* Every option cmd takes is in text (need: all forms, or one), and every
 * option word of words is one cmd takes. */
static void check_cmd(enum ipcs_cmd cmd, const char *text, const char *words,
		      void (*need)(enum ipcs_cmd, const struct optforms *, const void *), const char *where)
{
	checked_where = where;
	each_opt(cmd, need, text);
	each_word(words, cmd, stray, where);
}

/* ---- --help ---- */

/* The heads of a usage text's option lines ("  -o, --output FILE   what"):
 * lines that begin, after blanks, with '-', up to the first double blank. */
static char *option_lines(const char *usage)
{
	char *out = calloc(1, strlen(usage) + 1), *o = out;

	assert_non_null(out);
	for (const char *l = usage; *l; ) {
		const char *nl = strchrnul(l, '\n'), *p = l, *end;

		while (*p == ' ')
			p++;
		end = strstr(p, "  ");
		if (!end || end > nl)
			end = nl;
		if (p > l && *p == '-') {
			memcpy(o, p, (size_t)(end - p));
			o += end - p;
			*o++ = '\n';
		}
		l = *nl ? nl + 1 : nl;
	}
	return out;
}

static void test_help_lists_every_option(void **state)
{
	(void)state;
	failures = 0;
	for (size_t i = 0; i < NCMDS; i++) {
		char *u = usage_of(cmds[i].cmd), *lines = option_lines(u);

		check_cmd(cmds[i].cmd, u, lines, missing, "its --help");
		free(lines);
		free(u);
	}
	assert_int_equal(failures, 0);
}

/* ---- the man page ---- */

static char *read_man(void)
{
	const char *path = getenv("IPCS_MAN_PAGE");
	const char *file = __FILE__, *slash = strrchr(file, '/');
	char def[4096], *buf, *o;
	long len;
	FILE *f;

	if (!path) {
		snprintf(def, sizeof(def), "%.*s../../docs/ipcscope.8", slash ? (int)(slash - file + 1) : 0,
			 file);
		path = def;
	}
	f = fopen(path, "r");
	if (!f)
		fail_msg("%s missing (run from the source tree, or set IPCS_MAN_PAGE)", path);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = malloc((size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	buf[len] = '\0';
	fclose(f);
	/* troff: "\-" is a minus, "\fB" and the like change fonts */
	o = buf;
	for (const char *p = buf; *p; p++) {
		if (p[0] == '\\' && p[1] == '-') {
			*o++ = '-';
			p++;
		} else if (p[0] == '\\' && p[1] == 'f' && p[2]) {
			*o++ = ' ';
			p += 2;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	return buf;
}

/* The text of section .SH name up to the next .SH (a copy). */
static char *section(const char *name)
{
	char head[64], *s, *end;

	snprintf(head, sizeof(head), "\n.SH %s\n", name);
	s = strstr(man, head);
	if (!s)
		fail_msg("docs/ipcscope.8 has no section %s", name);
	s += strlen(head);
	end = strstr(s, "\n.SH ");
	return strndup(s, end ? (size_t)(end - s) : strlen(s));
}

/* The SYNOPSIS block of cmd: from ".B ipcscope CMD" (live: "[ live ]") to
 * the next ".br"; deadlock's two forms are joined. */
static char *synopsis_of(const char *syn, const char *name)
{
	size_t cap = strlen(syn) + 1, n = 0;
	char *out = calloc(1, cap);
	char *copy = strdup(syn), *save = NULL;
	bool in = false;

	assert_non_null(out);
	assert_non_null(copy);
	for (char *blk = strtok_r(copy, "\n", &save); blk; blk = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(blk, ".B ipcscope", 11)) {
			const char *w = blk + 11;

			while (*w == ' ')
				w++;
			in = *w ? !strncmp(w, name, strlen(name)) && !optchar(w[strlen(name)])
				: !strcmp(name, "live");
			/* "ipcscope [--help|--version]": the overview, no command */
		} else if (!strcmp(blk, ".br")) {
			in = false;
		} else if (in && !strcmp(name, "live") && strstr(blk, "--help")) {
			in = false;
		}
		if (in)
			n += (size_t)snprintf(out + n, cap - n, "%s\n", blk);
	}
	free(copy);
	return out;
}

static void test_man_synopsis(void **state)
{
	char *syn = section("SYNOPSIS");

	(void)state;
	failures = 0;
	for (size_t i = 0; i < NCMDS; i++) {
		char *blk = synopsis_of(syn, cmds[i].name);

		if (!*blk) {
			fprintf(stderr, "docs/ipcscope.8 SYNOPSIS has no line for %s\n", cmds[i].name);
			failures++;
		}
		check_cmd(cmds[i].cmd, blk, blk, missing_both, "its docs/ipcscope.8 SYNOPSIS");
		free(blk);
	}
	free(syn);
	assert_int_equal(failures, 0);
}

/* The OPTIONS section: one .TP entry whose head line names each option. */
static char *option_heads(const char *opts)
{
	char *out = calloc(1, strlen(opts) + 1), *o = out;

	assert_non_null(out);
	for (const char *p = strstr(opts, ".TP\n"); p; p = strstr(p + 1, ".TP\n")) {
		const char *h = p + 4, *nl = strchrnul(h, '\n');

		memcpy(o, h, (size_t)(nl - h));
		o += nl - h;
		*o++ = '\n';
	}
	return out;
}

static void any_cmd_takes(enum ipcs_cmd unused, const char *tok, const void *where)
{
	(void)unused;
	for (size_t i = 0; i < NCMDS; i++)
		if (takes(cmds[i].cmd, tok))
			return;
	fprintf(stderr, "%s names %s, which no command takes\n", (const char *)where, tok);
	failures++;
}

static void test_man_options(void **state)
{
	char *opts = section("OPTIONS"), *heads = option_heads(opts);

	(void)state;
	failures = 0;
	checked_where = "docs/ipcscope.8 OPTIONS (a .TP entry's first line)";
	for (size_t i = 0; i < NCMDS; i++)
		each_opt(cmds[i].cmd, missing, heads);
	each_word(heads, CMD_NONE, any_cmd_takes, "docs/ipcscope.8 OPTIONS");
	free(heads);
	free(opts);
	assert_int_equal(failures, 0);
}

/* ipcscope --help and the man page's COMMANDS name every command. */
static void test_commands_listed(void **state)
{
	char *over = usage_of(CMD_NONE), *sec = section("COMMANDS"), head[64];

	(void)state;
	for (size_t i = 0; i < NCMDS; i++) {
		snprintf(head, sizeof(head), "\n  %s ", cmds[i].name);
		if (!strstr(over, head))
			fail_msg("ipcscope --help does not list %s", cmds[i].name);
		snprintf(head, sizeof(head), ".B %s\n", cmds[i].name);
		if (!strstr(sec, head))
			fail_msg("docs/ipcscope.8 COMMANDS has no entry for %s", cmds[i].name);
	}
	free(sec);
	free(over);
}

/* The checks above can fail: made-up and misplaced options are caught. */
static void test_checks_can_fail(void **state)
{
	struct optforms f = { "-Z", "--no-such-option" };

	(void)state;
	failures = 0;
	checked_where = "a test text";
	missing(CMD_RECORD, &f, "usage: ipcscope record -Z FILE");
	assert_int_equal(failures, 1);
	missing_both(CMD_RECORD, &f, "usage: ipcscope record -Z FILE");
	assert_int_equal(failures, 1);
	missing_both(CMD_RECORD, &f, "usage: ipcscope record -o FILE");
	assert_int_equal(failures, 2);
	stray(CMD_REPORT, "--duration", "a test text");
	assert_int_equal(failures, 3);
	stray(CMD_REPORT, "--json", "a test text");
	assert_int_equal(failures, 3);
	assert_true(has_opt("a --ringbuf-kb N", "--ringbuf-kb"));
	assert_false(has_opt("a --ringbuf-kb N", "--ringbuf"));
	assert_false(has_opt("Ctrl-C", "-C"));
	assert_null(opts_cmd_longopt(CMD_DEMO, 100));
	assert_string_equal(opts_cmd_longopt(CMD_DEMO, 0)->name, "output");
	failures = 0;
}

static int setup(void **state)
{
	(void)state;
	man = read_man();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(man);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checks_can_fail),
		cmocka_unit_test(test_help_lists_every_option),
		cmocka_unit_test(test_man_synopsis),
		cmocka_unit_test(test_man_options),
		cmocka_unit_test(test_commands_listed),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
