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

/* Where each request that may carry the mark keeps it: a 32-bit field of the body after fuse_in_header. */
static const struct mark {
	uint32_t opcode;
	size_t field_at;
	uint32_t bit;
} marks[] = {
	{ FUSE_WRITE, offsetof(struct fuse_write_in, write_flags), FUSE_WRITE_KILL_SUIDGID },
	{ FUSE_OPEN, offsetof(struct fuse_open_in, open_flags), FUSE_OPEN_KILL_SUIDGID },
	{ FUSE_CREATE, offsetof(struct fuse_create_in, open_flags), FUSE_OPEN_KILL_SUIDGID },
};

/* A SETATTR's mark: FATTR_KILL_SUIDGID on a truncate or a chown to a new owner. The other kills the kernel
 * decides on (file_remove_privs before a fallocate, a chown to -1:-1), it sends under KILLPRIV_V2 as a
 * SETATTR that changes nothing, having taken ATTR_MODE out: it sends such a SETATTR for no other reason
 * (utimensat with both times omitted returns before). */
static bool setattr_kills_setid(uint32_t valid)
{
	const uint32_t not_attributes = FATTR_FH | FATTR_LOCKOWNER | FATTR_KILL_SUIDGID;
	return (valid & FATTR_KILL_SUIDGID) != 0 || (valid & ~not_attributes) == 0;
}

/* Copies the 32-bit field at offset at of the message into *out, if the message holds it. */
static bool read_u32(const void *buf, size_t len, size_t at, uint32_t *out)
{
	if (len < at + sizeof(*out))
		return false;
	memcpy(out, (const char *)buf + at, sizeof(*out));
	return true;
}

void fs_killpriv_note_request(const void *buf, size_t len)
{
	struct fuse_in_header in;
	uint32_t field;
	request_kills_setid = false;
	handling_init = false;
	if (len < sizeof(in))
		return;
	memcpy(&in, buf, sizeof(in));
	if (in.opcode == FUSE_INIT) {
		if (read_u32(buf, len, sizeof(in) + offsetof(struct fuse_init_in, flags), &field)) {
			handling_init = true;
			init_unique = in.unique;
			init_offers_v2 = (field & FUSE_HANDLE_KILLPRIV_V2) != 0;
		}
		return;
	}
	if (in.opcode == FUSE_SETATTR) {
		if (read_u32(buf, len, sizeof(in) + offsetof(struct fuse_setattr_in, valid), &field))
			request_kills_setid = setattr_kills_setid(field);
		return;
	}
	for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
		if (marks[i].opcode == in.opcode) {
			if (read_u32(buf, len, sizeof(in) + marks[i].field_at, &field))
				request_kills_setid = (field & marks[i].bit) != 0;
			return;
		}
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
