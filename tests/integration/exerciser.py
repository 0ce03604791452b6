#!/usr/bin/env python3
"""exerciser.py - a seeded, long mixed-operation run against a mounted mmfs, checked against an in-memory model.

  exerciser.py run MNT MODEL SEED WORKERS OPS [--sync]
      WORKERS processes, each owning the namespace MNT/wN (segments s0..s9 and d/s0..d/s5), do OPS random
      operations each: pwrite, O_APPEND write, truncate/ftruncate, stores through MAP_SHARED mappings, renames
      (replacing or not, across the two directories), creates, unlinks, capacity changes (user.mmf.capacity, with
      EFBIG expected past it), fsync, reads checked against the model, through descriptors kept open across
      operations and renames or opened for one call. They also share MNT/shared, each storing (pwrite or mmap)
      only in its own page-aligned stripe. A model left in MODEL by an earlier run is the starting state; at the
      end every worker checks its segments, and the model is written to MODEL. --sync: fsync everything at the end.
  exerciser.py verify MNT MODEL
      Compares the tree under MNT (names, bytes, capacities) with MODEL.
Prints "OK ..." on success; "FAIL: ..." lines (expected vs seen, the seed, the worker and the last operations)
and exit status 1 otherwise.
"""
import errno
import json
import mmap
import os
import random
import sys

NAMES = ["s%d" % i for i in range(10)] + ["d/s%d" % i for i in range(6)]
PAGE = 4096
STRIPE = 16 * PAGE
MAX_LEN = 192 * 1024
UNLIMITED = None


def errname(e):
    return errno.errorcode.get(e.errno, str(e.errno))


class Failed(Exception):
    pass


class Worker:
    def __init__(self, mnt, model, seed, wid, ops):
        self.mnt, self.model_dir, self.wid, self.ops = mnt, model, wid, ops
        self.seed = seed
        self.rng = random.Random(seed * 1000 + wid)
        self.root = os.path.join(mnt, "w%d" % wid)
        self.files = {}  # name -> bytearray
        self.caps = {}  # name -> capacity or None
        self.fds = {}  # name -> descriptor kept open (O_RDWR)
        self.history = []
        self.problems = []
        self.stripe_off = wid * STRIPE
        self.shared = bytearray(STRIPE)
        self.short_writes = 0
        self.short_examples = []

    # --- model persistence
    def load(self):
        mdir = os.path.join(self.model_dir, "w%d" % self.wid)
        if os.path.isdir(mdir):
            with open(mdir + ".caps") as f:
                self.caps = json.load(f)
            for name in self.caps:
                with open(os.path.join(mdir, name), "rb") as f:
                    self.files[name] = bytearray(f.read())
            with open(os.path.join(self.model_dir, "shared"), "rb") as f:
                f.seek(self.stripe_off)
                self.shared = bytearray(f.read(STRIPE))
        else:
            os.makedirs(os.path.join(self.root, "d"), exist_ok=True)

    def save(self):
        mdir = os.path.join(self.model_dir, "w%d" % self.wid)
        os.makedirs(os.path.join(mdir, "d"), exist_ok=True)
        for name in NAMES:
            p = os.path.join(mdir, name)
            if name in self.files:
                with open(p, "wb") as f:
                    f.write(self.files[name])
            elif os.path.exists(p):
                os.unlink(p)
        with open(mdir + ".caps", "w") as f:
            json.dump(self.caps, f)
        with open(os.path.join(self.model_dir, "stripe%d" % self.wid), "wb") as f:
            f.write(self.shared)

    # --- helpers
    def path(self, name):
        return os.path.join(self.root, name)

    def fail(self, what, expected, seen):
        self.problems.append("worker %d op %d (%s): %s: expected %s, saw %s" % (
            self.wid, len(self.history), self.history[-1] if self.history else "-", what, expected, seen))
        if len(self.problems) >= 5:
            raise Failed()

    def data(self, n):
        return self.rng.randbytes(n)

    def fd_for(self, name):
        """A descriptor for name: mostly the kept one if there is one, else a fresh one; give it back to done()."""
        if name in self.fds and self.rng.random() < 0.8:
            return self.fds[name], False
        return os.open(self.path(name), os.O_RDWR), True

    def done(self, name, fd, fresh):
        """Closes a fresh descriptor, or sometimes keeps it open for later operations."""
        if fresh:
            if name not in self.fds and self.rng.random() < 0.3:
                self.fds[name] = fd
            else:
                os.close(fd)

    def drop_fd(self, name):
        fd = self.fds.pop(name, None)
        if fd is not None:
            os.close(fd)

    def limit(self, name):
        cap = self.caps.get(name)
        return float("inf") if cap is None else cap

    def expect_error(self, what, err, fn):
        try:
            r = fn()
        except OSError as e:
            if errname(e) != err:
                self.fail(what, err, errname(e))
            return True
        self.fail(what, err, "success (returned %r)" % (r,))
        return False

    # --- operations
    def op_write(self, name):
        cur = self.files[name]
        off = self.rng.randrange(0, len(cur) + 8192)
        buf = self.data(self.rng.randrange(1, 16384))
        self.history.append("pwrite %s off %d len %d" % (name, off, len(buf)))
        fd, fresh = self.fd_for(name)
        try:
            if off + len(buf) > len(cur) and off + len(buf) > self.limit(name):
                self.past_capacity("pwrite past the capacity", name, off, buf, lambda: os.pwrite(fd, buf, off),
                                   read_write=True)
                return
            n = os.pwrite(fd, buf, off)
            if n != len(buf):
                self.fail("pwrite count", len(buf), n)
            self.apply(name, off, buf[:n])
        finally:
            self.done(name, fd, fresh)

    def past_capacity(self, what, name, off, buf, write, read_write=False):
        """A write that passes the capacity must fail with EFBIG and write nothing. Through a read-write
        descriptor the page cache is in the way: the kernel sends the bytes up to the end of a page it does not
        hold whole as a request of their own, and when that part fits, write() returns its short count (the
        documented exception). Anything else short is a failure."""
        try:
            n = write()
        except OSError as e:
            if errname(e) != "EFBIG":
                self.fail(what, "EFBIG", errname(e))
            return
        self.apply(name, off, buf[:n])
        if n == len(buf):
            self.fail(what, "EFBIG", "success (all %d bytes written)" % n)
            return
        if read_write and 0 < n < PAGE and (off + n) % PAGE == 0:
            return
        self.short_writes += 1
        if len(self.short_examples) < 3:
            self.short_examples.append("op %d (%s, capacity %s): write() returned %d" % (
                len(self.history), self.history[-1], self.caps[name], n))

    def apply(self, name, off, buf):
        cur = self.files[name]
        if off > len(cur):
            cur.extend(bytes(off - len(cur)))
        cur[off:off + len(buf)] = buf

    def op_append(self, name):
        cur = self.files[name]
        buf = self.data(self.rng.randrange(1, 8192))
        self.history.append("append %s len %d (at %d)" % (name, len(buf), len(cur)))
        fd = os.open(self.path(name), os.O_WRONLY | os.O_APPEND)
        try:
            if len(cur) + len(buf) > self.limit(name):
                self.past_capacity("append past the capacity", name, len(cur), buf, lambda: os.write(fd, buf))
                return
            n = os.write(fd, buf)
            if n != len(buf):
                self.fail("append count", len(buf), n)
            self.apply(name, len(cur), buf[:n])
        finally:
            os.close(fd)

    def op_truncate(self, name):
        cur = self.files[name]
        size = self.rng.randrange(0, min(MAX_LEN, len(cur) * 3 // 2 + 8192))
        by_path = self.rng.random() < 0.5
        self.history.append("%s %s to %d (from %d)" % ("truncate" if by_path else "ftruncate", name, size, len(cur)))

        def do():
            if by_path:
                os.truncate(self.path(name), size)
            else:
                fd, fresh = self.fd_for(name)
                try:
                    os.ftruncate(fd, size)
                finally:
                    self.done(name, fd, fresh)

        if size > len(cur) and size > self.limit(name):
            self.expect_error("truncate past the capacity", "EFBIG", do)
            return
        do()
        if size < len(cur):
            del cur[size:]
        else:
            cur.extend(bytes(size - len(cur)))

    def op_mmap(self, name):
        cur = self.files[name]
        if not cur:
            return self.op_append(name)
        off = self.rng.randrange(0, len(cur))
        buf = self.data(min(self.rng.randrange(1, 6000), len(cur) - off))
        sync = self.rng.random() < 0.5
        self.history.append("mmap store %s off %d len %d%s" % (name, off, len(buf), " msync" if sync else ""))
        fd, fresh = self.fd_for(name)
        try:
            m = mmap.mmap(fd, len(cur), mmap.MAP_SHARED)
        finally:
            self.done(name, fd, fresh)
        m[off:off + len(buf)] = buf
        if sync:
            m.flush()
        m.close()
        cur[off:off + len(buf)] = buf

    def op_rename(self, name):
        target = self.rng.choice(NAMES)
        if target == name:
            return
        replace = target in self.files
        if replace and self.rng.random() < 0.3:
            self.history.append("link %s onto the existing %s" % (name, target))
            self.expect_error("link onto an existing name", "EEXIST",
                              lambda: os.link(self.path(name), self.path(target)))
            return
        self.history.append("rename %s to %s%s" % (name, target, " (replacing)" if replace else ""))
        os.rename(self.path(name), self.path(target))
        if replace:
            self.drop_fd(target)
        self.files[target] = self.files.pop(name)
        self.caps[target] = self.caps.pop(name)
        if name in self.fds:
            self.fds[target] = self.fds.pop(name)

    def op_create(self, name):
        buf = self.data(self.rng.randrange(0, 20000))
        self.history.append("create %s len %d" % (name, len(buf)))
        fd = os.open(self.path(name), os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o644)
        n = os.write(fd, buf) if buf else 0
        if n != len(buf):
            self.fail("write count after create", len(buf), n)
        if self.rng.random() < 0.3:
            self.fds[name] = fd
        else:
            os.close(fd)
        self.files[name] = bytearray(buf[:n])
        self.caps[name] = UNLIMITED

    def op_unlink(self, name):
        self.history.append("unlink %s" % name)
        self.drop_fd(name)
        os.unlink(self.path(name))
        del self.files[name]
        del self.caps[name]

    def op_capacity(self, name):
        cur = self.files[name]
        if self.rng.random() < 0.3:
            value, cap = b"unlimited", UNLIMITED
        else:
            cap = len(cur) + self.rng.randrange(1, 32768)
            value = str(cap).encode()
        self.history.append("capacity %s %s (length %d)" % (name, value.decode(), len(cur)))
        os.setxattr(self.path(name), "user.mmf.capacity", value)
        self.caps[name] = cap
        if len(cur) > 0 and self.rng.random() < 0.3:
            self.history.append("capacity %s below its length %d" % (name, len(cur)))
            self.expect_error("capacity below the length", "EINVAL",
                              lambda: os.setxattr(self.path(name), "user.mmf.capacity", str(len(cur) - 1).encode()))

    def op_check(self, name):
        self.history.append("check %s" % name)
        self.check_one(name)

    def op_fsync(self, name):
        self.history.append("fsync %s" % name)
        fd, fresh = self.fd_for(name)
        try:
            os.fsync(fd)
        finally:
            self.done(name, fd, fresh)

    def op_shared(self):
        off = self.rng.randrange(0, STRIPE)
        buf = self.data(min(self.rng.randrange(1, 8192), STRIPE - off))
        use_map = self.rng.random() < 0.5
        self.history.append("shared %s off %d len %d" % ("mmap store" if use_map else "pwrite", self.stripe_off + off, len(buf)))
        fd = os.open(os.path.join(self.mnt, "shared"), os.O_RDWR)
        try:
            if use_map:
                m = mmap.mmap(fd, STRIPE, mmap.MAP_SHARED, offset=self.stripe_off)
                m[off:off + len(buf)] = buf
                m.close()
            else:
                n = os.pwrite(fd, buf, self.stripe_off + off)
                if n != len(buf):
                    self.fail("shared pwrite count", len(buf), n)
            self.shared[off:off + len(buf)] = buf
            if self.rng.random() < 0.1:
                seen = os.pread(fd, STRIPE, self.stripe_off)
                if seen != self.shared:
                    self.fail("shared stripe content", "the model", describe_diff(self.shared, seen))
        finally:
            os.close(fd)

    def check_one(self, name):
        want = self.files[name]
        st = os.stat(self.path(name))
        if st.st_size != len(want):
            self.fail("length of %s (stat)" % name, len(want), st.st_size)
        with open(self.path(name), "rb") as f:
            seen = f.read()
        if seen != want:
            self.fail("content of %s" % name, "the model", describe_diff(want, seen))
        cap = os.getxattr(self.path(name), "user.mmf.capacity").decode()
        want_cap = "unlimited" if self.caps[name] is None else str(self.caps[name])
        if cap != want_cap:
            self.fail("capacity of %s" % name, want_cap, cap)

    def check_all(self):
        for d in ("", "d"):
            listed = sorted(os.path.join(d, n) if d else n for n in os.listdir(os.path.join(self.root, d)) if n != "d")
            want = sorted(n for n in self.files if (os.path.dirname(n) == d))
            if listed != want:
                self.fail("names in w%d/%s" % (self.wid, d), want, listed)
        for name in sorted(self.files):
            self.check_one(name)

    def run(self, sync):
        ops = [(self.op_write, 20), (self.op_append, 14), (self.op_truncate, 8), (self.op_mmap, 14),
               (self.op_rename, 8), (self.op_unlink, 3), (self.op_capacity, 6), (self.op_check, 6),
               (self.op_fsync, 2)]
        funcs = [f for f, w in ops for _ in range(w)]
        try:
            for _ in range(self.ops):
                r = self.rng.random()
                if r < 0.08:
                    self.op_shared()
                    continue
                if r < 0.12 and self.fds:
                    name = self.rng.choice(sorted(self.fds))
                    self.history.append("close kept descriptor of %s" % name)
                    self.drop_fd(name)
                    continue
                name = self.rng.choice(NAMES)
                if name not in self.files:
                    self.op_create(name)
                    continue
                f = self.rng.choice(funcs)
                if len(self.files[name]) > MAX_LEN and f in (self.op_write, self.op_append):
                    f = self.op_truncate
                f(name)
            self.history.append("final check")
            for name in list(self.fds):
                if sync:
                    os.fsync(self.fds[name])
                self.drop_fd(name)
            if sync:
                for name in self.files:
                    fd = os.open(self.path(name), os.O_RDONLY)
                    os.fsync(fd)
                    os.close(fd)
            self.check_all()
        except Failed:
            pass
        except OSError as e:
            self.problems.append("worker %d op %d (%s): unexpected error %s (%s)" % (
                self.wid, len(self.history), self.history[-1] if self.history else "-", errname(e), e))
        self.history_matters = bool(self.problems)
        if self.short_writes:
            self.problems.append("worker %d: %d write(s) past a capacity: expected EFBIG and nothing written, saw a "
                                 "short count that is not the kernel's page split, e.g. %s" % (
                                     self.wid, self.short_writes, "; ".join(self.short_examples)))
        self.save()
        if self.problems:
            print("FAIL: seed %d: %s" % (self.seed, "\nFAIL: ".join(self.problems)))
            if self.history_matters:
                print("FAIL: worker %d's last operations:\n  %s" % (self.wid, "\n  ".join(self.history[-12:])))
            return 1
        return 0


def describe_diff(want, seen):
    if len(want) != len(seen):
        head = "length %d (model %d)" % (len(seen), len(want))
    else:
        head = "same length %d" % len(seen)
    for i in range(min(len(want), len(seen))):
        if want[i] != seen[i]:
            return "%s, first difference at byte %d: model %r, seen %r" % (
                head, i, bytes(want[i:i + 8]), bytes(seen[i:i + 8]))
    return head


def run(mnt, model, seed, workers, ops, sync):
    os.makedirs(model, exist_ok=True)
    shared = os.path.join(mnt, "shared")
    if not os.path.exists(os.path.join(model, "shared")):
        with open(shared, "wb") as f:
            f.truncate(workers * STRIPE)
    pids = []
    sys.stdout.flush()
    for w in range(workers):
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                wk = Worker(mnt, model, seed, w, ops)
                wk.load()
                code = wk.run(sync)
            finally:
                sys.stdout.flush()
                os._exit(code)
        pids.append(pid)
    bad = 0
    for pid in pids:
        _, status = os.waitpid(pid, 0)
        if status != 0:
            bad += 1
            if os.WIFSIGNALED(status):
                print("FAIL: a worker was killed by signal %d (SIGBUS: a mapping past the end)" % os.WTERMSIG(status))
    with open(os.path.join(model, "shared"), "wb") as f:
        for w in range(workers):
            with open(os.path.join(model, "stripe%d" % w), "rb") as s:
                f.write(s.read())
    if sync:
        fd = os.open(shared, os.O_RDONLY)
        os.fsync(fd)
        os.close(fd)
    if bad:
        print("FAIL: %d of %d workers failed (seed %d)" % (bad, workers, seed))
        return 1
    problems = verify(mnt, model)
    if problems:
        return 1
    print("OK seed %d: %d workers x %d operations" % (seed, workers, ops))
    return 0


def verify(mnt, model):
    problems = []
    want_names, seen_names = [], []
    for top in sorted(os.listdir(model)):
        if top.endswith(".caps"):
            w = top[:-5]
            with open(os.path.join(model, top)) as f:
                caps = json.load(f)
            for name, cap in sorted(caps.items()):
                rel = os.path.join(w, name)
                want_names.append(rel)
                p = os.path.join(mnt, rel)
                try:
                    with open(p, "rb") as f:
                        seen = f.read()
                    seen_cap = os.getxattr(p, "user.mmf.capacity").decode()
                except OSError as e:
                    problems.append("%s: expected a segment, saw %s" % (rel, errname(e)))
                    continue
                with open(os.path.join(model, rel), "rb") as f:
                    want = f.read()
                if seen != want:
                    problems.append("%s: expected the model's %d bytes, saw %s" % (rel, len(want), describe_diff(want, seen)))
                want_cap = "unlimited" if cap is None else str(cap)
                if seen_cap != want_cap:
                    problems.append("%s: capacity: expected %s, saw %s" % (rel, want_cap, seen_cap))
    for dirpath, dirnames, filenames in os.walk(mnt):
        for n in filenames:
            rel = os.path.relpath(os.path.join(dirpath, n), mnt)
            if rel != "shared":
                seen_names.append(rel)
    if sorted(want_names) != sorted(seen_names):
        problems.append("names: expected %s, saw %s" % (sorted(want_names), sorted(seen_names)))
    with open(os.path.join(model, "shared"), "rb") as f:
        want = f.read()
    try:
        with open(os.path.join(mnt, "shared"), "rb") as f:
            seen = f.read()
        if seen != want:
            problems.append("shared: expected the model's %d bytes, saw %s" % (len(want), describe_diff(want, seen)))
    except OSError as e:
        problems.append("shared: expected a segment, saw %s" % errname(e))
    for p in problems[:10]:
        print("FAIL: verify: %s" % p)
    return problems


def main(argv):
    if len(argv) >= 6 and argv[1] == "run":
        return run(argv[2], argv[3], int(argv[4]), int(argv[5]), int(argv[6]), "--sync" in argv[7:])
    if len(argv) == 4 and argv[1] == "verify":
        problems = verify(argv[2], argv[3])
        if not problems:
            print("OK verify")
        return 1 if problems else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
