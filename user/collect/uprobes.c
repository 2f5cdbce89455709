/* uprobes.c - attach the lock uprobes to each traced process's libc (see uprobes.h). */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "collect/uprobes.h"
#include "ipcscope_abi.h"
#include "log.h"
#include "util/escape.h"

static const char *const fn_names[IPCS_LOCKF_MAX] = {
	[IPCS_LOCKF_MUTEX_LOCK] = "pthread_mutex_lock",
	[IPCS_LOCKF_MUTEX_TRYLOCK] = "pthread_mutex_trylock",
	[IPCS_LOCKF_MUTEX_TIMEDLOCK] = "pthread_mutex_timedlock",
	[IPCS_LOCKF_MUTEX_CLOCKLOCK] = "pthread_mutex_clocklock",
	[IPCS_LOCKF_MUTEX_UNLOCK] = "pthread_mutex_unlock",
	[IPCS_LOCKF_RW_RDLOCK] = "pthread_rwlock_rdlock",
	[IPCS_LOCKF_RW_TRYRDLOCK] = "pthread_rwlock_tryrdlock",
	[IPCS_LOCKF_RW_TIMEDRDLOCK] = "pthread_rwlock_timedrdlock",
	[IPCS_LOCKF_RW_CLOCKRDLOCK] = "pthread_rwlock_clockrdlock",
	[IPCS_LOCKF_RW_WRLOCK] = "pthread_rwlock_wrlock",
	[IPCS_LOCKF_RW_TRYWRLOCK] = "pthread_rwlock_trywrlock",
	[IPCS_LOCKF_RW_TIMEDWRLOCK] = "pthread_rwlock_timedwrlock",
	[IPCS_LOCKF_RW_CLOCKWRLOCK] = "pthread_rwlock_clockwrlock",
	[IPCS_LOCKF_RW_UNLOCK] = "pthread_rwlock_unlock",
	[IPCS_LOCKF_SEM_WAIT] = "sem_wait",
	[IPCS_LOCKF_SEM_TRYWAIT] = "sem_trywait",
	[IPCS_LOCKF_SEM_TIMEDWAIT] = "sem_timedwait",
	[IPCS_LOCKF_SEM_CLOCKWAIT] = "sem_clockwait",
	[IPCS_LOCKF_SEM_POST] = "sem_post",
	[IPCS_LOCKF_COND_WAIT] = "pthread_cond_wait",
	[IPCS_LOCKF_COND_TIMEDWAIT] = "pthread_cond_timedwait",
	[IPCS_LOCKF_COND_CLOCKWAIT] = "pthread_cond_clockwait",
};

const char *lock_fn_name(unsigned fn)
{
	return fn < IPCS_LOCKF_MAX && fn_names[fn] ? fn_names[fn] : "";
}

/* One libc file: the file offset of every lock function (0: absent). */
struct libc_file {
	dev_t dev;
	ino_t ino;
	size_t off[IPCS_LOCKF_MAX];
};

struct pid_probes {
	pid_t pid;
	dev_t dev;		/* the libc attached */
	ino_t ino;
	struct bpf_link *links[2 * IPCS_LOCKF_MAX];
};

struct lock_probes {
	struct bpf_program *enter, *exit;
	struct libc_file *libcs;
	size_t nlibcs;
	struct pid_probes *pids;
	size_t npids, cap;
};

int lock_probes_new(struct bpf_program *enter, struct bpf_program *exit, struct lock_probes **out)
{
	struct lock_probes *lp = calloc(1, sizeof(*lp));

	if (!lp)
		return -ENOMEM;
	lp->enter = enter;
	lp->exit = exit;
	*out = lp;
	return 0;
}

static void detach(struct pid_probes *p)
{
	for (size_t i = 0; i < 2 * IPCS_LOCKF_MAX; i++) {
		bpf_link__destroy(p->links[i]);
		p->links[i] = NULL;
	}
}

void lock_probes_free(struct lock_probes *lp)
{
	if (!lp)
		return;
	for (size_t i = 0; i < lp->npids; i++)
		detach(&lp->pids[i]);
	free(lp->pids);
	free(lp->libcs);
	free(lp);
}

size_t lock_probes_count(const struct lock_probes *lp)
{
	return lp ? lp->npids : 0;
}

/* vaddr -> file offset through the PT_LOAD segment that holds it. */
static size_t file_offset(Elf *e, GElf_Addr vaddr)
{
	size_t n;
	GElf_Phdr ph;

	if (elf_getphdrnum(e, &n))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_LOAD && vaddr >= ph.p_vaddr &&
		    vaddr < ph.p_vaddr + ph.p_memsz)
			return vaddr - ph.p_vaddr + ph.p_offset;
	return 0;
}

/* Every lock function's default version in .dynsym (pthread_cond_wait has an
 * old compat version at another address: the default is what programs link). */
static int resolve(const char *path, struct libc_file *lf)
{
	Elf_Data *syms = NULL, *vers = NULL;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	size_t strndx = 0, nsyms = 0, found = 0;
	int fd, err = 0;
	Elf *e;

	elf_version(EV_CURRENT);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e) {
		close(fd);
		return -EINVAL;
	}
	while ((scn = elf_nextscn(e, scn))) {
		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_DYNSYM) {
			syms = elf_getdata(scn, NULL);
			strndx = sh.sh_link;
			nsyms = sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0;
		} else if (sh.sh_type == SHT_GNU_versym) {
			vers = elf_getdata(scn, NULL);
		}
	}
	for (size_t i = 0; syms && i < nsyms; i++) {
		GElf_Sym s;
		GElf_Versym v = 0;
		const char *name;

		if (!gelf_getsym(syms, (int)i, &s) || GELF_ST_TYPE(s.st_info) != STT_FUNC ||
		    s.st_shndx == SHN_UNDEF || !(name = elf_strptr(e, strndx, s.st_name)))
			continue;
		if (vers && gelf_getversym(vers, (int)i, &v) && (v & 0x8000))
			continue;	/* hidden: a compat version */
		for (unsigned fn = 1; fn < IPCS_LOCKF_MAX; fn++)
			if (!lf->off[fn] && !strcmp(name, fn_names[fn])) {
				lf->off[fn] = file_offset(e, s.st_value);
				found += lf->off[fn] != 0;
			}
	}
	if (!found)
		err = -ENOENT;
	elf_end(e);
	close(fd);
	return err;
}

static struct libc_file *libc_of(struct lock_probes *lp, const char *path, const struct stat *st)
{
	struct libc_file *lf, *v;

	for (size_t i = 0; i < lp->nlibcs; i++)
		if (lp->libcs[i].dev == st->st_dev && lp->libcs[i].ino == st->st_ino)
			return &lp->libcs[i];
	v = realloc(lp->libcs, (lp->nlibcs + 1) * sizeof(*v));
	if (!v)
		return NULL;
	lp->libcs = v;
	lf = &v[lp->nlibcs];
	memset(lf, 0, sizeof(*lf));
	lf->dev = st->st_dev;
	lf->ino = st->st_ino;
	if (resolve(path, lf))
		return NULL;
	lp->nlibcs++;
	return lf;
}

static bool name_is_libc(const char *base)
{
	return !strncmp(base, "libc.so", 7) || (!strncmp(base, "libc-", 5) && base[5] >= '0' && base[5] <= '9');
}

/* PT_INTERP of the process's executable ("" when static). */
static int exe_interp(const char *proc, pid_t pid, char *out, size_t len)
{
	char path[PATH_MAX];
	size_t n;
	GElf_Phdr ph;
	int fd, err = -ENOENT;
	Elf *e;

	snprintf(path, sizeof(path), "%s/%d/exe", proc, (int)pid);
	elf_version(EV_CURRENT);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	out[0] = '\0';
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (e && !elf_getphdrnum(e, &n)) {
		err = 0;
		for (size_t i = 0; i < n; i++) {
			size_t l;
			char *raw;

			if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_INTERP)
				continue;
			raw = elf_rawfile(e, &l);
			if (raw && ph.p_offset < l && ph.p_filesz > 0 && ph.p_filesz <= l - ph.p_offset)
				snprintf(out, len, "%.*s", (int)ph.p_filesz, raw + ph.p_offset);
		}
	}
	if (e)
		elf_end(e);
	close(fd);
	return err;
}

int lock_probes_find_libc(const char *proc, pid_t pid, char *path, size_t len, const char **why,
			  char *what, size_t whatlen)
{
	char line[PATH_MAX + 256], interp[PATH_MAX], real[PATH_MAX], *p, *base;
	FILE *f;

	*why = NULL;
	what[0] = '\0';
	snprintf(line, sizeof(line), "%s/%d/maps", proc, (int)pid);
	f = fopen(line, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		p = strchr(line, '/');
		if (!p)
			continue;
		base = strrchr(p, '/') + 1;
		if (name_is_libc(base)) {
			fclose(f);
			snprintf(path, len, "%s/%d/root%s", proc, (int)pid, p);
			return 0;
		}
		if (!strncmp(base, "ld-musl", 7) || !strncmp(base, "libc.musl", 9)) {
			fclose(f);
			*why = "another libc";
			snprintf(what, whatlen, "%s", p);
			return -ENOENT;
		}
	}
	fclose(f);
	/* Not mapped yet (just exec'd, or still held before exec): glibc's loader
	 * will map the libc.so.6 that sits next to it. */
	if (exe_interp(proc, pid, interp, sizeof(interp)))
		return -ESRCH;
	if (!interp[0]) {
		ssize_t n;

		snprintf(line, sizeof(line), "%s/%d/exe", proc, (int)pid);
		n = readlink(line, what, whatlen - 1);
		what[n > 0 ? n : 0] = '\0';
		*why = "static binary";
		return -ENOENT;
	}
	base = strrchr(interp, '/');
	if (!base || strncmp(base + 1, "ld-linux", 8)) {
		*why = "another libc";
		snprintf(what, whatlen, "%s", interp);
		return -ENOENT;
	}
	snprintf(line, sizeof(line), "%s/%d/root%s", proc, (int)pid, interp);
	if (!realpath(line, real))
		return -errno;
	snprintf(path, len, "%s/libc.so.6", dirname(real));
	return 0;
}

static struct pid_probes *pid_slot(struct lock_probes *lp, pid_t pid, bool add)
{
	struct pid_probes *v;

	for (size_t i = 0; i < lp->npids; i++)
		if (lp->pids[i].pid == pid)
			return &lp->pids[i];
	if (!add)
		return NULL;
	if (lp->npids == lp->cap) {
		size_t cap = lp->cap ? 2 * lp->cap : 8;

		v = realloc(lp->pids, cap * sizeof(*v));
		if (!v)
			return NULL;
		lp->pids = v;
		lp->cap = cap;
	}
	v = &lp->pids[lp->npids++];
	memset(v, 0, sizeof(*v));
	v->pid = pid;
	return v;
}

static void notice(pid_t pid, const char *why, const char *what)
{
	char esc[PATH_MAX * 4];

	esc_term(what, strlen(what), esc, sizeof(esc));
	log_warn("--locks: pid %d skipped (%s%s%s): its locks are not traced", (int)pid, why,
		 esc[0] ? " " : "", esc);
}

int lock_probes_add(struct lock_probes *lp, pid_t pid)
{
	LIBBPF_OPTS(bpf_uprobe_opts, uo);
	char path[PATH_MAX], what[PATH_MAX];
	const char *why;
	struct libc_file *lf;
	struct pid_probes *pp;
	struct stat st;
	unsigned fn;
	int err;

	err = lock_probes_find_libc("/proc", pid, path, sizeof(path), &why, what, sizeof(what));
	if (err == -ENOENT && why) {
		notice(pid, why, what);
		lock_probes_del(lp, pid);
		return err;
	}
	if (err)
		return err;
	if (stat(path, &st))
		return -errno;
	pp = pid_slot(lp, pid, false);
	if (pp && pp->dev == st.st_dev && pp->ino == st.st_ino)
		return 0;	/* the same libc after an exec: the probes stay */
	lf = libc_of(lp, path, &st);
	if (!lf) {
		notice(pid, "no lock functions in", path);
		return -ENOENT;
	}
	pp = pid_slot(lp, pid, true);
	if (!pp)
		return -ENOMEM;
	detach(pp);
	pp->dev = st.st_dev;
	pp->ino = st.st_ino;
	for (fn = 1; fn < IPCS_LOCKF_MAX; fn++) {
		if (!lf->off[fn])
			continue;
		uo.bpf_cookie = fn;
		uo.retprobe = false;
		pp->links[2 * fn] = bpf_program__attach_uprobe_opts(lp->enter, pid, path, lf->off[fn], &uo);
		if (!pp->links[2 * fn])
			goto fail;
		uo.retprobe = true;
		pp->links[2 * fn + 1] = bpf_program__attach_uprobe_opts(lp->exit, pid, path, lf->off[fn], &uo);
		if (!pp->links[2 * fn + 1])
			goto fail;
	}
	log_info("--locks: pid %d: uprobes on %s", (int)pid, path);
	return 0;
fail:
	err = -errno;
	log_warn("--locks: pid %d: cannot attach a uprobe to %s: %s", (int)pid, lock_fn_name(fn), strerror(-err));
	lock_probes_del(lp, pid);
	return err;
}

void lock_probes_del(struct lock_probes *lp, pid_t pid)
{
	struct pid_probes *pp = lp ? pid_slot(lp, pid, false) : NULL;

	if (!pp)
		return;
	detach(pp);
	*pp = lp->pids[--lp->npids];
}
