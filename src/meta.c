/* meta.c - text encoding of the per-segment metadata record kept in the backing file's xattr. */
#include "meta.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t meta_encode(const struct meta *meta, char *buf, size_t buflen)
{
	int n = snprintf(buf, buflen, "mmf1 mode=%o uid=%u gid=%u cap=%" PRIu64 " life=%c",
			 (unsigned)meta->mode, (unsigned)meta->uid, (unsigned)meta->gid, meta->capacity,
			 meta->lifetime == LIFETIME_TRANSIENT ? 't' : 'p');
	return n < 0 ? 0 : (size_t)n;
}

mode_t meta_inode_mode(const struct meta *meta)
{
	if (!S_ISREG(meta->mode) || (meta->mode & 07000) != 0 || (meta->mode & 0600) != 0600 ||
	    meta->capacity != META_UNLIMITED || meta->lifetime != LIFETIME_PERSISTENT)
		return 0;
	/* Owner read and write: a daemon that is not root must be able to open the backing file again. */
	return (meta->mode & 0777) | S_ISVTX;
}

int meta_inode_describes(const struct meta *meta, const struct stat *st)
{
	mode_t want = meta_inode_mode(meta);
	return want != 0 && (st->st_mode & 07777) == want && st->st_uid == meta->uid && st->st_gid == meta->gid;
}

int meta_from_inode(const struct stat *st, struct meta *meta)
{
	/* The metadata the inode would carry, accepted only if meta_inode_mode would have made exactly this
	 * inode for it: one rule for making and for reading. */
	struct meta carried = {
		.mode = S_IFREG | (st->st_mode & 0777), .uid = st->st_uid, .gid = st->st_gid,
		.capacity = META_UNLIMITED, .lifetime = LIFETIME_PERSISTENT,
	};
	if (!S_ISREG(st->st_mode) || !meta_inode_describes(&carried, st))
		return -ENODATA;
	*meta = carried;
	return 0;
}

/* Reads one unsigned number in the given base that must end at a space or the end. */
static int read_number(const char **p, const char *end, int base, uint64_t max, uint64_t *out)
{
	char tmp[32];
	size_t n = 0;
	while (*p + n < end && (*p)[n] != ' ' && n < sizeof(tmp) - 1) {
		tmp[n] = (*p)[n];
		n++;
	}
	if (n == 0 || (*p + n < end && (*p)[n] != ' '))
		return -EINVAL;
	tmp[n] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (tmp[i] < '0' || tmp[i] > '9' || (base == 8 && tmp[i] > '7'))
			return -EINVAL;
	}
	errno = 0;
	char *stop;
	unsigned long long value = strtoull(tmp, &stop, base);
	if (errno != 0 || *stop != '\0' || value > max)
		return -EINVAL;
	*out = value;
	*p += n;
	return 0;
}

static int expect_field(const char **p, const char *end, const char *field)
{
	size_t len = strlen(field);
	if ((size_t)(end - *p) < len || memcmp(*p, field, len) != 0)
		return -EINVAL;
	*p += len;
	return 0;
}

int meta_decode(const char *buf, size_t len, struct meta *meta)
{
	const char *p = buf;
	const char *end = buf + len;
	uint64_t mode, uid, gid, cap;
	struct meta parsed;

	if (expect_field(&p, end, "mmf1 mode=") != 0 || read_number(&p, end, 8, 0177777, &mode) != 0 ||
	    expect_field(&p, end, " uid=") != 0 || read_number(&p, end, 10, UINT32_MAX - 1, &uid) != 0 ||
	    expect_field(&p, end, " gid=") != 0 || read_number(&p, end, 10, UINT32_MAX - 1, &gid) != 0 ||
	    expect_field(&p, end, " cap=") != 0 || read_number(&p, end, 10, UINT64_MAX, &cap) != 0 ||
	    expect_field(&p, end, " life=") != 0 || end - p != 1 || (*p != 'p' && *p != 't'))
		return -EINVAL;
	parsed.mode = (mode_t)mode;
	parsed.uid = (uid_t)uid;
	parsed.gid = (gid_t)gid;
	parsed.capacity = cap;
	parsed.lifetime = *p == 't' ? LIFETIME_TRANSIENT : LIFETIME_PERSISTENT;
	*meta = parsed;
	return 0;
}

int lifetime_parse(const char *text, size_t len, enum lifetime *out)
{
	/* Accept one trailing newline: `setfattr -v` and `echo` users expect it to work. */
	if (len > 0 && text[len - 1] == '\n')
		len--;
	if (len == strlen("persistent") && memcmp(text, "persistent", len) == 0) {
		*out = LIFETIME_PERSISTENT;
		return 0;
	}
	if (len == strlen("transient") && memcmp(text, "transient", len) == 0) {
		*out = LIFETIME_TRANSIENT;
		return 0;
	}
	return -EINVAL;
}

const char *lifetime_name(enum lifetime lifetime)
{
	return lifetime == LIFETIME_TRANSIENT ? "transient" : "persistent";
}
