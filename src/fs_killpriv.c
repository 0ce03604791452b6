/* fs_killpriv.c - set-id bits on writes and truncates, the kernel's way: FUSE_HANDLE_KILLPRIV_V2.
 * Without it the kernel asks us for security.capability (a GETXATTR round trip) before every write through
 * its page cache, to know whether the write must drop privileges: an O_RDWR append cost two round trips.
 * With it the kernel marks the superblock SB_NOSEC, asks once per inode, and instead tells us in each
 * WRITE, truncating SETATTR and O_TRUNC open whether the caller lacks CAP_FSETID, so that we drop the bits.
 * libfuse 3.14 can neither ask for the flag nor pass those marks on, so this file does both on the raw
 * messages, which fs_poll.c's reader and writer hand to it: it adds the flag to our INIT reply when the
 * kernel offers it, and notes each request's mark for the thread that goes on to handle it (libfuse
 * handles a request on the thread that read it). */
#include "fs_ops.h"

#include <linux/fuse.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The request this thread is handling: its kill mark, and whether it is the INIT. */
static __thread bool request_kills_setid;
static __thread bool handling_init;
static __thread uint64_t init_unique;
static __thread bool init_offers_v2;

/* Reads a field of type T at offset off of the message, if the message holds it. */
#define FIELD(buf, len, T, off, out) \
	((len) >= (off) + sizeof(T) ? (memcpy((out), (const char *)(buf) + (off), sizeof(T)), true) : false)

void fs_killpriv_note_request(const void *buf, size_t len)
{
	struct fuse_in_header in;
	request_kills_setid = false;
	handling_init = false;
	if (!FIELD(buf, len, struct fuse_in_header, 0, &in))
		return;
	const size_t body = sizeof(in);
	switch (in.opcode) {
	case FUSE_INIT: {
		struct fuse_init_in init;
		if (FIELD(buf, len, struct fuse_init_in, body, &init)) {
			handling_init = true;
			init_unique = in.unique;
			init_offers_v2 = (init.flags & FUSE_HANDLE_KILLPRIV_V2) != 0;
		}
		break;
	}
	case FUSE_WRITE: {
		struct fuse_write_in write;
		if (FIELD(buf, len, struct fuse_write_in, body, &write))
			request_kills_setid = (write.write_flags & FUSE_WRITE_KILL_SUIDGID) != 0;
		break;
	}
	case FUSE_SETATTR: {
		struct fuse_setattr_in setattr;
		if (FIELD(buf, len, struct fuse_setattr_in, body, &setattr))
			request_kills_setid = (setattr.valid & FATTR_KILL_SUIDGID) != 0;
		break;
	}
	case FUSE_OPEN: {
		struct fuse_open_in open;
		if (FIELD(buf, len, struct fuse_open_in, body, &open))
			request_kills_setid = (open.open_flags & FUSE_OPEN_KILL_SUIDGID) != 0;
		break;
	}
	case FUSE_CREATE: {
		struct fuse_create_in create;
		if (FIELD(buf, len, struct fuse_create_in, body, &create))
			request_kills_setid = (create.open_flags & FUSE_OPEN_KILL_SUIDGID) != 0;
		break;
	}
	default:
		break;
	}
}

void fs_killpriv_patch_reply(struct fs *fs, const struct iovec *iov, int count)
{
	if (!handling_init || count < 2 || iov[0].iov_len < sizeof(struct fuse_out_header))
		return;
	struct fuse_out_header out;
	memcpy(&out, iov[0].iov_base, sizeof(out));
	if (out.unique != init_unique)
		return;
	handling_init = false;
	/* The flags field of fuse_init_out, in libfuse's reply (header, then the whole fuse_init_out). */
	const size_t flags_at = offsetof(struct fuse_init_out, flags);
	uint32_t flags;
	if (out.error != 0 || !init_offers_v2 || iov[1].iov_len < flags_at + sizeof(flags))
		return;
	memcpy(&flags, (const char *)iov[1].iov_base + flags_at, sizeof(flags));
	flags |= FUSE_HANDLE_KILLPRIV_V2;
	memcpy((char *)iov[1].iov_base + flags_at, &flags, sizeof(flags));
	__atomic_store_n(&fs->killpriv_v2, true, __ATOMIC_RELEASE);
}

bool fs_request_kills_setid(struct fs *fs)
{
	return __atomic_load_n(&fs->killpriv_v2, __ATOMIC_ACQUIRE) && request_kills_setid;
}

bool fs_write_kills_setid(struct fs *fs, fuse_req_t req)
{
	if (__atomic_load_n(&fs->killpriv_v2, __ATOMIC_ACQUIRE))
		return request_kills_setid;
	/* A kernel without it (before 5.11) drops the bits itself on the writes it sees through its page cache,
	 * but not on those that reach us directly; root stands for CAP_FSETID, which we cannot see. */
	return fuse_req_ctx(req)->uid != 0;
}
