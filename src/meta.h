/* meta.h - the metadata record kept in an extended attribute of each backing file, so a restart restores it. */
#ifndef MMFS_META_H
#define MMFS_META_H

#include <stdint.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/* Name of the backing file's attribute that holds the record. Never visible through the mount. */
#define META_XATTR "user.mmf.meta"

#define META_UNLIMITED UINT64_MAX

enum lifetime {
	LIFETIME_PERSISTENT = 0,
	LIFETIME_TRANSIENT = 1,
};

struct meta {
	mode_t mode;          /* type and permission bits */
	uid_t uid;
	gid_t gid;
	uint64_t capacity;    /* META_UNLIMITED for none */
	enum lifetime lifetime;
};

/* Longest encoded record, terminating NUL included. */
#define META_MAX_LEN 128

/* Encodes meta as text ("mmf1 mode=... uid=... gid=... cap=... life=p"). Returns the length, no NUL. */
size_t meta_encode(const struct meta *meta, char *buf, size_t buflen);

/*
 * Decodes a record of len bytes (not necessarily NUL-terminated). Returns 0 and fills *meta on success,
 * -EINVAL and leaves *meta unchanged when the record is malformed in any way.
 */
int meta_decode(const char *buf, size_t len, struct meta *meta);

/*
 * A regular file with the common metadata needs no record: its backing inode carries it. Such a backing file
 * is made with the node's permission bits plus the sticky bit, which means nothing on a regular file and marks
 * the inode as made by mmfs (a file planted in the backing directory without it stays private); its owner is
 * the node's owner. Saves one system call per create.
 *
 * meta_inode_mode: the mode to make a regular file's backing file with so that it describes meta, or 0 when
 * meta needs a record (set-ID or sticky bits, an owner without read and write, a capacity, a transient
 * lifetime). meta_inode_describes: whether the backing inode st, as made, describes meta. meta_from_inode:
 * fills *meta from a marked regular file's inode; -ENODATA when st is not one.
 */
mode_t meta_inode_mode(const struct meta *meta);
int meta_inode_describes(const struct meta *meta, const struct stat *st);
int meta_from_inode(const struct stat *st, struct meta *meta);

/* Parses and prints the values of user.mmf.lifetime. */
int lifetime_parse(const char *text, size_t len, enum lifetime *out);
const char *lifetime_name(enum lifetime lifetime);

#endif
