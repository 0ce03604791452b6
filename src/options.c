/* options.c - parsing and validating mmfs's command line with fuse_opt, one clear message per mistake. */
#include "options.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "bdi.h"
#include "libfuse_msgs.h"
#include "size.h"

/* The raw text of each -o option; validated after parsing, so each mistake gets its own message. */
struct raw {
	char *backing;
	char *size;
	char *nr_segments;
	char *capacity;
	char *lifetime;
	char *threads;
	char *bdi;
	char *uring;
	char *poll;
	char *max_read;
	char *prealloc;
	char *positional[3];
	int npositional;
	int foreground;
	int debug;
	int single;
	int allow_other;
	int help;
	int version;
	int bad_option;
};

enum {
	KEY_FOREGROUND,
	KEY_DEBUG,
	KEY_SINGLE,
	KEY_HELP,
	KEY_VERSION,
	KEY_ALLOW_OTHER,
	KEY_DROP,
};

#define RAW(field) offsetof(struct raw, field)

static const struct fuse_opt specs[] = {
	{ "backing=%s", RAW(backing), 0 },
	{ "size=%s", RAW(size), 0 },
	{ "nr_segments=%s", RAW(nr_segments), 0 },
	{ "capacity=%s", RAW(capacity), 0 },
	{ "lifetime=%s", RAW(lifetime), 0 },
	{ "threads=%s", RAW(threads), 0 },
	{ "bdi=%s", RAW(bdi), 0 },
	{ "uring=%s", RAW(uring), 0 },
	{ "poll=%s", RAW(poll), 0 },
	{ "prealloc=%s", RAW(prealloc), 0 },
	/* Validated here, then passed on: op_init must ask the kernel for the same value libfuse mounted with. */
	{ "max_read=%s", RAW(max_read), 0 },
	FUSE_OPT_KEY("max_read=", FUSE_OPT_KEY_KEEP),
	FUSE_OPT_KEY("-f", KEY_FOREGROUND),
	FUSE_OPT_KEY("-d", KEY_DEBUG),
	FUSE_OPT_KEY("debug", KEY_DEBUG),
	FUSE_OPT_KEY("-s", KEY_SINGLE),
	FUSE_OPT_KEY("-h", KEY_HELP),
	FUSE_OPT_KEY("--help", KEY_HELP),
	FUSE_OPT_KEY("-V", KEY_VERSION),
	FUSE_OPT_KEY("--version", KEY_VERSION),
	FUSE_OPT_KEY("allow_other", KEY_ALLOW_OTHER),
	/* mount(8) and fstab add these; they mean nothing to a FUSE daemon. */
	FUSE_OPT_KEY("auto", KEY_DROP),
	FUSE_OPT_KEY("noauto", KEY_DROP),
	FUSE_OPT_KEY("user", KEY_DROP),
	FUSE_OPT_KEY("nouser", KEY_DROP),
	FUSE_OPT_KEY("users", KEY_DROP),
	FUSE_OPT_KEY("_netdev", KEY_DROP),
	FUSE_OPT_KEY("nofail", KEY_DROP),
	FUSE_OPT_KEY("defaults", KEY_DROP),
	/* mmfs never changes an access time on its own (only utimensat does; reads leave atime alone, as with
	 * noatime), so the atime policies have nothing to choose between; libfuse 3.14 would refuse most. */
	FUSE_OPT_KEY("atime", KEY_DROP),
	FUSE_OPT_KEY("noatime", KEY_DROP),
	FUSE_OPT_KEY("relatime", KEY_DROP),
	FUSE_OPT_KEY("norelatime", KEY_DROP),
	FUSE_OPT_KEY("strictatime", KEY_DROP),
	FUSE_OPT_KEY("nostrictatime", KEY_DROP),
	FUSE_OPT_KEY("lazytime", KEY_DROP),
	FUSE_OPT_KEY("nolazytime", KEY_DROP),
	FUSE_OPT_KEY("diratime", KEY_DROP),
	FUSE_OPT_KEY("nodiratime", KEY_DROP),
	FUSE_OPT_END
};

/* Mount options that libfuse 3.14 and the kernel accept for mmfs (each tried on a real mount). Checked here
 * so that a mistake gets one clear line from mmfs before anything is opened. blkdev and blksize= are for
 * block-device file systems (fuseblk) and fail at mount time, so they count as unknown. */
static bool is_libfuse_option(const char *opt)
{
	static const char *const exact[] = {
		"allow_root", "default_permissions", "auto_unmount", "ro", "rw", "suid", "nosuid", "dev",
		"nodev", "exec", "noexec", "async", "sync", "dirsync", NULL,
	};
	static const char *const prefixes[] = {
		"fsname=", "context=", "fscontext=", "defcontext=", "rootcontext=", NULL,
	};
	for (size_t i = 0; exact[i] != NULL; i++) {
		if (strcmp(opt, exact[i]) == 0)
			return true;
	}
	for (size_t i = 0; prefixes[i] != NULL; i++) {
		if (strncmp(opt, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	}
	return false;
}

/* One line "mmfs: ..." on standard error. */
static void vsay(const char *fmt, va_list ap)
{
	fprintf(stderr, "mmfs: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

/* Reports the first refused option only: one line per mistaken command. Returns 0 (fuse_opt: drop it). */
__attribute__((format(printf, 2, 3)))
static int refuse(struct raw *raw, const char *fmt, ...)
{
	if (!raw->bad_option) {
		va_list ap;
		va_start(ap, fmt);
		vsay(fmt, ap);
		va_end(ap);
	}
	raw->bad_option = 1;
	return 0;
}

static int on_option(void *data, const char *arg, int key, struct fuse_args *outargs)
{
	struct raw *raw = data;
	(void)outargs;
	switch (key) {
	case KEY_FOREGROUND:
		raw->foreground = 1;
		return 0;
	case KEY_DEBUG:
		raw->debug = 1;
		raw->foreground = 1;
		return 1; /* libfuse prints requests too */
	case KEY_SINGLE:
		raw->single = 1;
		return 0;
	case KEY_HELP:
		raw->help = 1;
		return 0;
	case KEY_VERSION:
		raw->version = 1;
		return 0;
	case KEY_ALLOW_OTHER:
		raw->allow_other = 1;
		return 1;
	case KEY_DROP:
		return 0;
	case FUSE_OPT_KEY_NONOPT:
		if (raw->npositional >= 3)
			return -1;
		raw->positional[raw->npositional++] = strdup(arg);
		return 0;
	default:
		if (strncmp(arg, "x-", 2) == 0)
			return 0; /* x-systemd.* and friends from fstab are for other programs */
		if (strncmp(arg, "-o", 2) == 0 || arg[0] != '-') {
			const char *opt = strncmp(arg, "-o", 2) == 0 ? arg + 2 : arg;
			if (opt[0] == '\0')
				return 0; /* "-o a,,b" or a trailing comma: nothing was asked */
			/* mmf and the restart after a crash find mmfs's mounts by their type. mount.fuse3 passes the
			 * type's own subtype from fstab: that one is welcome. */
			if (strncmp(opt, "subtype=", 8) == 0)
				return strcmp(opt + 8, "mmfs") == 0 ? 0 :
					refuse(raw, "-o %s: the type is always fuse.mmfs (mmf finds mounts by it)", opt);
			/* mount(8) runs the helper again for `mount -o remount`: say what to do instead. */
			if (strcmp(opt, "remount") == 0)
				return refuse(raw, "-o remount: a mounted mmfs cannot be changed in place; unmount it and "
					      "mount it again (persistent segments stay)");
			if (is_libfuse_option(opt))
				return 1;
			return refuse(raw, "unknown option -o %s (see mmfs --help)", opt);
		}
		return refuse(raw, "unknown option %s (see mmfs --help)", arg);
	}
}

__attribute__((format(printf, 1, 2)))
static int bad(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
	return -1;
}

/* -o name=value where value is one of two words: *out is whether it is the first. */
static int parse_choice(const char *name, const char *value, const char *first, const char *second, bool *out)
{
	if (strcmp(value, first) == 0)
		*out = true;
	else if (strcmp(value, second) == 0)
		*out = false;
	else
		return bad("-o %s=%s must be %s or %s", name, value, first, second);
	return 0;
}

static int parse_size_option(const char *name, const char *text, uint64_t ram_bytes, bool allow_zero,
			     uint64_t *out)
{
	int err = size_parse(text, ram_bytes, out);
	if (err == -ERANGE) {
		fprintf(stderr, "mmfs: -o %s=%s is too large\n", name, text);
		return -1;
	}
	if (err != 0) {
		fprintf(stderr, "mmfs: -o %s=%s is not a size (use bytes with k, m, g or t%s)\n", name, text,
			ram_bytes ? ", or a percentage of RAM" : "");
		return -1;
	}
	if (*out == 0 && !allow_zero) {
		fprintf(stderr, "mmfs: -o %s=%s must be more than zero\n", name, text);
		return -1;
	}
	return 0;
}

/* Digits only: a count with a k suffix or a sign is more likely a slip than a wish. */
static bool parse_digits(const char *text, uint64_t max, uint64_t *out)
{
	uint64_t value = 0;
	if (text[0] == '\0')
		return false;
	for (const char *p = text; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return false;
		unsigned digit = (unsigned)(*p - '0');
		if (value > (max - digit) / 10)
			return false;
		value = value * 10 + digit;
	}
	*out = value;
	return true;
}

static int parse_count(const char *name, const char *text, uint64_t max, uint64_t *out)
{
	uint64_t value;
	if (!parse_digits(text, max, &value) || value == 0) {
		fprintf(stderr, "mmfs: -o %s=%s must be a whole number from 1 to %llu\n", name, text,
			(unsigned long long)max);
		return -1;
	}
	*out = value;
	return 0;
}

static int validate(struct raw *raw, uint64_t ram_bytes, struct options *out)
{
	uint64_t value;
	out->pool_bytes = ram_bytes / 2;
	out->pool_nodes = ram_bytes / 4096 / 2;
	out->default_capacity = META_UNLIMITED;
	out->default_lifetime = LIFETIME_PERSISTENT;
	out->threads = 0;
	out->tune_bdi = true;
	out->uring = true;
	out->prealloc_bytes = PREALLOC_DEFAULT;
	if (raw->size != NULL && parse_size_option("size", raw->size, ram_bytes, false, &out->pool_bytes) != 0)
		return -1;
	if (raw->nr_segments != NULL &&
	    parse_count("nr_segments", raw->nr_segments, UINT32_MAX, &out->pool_nodes) != 0)
		return -1;
	if (raw->capacity != NULL && strcmp(raw->capacity, "unlimited") != 0 &&
	    parse_size_option("capacity", raw->capacity, 0, false, &out->default_capacity) != 0)
		return -1;
	if (raw->lifetime != NULL &&
	    lifetime_parse(raw->lifetime, strlen(raw->lifetime), &out->default_lifetime) != 0)
		return bad("-o lifetime=%s must be persistent or transient", raw->lifetime);
	if (raw->threads != NULL) {
		if (parse_count("threads", raw->threads, 64, &value) != 0)
			return -1;
		out->threads = (unsigned)value;
	}
	if (raw->single)
		out->threads = 1;
	out->poll_us = 50;
	if (raw->poll != NULL) {
		if (!parse_digits(raw->poll, 10000, &value))
			return bad("-o poll=%s must be microseconds from 0 to 10000", raw->poll);
		out->poll_us = (unsigned)value;
	}
	if (raw->max_read != NULL) {
		if (parse_count("max_read", raw->max_read, UINT32_MAX, &value) != 0)
			return -1;
		out->max_read = (unsigned)value;
	}
	if (raw->prealloc != NULL) {
		if (parse_size_option("prealloc", raw->prealloc, 0, true, &out->prealloc_bytes) != 0)
			return -1;
		if (out->prealloc_bytes > PREALLOC_MAX)
			return bad("-o prealloc=%s is too large (at most 1g)", raw->prealloc);
	}
	if (raw->bdi != NULL && parse_choice("bdi", raw->bdi, "tune", "keep", &out->tune_bdi) != 0)
		return -1;
	if (raw->uring != NULL && parse_choice("uring", raw->uring, "auto", "off", &out->uring) != 0)
		return -1;
	if (raw->backing != NULL) {
		if (raw->backing[0] == '\0')
			return bad("-o backing= needs a directory");
		out->backing = strdup(raw->backing);
	}
	return 0;
}

/* mount(8) runs "mmfs SOURCE MOUNTPOINT -o ...": with two positionals the first is the source. */
static int take_mountpoint(struct raw *raw, struct options *out)
{
	struct stat st;
	if (raw->npositional == 0)
		return bad("no mountpoint given (see mmfs --help)");
	if (raw->npositional > 2)
		return bad("too many arguments: %s", raw->positional[2]);
	const char *path = raw->positional[raw->npositional - 1];
	char resolved[PATH_MAX];
	if (realpath(path, resolved) == NULL) {
		int err = errno;
		/* Another user's FUSE mount, or a dead one, cannot be entered: say what it is. */
		char absolute[PATH_MAX];
		int n = -1;
		if (path[0] == '/')
			n = snprintf(absolute, sizeof(absolute), "%s", path);
		else if (getcwd(resolved, sizeof(resolved)) != NULL)
			n = snprintf(absolute, sizeof(absolute), "%s/%s", resolved, path);
		if (n < 0 || (size_t)n >= sizeof(absolute))
			absolute[0] = '\0';
		bool ours = absolute[0] != '\0' && bdi_mounted_here(absolute);
		/* The mount of an mmfs that died answers ENOTCONN: starting again is how users recover, so clear
		 * it away first, as they would with fusermount3 -u. */
		if (ours && err == ENOTCONN && bdi_detach(absolute) == 0) {
			fprintf(stderr, "mmfs: %s: removed the mount of an mmfs that had died\n", path);
			return take_mountpoint(raw, out);
		}
		if (ours)
			return bad("%s: an mmfs is already mounted there", path);
		if (err == ENOTCONN)
			return bad("%s: a dead mount is there (unmount it with fusermount3 -u)", path);
		if (err == ENOENT)
			return bad("%s: mountpoint does not exist", path);
		return bad("%s: cannot use the mountpoint: %s", path, strerror(err));
	}
	if (bdi_mounted_here(resolved)) {
		/* statfs always asks the daemon (stat may be answered from the kernel's cache). */
		struct statvfs sv;
		if (statvfs(resolved, &sv) != 0 && errno == ENOTCONN && bdi_detach(resolved) == 0) {
			fprintf(stderr, "mmfs: %s: removed the mount of an mmfs that had died\n", path);
			return take_mountpoint(raw, out);
		}
		return bad("%s: an mmfs is already mounted there", path);
	}
	if (stat(resolved, &st) != 0)
		return bad("%s: cannot use the mountpoint: %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return bad("%s: mountpoint is not a directory", path);
	out->mountpoint = strdup(resolved);
	return out->mountpoint == NULL ? -1 : 0;
}

static void raw_free(struct raw *raw)
{
	free(raw->backing);
	free(raw->size);
	free(raw->nr_segments);
	free(raw->capacity);
	free(raw->lifetime);
	free(raw->threads);
	free(raw->bdi);
	free(raw->uring);
	free(raw->poll);
	free(raw->max_read);
	free(raw->prealloc);
	for (int i = 0; i < raw->npositional; i++)
		free(raw->positional[i]);
}

int options_parse(int argc, char **argv, uint64_t ram_bytes, struct options *out)
{
	struct raw raw;
	int rc = -1;
	memset(&raw, 0, sizeof(raw));
	memset(out, 0, sizeof(*out));
	out->args = (struct fuse_args)FUSE_ARGS_INIT(argc, argv);
	libfuse_msgs_hold();
	int parsed = fuse_opt_parse(&out->args, &raw, specs, on_option);
	libfuse_msgs_release();
	if (parsed != 0) {
		if (!raw.bad_option)
			fprintf(stderr, "mmfs: %s (see mmfs --help)\n", libfuse_msgs_reason());
		goto out;
	}
	if (raw.bad_option)
		goto out;
	out->show_help = raw.help;
	out->show_version = raw.version;
	if (raw.help || raw.version) {
		rc = 0;
		goto out;
	}
	out->foreground = raw.foreground;
	out->debug = raw.debug;
	out->allow_other = raw.allow_other;
	if (validate(&raw, ram_bytes, out) != 0 || take_mountpoint(&raw, out) != 0)
		goto out;
	/* The kernel checks permissions from the modes we report: that is what makes sharing safe. */
	/* Inserted first, so that a user's own fsname= later on the line wins (a subtype= can only be mmfs). */
	if (fuse_opt_insert_arg(&out->args, 1, "-odefault_permissions,fsname=mmfs,subtype=mmfs") != 0)
		goto out;
	rc = 0;
out:
	raw_free(&raw);
	return rc;
}

void options_free(struct options *opts)
{
	free(opts->mountpoint);
	free(opts->backing);
	fuse_opt_free_args(&opts->args);
}

void options_usage(const char *progname)
{
	printf("usage: %s [options] [SOURCE] MOUNTPOINT    (SOURCE, from mount(8) and fstab, is ignored)\n"
	       "Named shared memory as files: every regular file under MOUNTPOINT is a memory segment.\n\n"
	       "    -h, --help             print this help and exit\n"
	       "    -V, --version          print the version and exit\n"
	       "    -f                     stay in the foreground\n"
	       "    -d, -o debug           print every request (implies -f)\n"
	       "    -s                     single-threaded (same as -o threads=1)\n"
	       "    -o backing=DIR         directory of the backing files (default /dev/shm/mmfs-UID-MOUNTPOINT)\n"
	       "    -o size=N              pool size: bytes with k/m/g/t, or N%% of RAM (default 50%%)\n"
	       "    -o nr_segments=N       most files, directories and links (default: RAM pages / 2)\n"
	       "    -o capacity=N          default capacity of new segments (default unlimited)\n"
	       "    -o lifetime=L          default lifetime of new segments: persistent or transient\n"
	       "    -o threads=N           worker threads (default 1: fastest on small machines)\n"
	       "    -o poll=USEC           after each request, poll this long for the next before sleeping\n"
	       "                           (default 50; 0 never polls)\n"
	       "    -o prealloc=N          allocate up to N ahead of a segment written sequentially in large\n"
	       "                           writes, given back at its last close (default 8m; 0 never;\n"
	       "                           only where the backing directory is on tmpfs)\n"
	       "    -o bdi=tune|keep       let stores through mappings use the normal dirty limit (tune,\n"
	       "                           root only, default) or keep the kernel's FUSE default\n"
	       "    -o uring=auto|off      serve requests through FUSE-over-io-uring, a queue per CPU, where\n"
	       "                           the kernel offers it (auto, default; as root mmfs turns on the fuse\n"
	       "                           module's enable_uring) or always through /dev/fuse (off)\n"
	       "    -o allow_other         (root) share with every user; the root becomes mode 1777\n"
	       "    -o allow_root          share with root as well as the mounting user\n"
	       "    -o auto_unmount        unmount when mmfs exits, even if it is killed\n"
	       "    -o max_read=N          most bytes one read request may ask for\n"
	       "    -o fsname=NAME         the name mount and df show (default mmfs)\n"
	       "    -o ro, rw, nosuid, suid, nodev, dev, noexec, exec, sync, async, dirsync\n"
	       "                           the generic mount options, passed to the kernel\n"
	       "    -o noatime, relatime, strictatime, lazytime and the like are accepted and change\n"
	       "                           nothing: mmfs never changes an access time on its own\n"
	       "    -o auto, noauto, user, users, nouser, _netdev, nofail, defaults, x-*\n"
	       "                           accepted for fstab(5) and ignored\n",
	       progname);
}
