/* main.c - mmfs: parse the command line, open the store, mount, serve until unmounted, unwind. */
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backing.h"
#include "bdi.h"
#include "daemon.h"
#include "fs_ops.h"
#include "fs_stop.h"
#include "fs_uring.h"
#include "fs_watchdog.h"
#include "libfuse_msgs.h"
#include "options.h"
#include "store.h"

static uint64_t ram_bytes(void)
{
	long pages = sysconf(_SC_PHYS_PAGES);
	long page = sysconf(_SC_PAGESIZE);
	return pages > 0 && page > 0 ? (uint64_t)pages * (uint64_t)page : (uint64_t)1 << 30;
}

/* Backing fds are cached per segment: allow as many as the hard limit permits. */
static void raise_fd_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* One line on why the store did not open. */
static void explain_store_error(int err, const char *backing, const char *failed_entry)
{
	if (err == -ENFILE || err == -EMFILE) {
		struct rlimit rl;
		getrlimit(RLIMIT_NOFILE, &rl);
		fprintf(stderr, "mmfs: %s: holds more directories than mmfs may keep open (one descriptor each; open-file "
			"limit %llu): raise it with ulimit -n or LimitNOFILE=\n", backing, (unsigned long long)rl.rlim_cur);
	} else if (failed_entry[0] != '\0') {
		/* Whatever its errno: an EPERM here is the entry's, not the directory's. */
		fprintf(stderr, "mmfs: %s: cannot load %s: %s (move it away or repair it to start)\n", backing,
			failed_entry, strerror(-err));
	} else if (err == -EBUSY) {
		fprintf(stderr, "mmfs: %s: backing directory is in use by another mmfs\n", backing);
	} else if (err == -ELOOP || err == -ENOTDIR) {
		fprintf(stderr, "mmfs: %s: the backing path is a symlink or not a directory\n", backing);
	} else if (err == -EPERM) {
		fprintf(stderr, "mmfs: %s: refusing a backing directory owned by another user or open to others "
			"(it must be ours, mode 0700)\n", backing);
	} else {
		fprintf(stderr, "mmfs: %s: cannot use the backing directory: %s\n", backing, strerror(-err));
	}
}

static int open_store(const struct options *opts, struct fs *fs, char *backing, size_t backing_len,
		      bool *existed)
{
	if (opts->backing != NULL) {
		snprintf(backing, backing_len, "%s", opts->backing);
	} else if (backing_default_path(opts->mountpoint, geteuid(), backing, backing_len) != 0) {
		fprintf(stderr, "mmfs: %s: mountpoint path too long for a default backing directory\n",
			opts->mountpoint);
		return -1;
	}
	struct stat st;
	*existed = lstat(backing, &st) == 0;
	char failed_entry[4096] = "";
	struct store_config config = {
		.backing_dir = backing,
		.pool_bytes = opts->pool_bytes,
		.prealloc_bytes = opts->prealloc_bytes,
		.pool_nodes = opts->pool_nodes,
		.default_capacity = opts->default_capacity,
		.default_lifetime = opts->default_lifetime,
		.root_mode = opts->allow_other ? 01777 : 0755,
		.root_uid = getuid(),
		.root_gid = getgid(),
		.on_unlinked = fs_on_unlinked,
		.on_reclaim_deferred = fs_on_reclaim_deferred,
		.ctx = fs,
		.failed_entry = failed_entry,
		.failed_entry_size = sizeof(failed_entry),
	};
	int err = store_open(&config, &fs->store);
	if (err != 0) {
		explain_store_error(err, backing, failed_entry);
		return -1;
	}
	return 0;
}

static void tune_bdi(const struct options *opts)
{
	char dev[32];
	if (!opts->tune_bdi)
		return;
	if (geteuid() != 0) {
		if (opts->debug)
			fuse_log(FUSE_LOG_DEBUG, "mmfs: not root: stores through mappings keep FUSE's dirty limit\n");
		return;
	}
	int err = bdi_find(opts->mountpoint, dev, sizeof(dev));
	if (err == 0)
		err = bdi_relax(dev);
	if (err != 0)
		fuse_log(FUSE_LOG_WARNING, "mmfs: cannot relax the dirty limit of the mount: %s\n", strerror(-err));
}

static int serve(struct fs *fs, const struct options *opts)
{
	/* One thread by default: every request is answered from memory or one system call, and a second
	 * thread only adds hand-offs (scripts/bench: appends 107k/s single-threaded vs 46k/s with two). */
	unsigned threads = opts->threads != 0 ? opts->threads : 1;
	if (threads == 1)
		return fuse_session_loop(fs->se);
	struct fuse_loop_config *loop = fuse_loop_cfg_create();
	if (loop == NULL)
		return -1;
	fuse_loop_cfg_set_clone_fd(loop, 0);
	fuse_loop_cfg_set_max_threads(loop, threads);
	fuse_loop_cfg_set_idle_threads(loop, threads);
	int rc = fuse_session_loop_mt(fs->se, loop);
	fuse_loop_cfg_destroy(loop);
	return rc;
}

int main(int argc, char **argv)
{
	struct options opts;
	struct fs fs;
	char backing[4096];
	int status = 1;
	bool mounted = false;
	bool backing_existed = true;

	memset(&fs, 0, sizeof(fs));
	if (options_parse(argc, argv, ram_bytes(), &opts) != 0) {
		options_free(&opts);
		return 1;
	}
	if (opts.show_help) {
		options_usage(argv[0]);
		status = 0;
		goto out_opts;
	}
	if (opts.show_version) {
		printf("mmfs %s (libfuse %s)\n", PACKAGE_VERSION, fuse_pkgversion());
		status = 0;
		goto out_opts;
	}
	raise_fd_limit();
	/* One malloc arena for every thread: the io-uring queues' threads (fs_uring.c) create and remove
	 * segments too, and memory freed in arenas of their own would stay with the process after the
	 * segments are gone (store.c hands freed memory back with malloc_trim). */
	mallopt(M_ARENA_MAX, 1);
	fs.timeout = 86400.0;
	fs.debug = opts.debug;
	fs.max_read = opts.max_read;
	fs.splice = true;
	/* The session first: a mount option libfuse refuses must leave nothing behind, not even the
	 * backing directory. */
	libfuse_msgs_hold();
	fs.se = fuse_session_new(&opts.args, &fs_lowlevel_ops, sizeof(fs_lowlevel_ops), &fs);
	if (fs.se == NULL) {
		fprintf(stderr, "mmfs: bad mount options: %s\n", libfuse_msgs_reason());
		goto out_opts;
	}
	if (open_store(&opts, &fs, backing, sizeof(backing), &backing_existed) != 0)
		goto out_session;
	if (fs_stop_install(fs.se) != 0) {
		fprintf(stderr, "mmfs: cannot set signal handlers\n");
		goto out_store;
	}
	/* Before the mount: the kernel offers io-uring in the INIT it sends at mount time, or never. */
	fs_uring_prepare(opts.uring, opts.debug);
	if (fuse_session_mount(fs.se, opts.mountpoint) != 0) {
		fprintf(stderr, "mmfs: %s: cannot mount: %s\n", opts.mountpoint, libfuse_msgs_reason());
		goto out_store;
	}
	libfuse_msgs_release();
	mounted = true;
	fs.poll_ns = (long long)opts.poll_us * 1000;
	bool own_io = fs_poll_start(&fs) == 0;
	if (!own_io)
		fuse_log(FUSE_LOG_WARNING, "mmfs: cannot read /dev/fuse itself: no busy-poll, and O_RDWR writes "
			 "ask for security.capability each\n");
	tune_bdi(&opts);
	/* In the background, the command returns when the mount is up (the kernel took our answer to INIT:
	 * fs_poll.c tells), or with the daemon's status if it fails before. */
	fs.on_mounted = daemon_ready;
	if (!opts.foreground) {
		int err = daemon_detach();
		if (err != 0) {
			fprintf(stderr, "mmfs: cannot go to the background: %s\n", strerror(-err));
			goto out_unmount;
		}
	}
	/* Before the notifier thread: the watchdog is forked while this is the only thread. */
	int watch_err = fs_watchdog_start(opts.mountpoint, fuse_session_fd(fs.se));
	if (watch_err != 0)
		fuse_log(FUSE_LOG_WARNING, "mmfs: no watchdog (%s): if mmfs is killed while it removes a transient "
			 "segment, abort the connection in /sys/fs/fuse/connections by hand\n", strerror(-watch_err));
	if (fs_notifier_start(&fs) != 0) {
		fuse_log(FUSE_LOG_ERR, "mmfs: cannot start the notifier thread\n");
		goto out_unmount;
	}
	int stop_err = fs_stop_start(opts.mountpoint, own_io);
	if (stop_err != 0)
		fuse_log(FUSE_LOG_WARNING, "mmfs: no thread for a clean stop (%s): a signal stops mmfs at once, and "
			 "stores into segments still mapped then are lost\n", strerror(-stop_err));
	/* Every backing object is made with an explicit mode, and a regular file's backing inode carries the
	 * segment's own permission bits (meta.h): the umask of the shell that started us must not change them.
	 * Set only now, so that fusermount3 above ran with the caller's. */
	umask(0);
	/* Without our own writing (own_io false), nobody sees INIT's answer: the command returns now, as with
	 * libfuse's fuse_daemonize. */
	if (!own_io)
		daemon_ready();
	/* The loop ends with 0 when the kernel ends the connection (unmounted, also after a signal: fs_stop.c) and
	 * when a second signal ends it; an error reading /dev/fuse is a failure. */
	int rc = serve(&fs, &opts);
	status = rc == 0 ? 0 : 1;
	fs_stop_end_connection();
	fs_uring_stop();
	fs_notifier_stop(&fs);
out_unmount:
	fs_stop_unmount(fs.se);
out_store:
	store_close(fs.store);
	/* A mount that never came up leaves no empty backing directory of its own making behind. */
	if (!mounted && !backing_existed)
		rmdir(backing);
out_session:
	fs_stop_quiet();
	/* Closes /dev/fuse: a syncfs of the stop thread's still waiting for the loop fails, and the thread ends. */
	fuse_session_destroy(fs.se);
	fs_stop_end();
out_opts:
	libfuse_msgs_release();
	options_free(&opts);
	return status;
}
