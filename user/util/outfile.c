/*
 * outfile.c - creating every output file: a private new inode, put in place by
 * rename (see outfile.h for why).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include "log.h"
#include "util/outfile.h"

#define CREATE_FLAGS (O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY)
#define TMP_TRIES 64

static const char *type_name(mode_t m)
{
	if (S_ISFIFO(m))
		return "a FIFO (named pipe)";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISCHR(m) || S_ISBLK(m))
		return "a device";
	return "not a regular file";
}

/* What is at path now, refused unless it is a regular file flags allow us to replace. */
static int check_existing(const struct outfile *of)
{
	struct stat st;

	if (fstatat(of->dirfd, of->base, &st, AT_SYMLINK_NOFOLLOW)) {
		if (errno == ENOENT)
			return 0;
		log_error("cannot check %s: %s", of->path, strerror(errno));
		return -errno;
	}
	if (S_ISLNK(st.st_mode)) {
		log_error("%s is a symbolic link; ipcscope never writes through or over a link: "
			  "choose another path", of->path);
		return -ELOOP;
	}
	if (S_ISDIR(st.st_mode)) {
		log_error("%s is a directory; give a file name", of->path);
		return -EISDIR;
	}
	if (!S_ISREG(st.st_mode)) {
		/* Never opened: an open(O_WRONLY) of a FIFO blocks until a reader comes. */
		log_error("%s exists and is %s; ipcscope writes only regular files: choose another "
			  "path", of->path, type_name(st.st_mode));
		return -ENXIO;
	}
	if (!(of->flags & OUTF_FORCE)) {
		log_error("%s already exists; choose another name, or use --force to replace it",
			  of->path);
		return -EEXIST;
	}
	if (st.st_uid != geteuid() && !(of->flags & OUTF_FOREIGN)) {
		log_error("%s belongs to another user (uid %u); --force replaces only your own files. "
			  "Choose another path, or add --replace-foreign to replace it (its name "
			  "then points to a new file of yours; the old file is never written)",
			  of->path, (unsigned)st.st_uid);
		return -EPERM;
	}
	return 0;
}

static int split_path(struct outfile *of, const char *path)
{
	const char *slash = strrchr(path, '/');

	of->path = strdup(path);
	if (!slash)
		of->dir = strdup(".");
	else if (slash == path)
		of->dir = strdup("/");
	else
		of->dir = strndup(path, (size_t)(slash - path));
	if (!of->path || !of->dir)
		return -ENOMEM;
	of->base = of->path + (slash ? slash - path + 1 : 0);
	if (!*of->base || !strcmp(of->base, ".") || !strcmp(of->base, "..")) {
		log_error("%s%s is a directory; give a file name", path, *path ? "" : "(empty path)");
		return -EISDIR;
	}
	return 0;
}

static void release(struct outfile *of)
{
	if (of->fd >= 0)
		close(of->fd);
	if (of->dirfd >= 0)
		close(of->dirfd);
	free(of->path);
	free(of->dir);
	free(of->tmp);
	memset(of, 0, sizeof(*of));
	of->fd = of->dirfd = -1;
}

/* A new file under a name nobody uses in the directory; of->tmp names it. */
static int create_tmp(struct outfile *of)
{
	for (int i = 0; i < TMP_TRIES; i++) {
		unsigned int rnd = 0;
		char name[40];

		if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
			rnd = (unsigned)getpid() * 2654435761u + (unsigned)i;
		snprintf(name, sizeof(name), ".ipcscope-%08x.tmp", rnd);
		of->fd = openat(of->dirfd, name, CREATE_FLAGS, 0600);
		if (of->fd >= 0) {
			of->tmp = strdup(name);
			return of->tmp ? 0 : -ENOMEM;
		}
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

/* tmp -> base: replacing the entry with force, else only when there is none. */
static int place(struct outfile *of)
{
	int err = 0;

	if (of->flags & OUTF_FORCE) {
		if (renameat(of->dirfd, of->tmp, of->dirfd, of->base))
			err = -errno;
	} else if (renameat2(of->dirfd, of->tmp, of->dirfd, of->base, RENAME_NOREPLACE)) {
		err = -errno;
		if (err == -EINVAL || err == -ENOSYS) {	/* no RENAME_NOREPLACE here: link fails on EEXIST */
			err = linkat(of->dirfd, of->tmp, of->dirfd, of->base, 0) ? -errno : 0;
			if (!err)
				unlinkat(of->dirfd, of->tmp, 0);
		}
	}
	if (err) {
		if (err == -EEXIST)
			check_existing(of);	/* says what appeared there */
		else
			log_error("cannot put %s in place: %s", of->path, strerror(-err));
		unlinkat(of->dirfd, of->tmp, 0);
	}
	free(of->tmp);
	of->tmp = NULL;
	return err;
}

int outfile_open(struct outfile *of, const char *path, unsigned flags)
{
	struct stat st;
	int err;

	memset(of, 0, sizeof(*of));
	of->fd = of->dirfd = -1;
	of->flags = flags;
	err = split_path(of, path);
	if (err)
		goto fail;
	of->dirfd = open(of->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (of->dirfd < 0) {
		err = -errno;
		log_error("cannot create %s: %s (its directory %s); nothing was traced: choose a path "
			  "in a writable directory", path, strerror(-err), of->dir);
		goto fail;
	}
	err = check_existing(of);
	if (err)
		goto fail;
	if (faccessat(AT_FDCWD, of->dir, W_OK | X_OK, AT_EACCESS)) {
		err = -errno;
		log_error("cannot create %s: %s: the directory %s is not writable by us; choose a "
			  "path in a writable directory", path, strerror(-err), of->dir);
		goto fail;
	}
	if ((flags & OUTF_NOW) && !(flags & OUTF_FORCE)) {
		/* Nothing to replace: create it at its name at once. */
		of->fd = openat(of->dirfd, of->base, CREATE_FLAGS, 0600);
		err = of->fd < 0 ? -errno : 0;
		if (err == -EEXIST) {	/* appeared since the check */
			check_existing(of);
			goto fail;
		}
	} else {
		err = create_tmp(of);
	}
	if (err) {
		log_error("cannot create %s: %s; choose a path in a writable directory", path,
			  strerror(-err));
		goto fail;
	}
	/* 0600 whatever the umask: outputs may hold captured payloads. */
	if (fchmod(of->fd, 0600) || fstat(of->fd, &st)) {
		err = -errno;
		log_error("cannot make %s private (0600): %s", path, strerror(-err));
		goto fail_unlink;
	}
	of->dev = st.st_dev;
	of->ino = st.st_ino;
	if ((flags & OUTF_NOW) && of->tmp) {
		err = place(of);
		if (err)
			goto fail;
	}
	return 0;
fail_unlink:
	unlinkat(of->dirfd, of->tmp ? of->tmp : of->base, 0);
fail:
	release(of);
	return err;
}

int outfile_commit(struct outfile *of)
{
	int err = 0;

	if (of->fd >= 0 && close(of->fd))
		err = -errno;
	of->fd = -1;
	if (err) {
		log_error("writing %s failed: %s", of->path, strerror(-err));
		outfile_abort(of);
		return err;
	}
	if (of->tmp) {
		/* What is at the name may have changed since the open. */
		err = check_existing(of);
		if (err) {
			unlinkat(of->dirfd, of->tmp, 0);
			release(of);
			return err;
		}
		err = place(of);
	}
	release(of);
	return err;
}

void outfile_abort(struct outfile *of)
{
	struct stat st;

	if (!of->path)
		return;
	if (of->tmp)
		unlinkat(of->dirfd, of->tmp, 0);
	else if (!fstatat(of->dirfd, of->base, &st, AT_SYMLINK_NOFOLLOW) &&
		 st.st_dev == of->dev && st.st_ino == of->ino)
		unlinkat(of->dirfd, of->base, 0);	/* ours, placed: nothing else */
	release(of);
}

int outfile_create(const char *path, unsigned flags)
{
	struct outfile of;
	int fd, err = outfile_open(&of, path, flags | OUTF_NOW);

	if (err)
		return err;
	fd = of.fd;
	of.fd = -1;
	release(&of);
	return fd;
}
