/* dirstream - checks one directory stream through rewinddir(3) and telldir/seekdir(3), which no shell tool
 * and no Python call reaches. Prints what it saw; exits 1 when a check or a system call fails, 2 on bad usage.
 *
 *   dirstream rewind DIR NEW GONE
 *	Reads DIR to the end, creates DIR/NEW, removes DIR/GONE, calls rewinddir and reads to the end again.
 *	Prints "before: NAMES" and "after: NAMES", each sorted and without "." and "..".
 *   dirstream seek DIR
 *	Reads DIR to the end, noting telldir before each entry, and checks that no name comes twice. Then removes
 *	every name that starts with "c" and creates as many "n" names, and checks that seekdir to a noted
 *	position (backwards, over the whole stream) gives the name noted there when it starts with "e", and that
 *	reading on from one gives exactly the "e" names noted after it: no name twice, none that existed
 *	throughout lost, none removed. Prints "entries N seeks M" when all holds.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct entry {
	long pos;      /* telldir before the entry was read */
	char *name;
};

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int by_entry_name(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

static int is_dot(const char *name)
{
	return strcmp(name, ".") == 0 || strcmp(name, "..") == 0;
}

static void *grow(void *p, size_t *cap, size_t count, size_t size)
{
	if (count < *cap)
		return p;
	*cap = *cap != 0 ? *cap * 2 : 64;
	p = realloc(p, *cap * size);
	if (p == NULL) {
		perror("dirstream: realloc");
		exit(1);
	}
	return p;
}

static char *copy(const char *s)
{
	char *c = strdup(s);
	if (c == NULL) {
		perror("dirstream: strdup");
		exit(1);
	}
	return c;
}

/* Reads the rest of the stream and prints LABEL: and the names, sorted. */
static void print_rest(DIR *d, const char *label)
{
	char **names = NULL;
	size_t count = 0, cap = 0;
	struct dirent *e;
	errno = 0;
	while ((e = readdir(d)) != NULL) {
		if (is_dot(e->d_name))
			continue;
		names = grow(names, &cap, count, sizeof(*names));
		names[count++] = copy(e->d_name);
	}
	if (errno != 0) {
		perror("dirstream: readdir");
		exit(1);
	}
	qsort(names, count, sizeof(*names), by_name);
	printf("%s:", label);
	for (size_t i = 0; i < count; i++) {
		printf(" %s", names[i]);
		free(names[i]);
	}
	printf("\n");
	free(names);
}

static int do_rewind(const char *dir, const char *new_name, const char *gone)
{
	char path[4096];
	DIR *d = opendir(dir);
	if (d == NULL) {
		perror("dirstream: opendir");
		return 1;
	}
	print_rest(d, "before");
	snprintf(path, sizeof(path), "%s/%s", dir, new_name);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd < 0 || close(fd) != 0) {
		perror("dirstream: create");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, gone);
	if (unlink(path) != 0) {
		perror("dirstream: unlink");
		return 1;
	}
	rewinddir(d);
	print_rest(d, "after");
	closedir(d);
	return 0;
}

/* Removes the "c" names noted and creates as many "n" names: changes made while the stream stays open. */
static int churn(const char *dir, const struct entry *noted, size_t count)
{
	char path[4096];
	size_t made = 0;
	for (size_t i = 0; i < count; i++) {
		if (noted[i].name[0] != 'c')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, noted[i].name);
		if (unlink(path) != 0) {
			perror("dirstream: unlink");
			return -1;
		}
		snprintf(path, sizeof(path), "%s/n%zu", dir, made++);
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd < 0 || close(fd) != 0) {
			perror("dirstream: create");
			return -1;
		}
	}
	return 0;
}

static int do_seek(const char *dir)
{
	struct entry *noted = NULL;
	size_t count = 0, cap = 0;
	int failures = 0;
	DIR *d = opendir(dir);
	if (d == NULL) {
		perror("dirstream: opendir");
		return 1;
	}
	for (;;) {
		long pos = telldir(d);
		errno = 0;
		struct dirent *e = readdir(d);
		if (e == NULL) {
			if (errno != 0) {
				perror("dirstream: readdir");
				return 1;
			}
			break;
		}
		if (is_dot(e->d_name))
			continue;
		noted = grow(noted, &cap, count, sizeof(*noted));
		noted[count].pos = pos;
		noted[count].name = copy(e->d_name);
		count++;
	}
	struct entry *sorted = malloc((count + 1) * sizeof(*sorted));
	if (sorted == NULL) {
		perror("dirstream: malloc");
		return 1;
	}
	memcpy(sorted, noted, count * sizeof(*sorted));
	qsort(sorted, count, sizeof(*sorted), by_entry_name);
	for (size_t i = 1; i < count; i++) {
		if (strcmp(sorted[i - 1].name, sorted[i].name) == 0) {
			printf("FAIL: first pass: expected each name once, saw %s twice\n", sorted[i].name);
			failures++;
		}
	}
	free(sorted);
	if (churn(dir, noted, count) != 0)
		return 1;

	/* Backwards over the whole stream: each seek lands on the entry noted there. */
	size_t seeks = 0;
	for (size_t i = count; i-- > 0;) {
		if (noted[i].name[0] != 'e' || (i % 37 != 0 && i != count - 1))
			continue;
		seekdir(d, noted[i].pos);
		struct dirent *e = readdir(d);
		seeks++;
		if (e == NULL || strcmp(e->d_name, noted[i].name) != 0) {
			printf("FAIL: seekdir to the position of entry %zu: expected %s, saw %s\n", i, noted[i].name,
			       e != NULL ? e->d_name : "the end");
			failures++;
		}
	}
	/* From the middle on: exactly the "e" names noted there, in the same order. */
	size_t from = count / 2;
	while (from < count && noted[from].name[0] != 'e')
		from++;
	if (from < count) {
		seekdir(d, noted[from].pos);
		size_t want = from;
		struct dirent *e;
		while ((e = readdir(d)) != NULL) {
			while (want < count && noted[want].name[0] != 'e')
				want++;
			if (want == count || strcmp(e->d_name, noted[want].name) != 0) {
				printf("FAIL: reading on after seekdir: expected %s, saw %s\n",
				       want < count ? noted[want].name : "the end", e->d_name);
				failures++;
				break;
			}
			want++;
		}
		while (want < count && noted[want].name[0] != 'e')
			want++;
		if (e == NULL && want != count) {
			printf("FAIL: reading on after seekdir: expected %s, saw the end\n", noted[want].name);
			failures++;
		}
	}
	closedir(d);
	for (size_t i = 0; i < count; i++)
		free(noted[i].name);
	free(noted);
	if (failures != 0)
		return 1;
	printf("entries %zu seeks %zu\n", count, seeks);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "rewind") == 0)
		return do_rewind(argv[2], argv[3], argv[4]);
	if (argc == 3 && strcmp(argv[1], "seek") == 0)
		return do_seek(argv[2]);
	fprintf(stderr, "usage: dirstream rewind DIR NEW GONE | dirstream seek DIR\n");
	return 2;
}
