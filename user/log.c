/* log.c - leveled messages to stderr, prefixed with the program name. */
#include <stdarg.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "log.h"

static enum log_level cur_level = LOG_WARN;

void log_set_level(enum log_level lvl) { cur_level = lvl; }
enum log_level log_get_level(void) { return cur_level; }

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };
	va_list ap;

	if (lvl > cur_level)
		return;
	fprintf(stderr, "ipcscope: %s: ", names[lvl]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void log_create_error(const char *path, int err)
{
	if (err == -EEXIST)
		log_error("%s exists: choose another name or pass --force to replace it", path);
	else if (err == -ELOOP)
		log_error("%s is a symbolic link: refusing to write through it (give the real path)", path);
	else
		log_error("cannot create %s: %s", path, strerror(-err));
}
