/*
 * outfile.h - every file ipcscope writes (recordings, merges, exports, stat -o)
 * is made here: a new 0600 inode of ours, created O_EXCL|O_NOFOLLOW under a
 * temporary name in the target directory and renamed into place. So --force
 * replaces the directory entry and never writes into an existing inode (a file
 * someone planted in a sticky /tmp never receives our data), and nothing that
 * is not a regular file (a FIFO, a device) is ever opened.
 */
#ifndef IPCS_OUTFILE_H
#define IPCS_OUTFILE_H

#include <stdbool.h>
#include <sys/types.h>

#define OUTF_FORCE	0x1	/* replace an existing regular file (its directory entry) */
#define OUTF_FOREIGN	0x2	/* with OUTF_FORCE: also one owned by another user */
#define OUTF_NOW	0x4	/* in place at once (a recording: readable while written and
				 * after a crash); else at outfile_commit, the old file kept
				 * until then */

struct outfile {
	char *path;		/* the name asked for */
	char *dir;		/* its directory (for messages) */
	char *tmp;		/* the temporary name in dir while not in place; NULL once placed */
	const char *base;	/* last component of path */
	int dirfd;
	int fd;			/* O_WRONLY; the caller may take it (then sets fd = -1) */
	unsigned flags;
	dev_t dev;		/* our inode, to remove only ours on abort */
	ino_t ino;
};

/*
 * Create the output for path. Refuses (with a message that says what to do)
 * a symlink, a directory or any non-regular file at path, an existing file
 * without OUTF_FORCE, another user's file without OUTF_FOREIGN, a directory
 * we cannot write. Returns 0 or -errno; of is zeroed on failure.
 */
int outfile_open(struct outfile *of, const char *path, unsigned flags);
/* outfile_open with OUTF_NOW: the new file's fd (in place already), or -errno (logged). */
int outfile_create(const char *path, unsigned flags);
/* Close the fd (unless taken), put the file in place. 0 or -errno (logged). */
int outfile_commit(struct outfile *of);
/* Give up: close and remove what we created (only our own inode). */
void outfile_abort(struct outfile *of);

#endif
