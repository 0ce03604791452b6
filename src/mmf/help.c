/* help.c - the --help texts of mmf and of each verb, and --version. */
#include "help.h"

#include <string.h>

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

struct help_text {
	const char *verb;
	const char *text;
};

static const struct help_text verb_help[] = {
	{ "new",
	  "Usage: mmf new NAME --size N [--or-open] [--transient] [--mode M] [-- COMMAND...]\n"
	  "Create the segment NAME with a capacity of N bytes (suffixes k, m, g, t; or 'unlimited').\n"
	  "  -s, --size N     capacity, set as user.mmf.capacity (required)\n"
	  "  -o, --or-open    use NAME as it is if it exists (its capacity and lifetime are left alone)\n"
	  "  -t, --transient  remove the segment when its last open handle closes; needs a COMMAND:\n"
	  "                   mmf holds the segment open while COMMAND runs (without -t the segment is\n"
	  "                   persistent, whatever the mount's default lifetime)\n"
	  "  -m, --mode M     permission bits in octal, exactly (default 0666 less the umask)\n"
	  "With '-- COMMAND...', mmf keeps the segment open while COMMAND runs and exits with its status.\n" },
	{ "open",
	  "Usage: mmf open NAME\n"
	  "Succeed if the segment NAME exists, and print what mmf info prints; fail if it does not.\n" },
	{ "write",
	  "Usage: mmf write NAME [--append] [STRING...]\n"
	  "Replace the content of the existing segment NAME with the STRINGs joined by spaces and a newline\n"
	  "(like echo), or with standard input byte for byte when no STRING is given.\n"
	  "  -a, --append     add to the end instead, in one write (never interleaved with other appends)\n"
	  "Content that would pass the capacity is refused and the segment is left as it was.\n" },
	{ "read",
	  "Usage: mmf read NAME\n"
	  "Copy the bytes of segment NAME to standard output, exactly.\n" },
	{ "rm",
	  "Usage: mmf rm NAME...\n"
	  "Remove the segments NAME (processes that hold one open keep using it until they close it).\n" },
	{ "save",
	  "Usage: mmf save NAME PATH\n"
	  "Copy the bytes of segment NAME into the ordinary file PATH (created or replaced).\n"
	  "A regular PATH is replaced only once the whole copy is written and flushed beside it.\n"
	  "On an mmfs mount the copy is persistent, whatever the mount's default lifetime.\n" },
	{ "lock",
	  "Usage: mmf lock NAME [--shared] [--timeout S] -- COMMAND...\n"
	  "Run COMMAND while holding a lock on segment NAME (flock(2): the named mutex, released by the kernel\n"
	  "if its holder dies; it excludes flock(1) on the same file too). Exit with COMMAND's status.\n"
	  "  -s, --shared     take a shared lock (many holders) instead of an exclusive one\n"
	  "  -w, --timeout S  give up after S seconds (decimals allowed; 0: do not wait): exit 1\n" },
	{ "ls",
	  "Usage: mmf ls [-l | -0] [DIR]\n"
	  "List the segments under the mount (or under its directory DIR), one name a line, sorted.\n"
	  "A newline, tab, backslash or other control character in a name is escaped (\\n, \\t, \\\\, \\ooo).\n"
	  "  -l, --long       also show length, capacity, lifetime, owner and mode\n"
	  "  -0, --null       write the names exactly, each ended by a NUL byte instead of a newline\n" },
	{ "info",
	  "Usage: mmf info NAME\n"
	  "Show the segment's name, length, capacity, lifetime, owner, group, mode and time of last modification.\n" },
	{ "wait",
	  "Usage: mmf wait NAME [--timeout S]\n"
	  "Wait until segment NAME is next modified through the mount (written, appended, truncated).\n"
	  "  -w, --timeout S  give up after S seconds and exit 124\n"
	  "Stores through a shared mapping are not seen.\n" },
};

void help_main(FILE *out)
{
	fputs("Usage: mmf [--mount DIR] VERB [ARGS...]\n"
	      "Named shared memory on an mmfs mount: the verbs of the PowerShell MemoryMappedFile module.\n"
	      "\n"
	      "  new NAME --size N [--or-open] [--transient] [--mode M] [-- COMMAND...]\n"
	      "                   create a segment (New-MemoryMappedFile)\n"
	      "  open NAME        check that a segment exists and show it (Open-MemoryMappedFile)\n"
	      "  write NAME [--append] [STRING...]\n"
	      "                   replace or append its content (Out-MemoryMappedFile)\n"
	      "  read NAME        print its bytes (Read-MemoryMappedFile)\n"
	      "  rm NAME...       remove segments (Remove-MemoryMappedFile)\n"
	      "  save NAME PATH   copy a segment to a file (Save-MemoryMappedFile)\n"
	      "  lock NAME [--shared] [--timeout S] -- COMMAND...\n"
	      "                   run COMMAND holding the segment's lock (the named mutex)\n"
	      "  ls [-l | -0] [DIR]\n"
	      "                   list segments\n"
	      "  info NAME        show a segment's length, capacity, lifetime, owner and mode\n"
	      "  wait NAME [--timeout S]\n"
	      "                   wait until a segment is next modified (exit 124 on timeout)\n"
	      "\n"
	      "  --mount DIR      the mmfs mount to use (default: $MMF_MOUNT, else /mnt/mmf)\n"
	      "  -h, --help       this help; 'mmf VERB --help' for a verb's\n"
	      "  -V, --version    print the version\n"
	      "\n"
	      "NAME is a path relative to the mount. Exit status: 0 success, 1 failure, 2 wrong usage.\n",
	      out);
}

int help_verb(const char *verb, FILE *out)
{
	for (size_t i = 0; i < sizeof verb_help / sizeof verb_help[0]; i++) {
		if (strcmp(verb_help[i].verb, verb) == 0) {
			fputs(verb_help[i].text, out);
			fputs("  --mount DIR      the mmfs mount to use (default: $MMF_MOUNT, else /mnt/mmf)\n"
			      "  -h, --help       this help\n", out);
			return 0;
		}
	}
	return -1;
}

void help_version(FILE *out)
{
	fputs("mmf (mmfs) " PACKAGE_VERSION "\n", out);
}
