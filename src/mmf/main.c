/* main.c - the mmf command: global options, then hands the rest to the verb named on the command line. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "help.h"
#include "mmf.h"
#include "report.h"

struct verb {
	const char *name;
	int (*run)(struct mmf_ctx *ctx, int argc, char **argv);
};

static const struct verb verbs[] = {
	{ "new", verb_new },
	{ "open", verb_open },
	{ "write", verb_write },
	{ "read", verb_read },
	{ "rm", verb_rm },
	{ "save", verb_save },
	{ "lock", verb_lock },
	{ "ls", verb_ls },
	{ "info", verb_info },
	{ "wait", verb_wait },
};

/* Output that never reached standard output (a full disk, a closed pipe) is a failure too. */
static int close_stdout(int status)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fputs("mmf: standard output: write error\n", stderr);
		return status == 0 ? MMF_EXIT_FAIL : status;
	}
	return status;
}

/* "mmf help [VERB]" reads more naturally than "mmf VERB --help" for some; both work. */
static int help_command(int argc, char **argv)
{
	if (argc < 2) {
		help_main(stdout);
		return MMF_EXIT_OK;
	}
	if (argc > 2)
		return report_usage("mmf", "'help' takes one VERB at most: unexpected '%s'", argv[2]);
	if (help_verb(argv[1], stdout) != 0)
		return report_usage("mmf", "unknown verb '%s'", argv[1]);
	return MMF_EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "mount", required_argument, NULL, 'M' },
		{ NULL, 0, NULL, 0 },
	};
	struct mmf_ctx ctx = { .verb = "mmf", .mount_opt = NULL, .mount = "", .root = -1 };
	const char *verb;
	int asked = 0;   /* 'h' or 'V' when --help or --version came first, done once all options are read */
	int c;

	opterr = 0;
	/* '+': options of mmf itself stop at the verb; the verb parses the rest. */
	for (;;) {
		c = getopt_long(argc, argv, "+:hV", options, NULL);
		if (c == -1)
			break;
		switch (c) {
		case 'h':
		case 'V':
			if (asked == 0)
				asked = c;
			break;
		case 'M':
			if (*optarg == '\0')
				return report_usage("mmf", "option '--mount' needs a directory, not an empty value");
			ctx.mount_opt = optarg;
			break;
		default:
			return args_bad_option("mmf", c, argv, options);
		}
	}
	/* --help and --version take no operand: one left over (a verb, a typo) is a mistake worth saying,
	 * not something to ignore. */
	if (asked != 0 && optind < argc)
		return report_usage("mmf", "'%s' takes no operand: unexpected '%s'",
				    asked == 'h' ? "--help" : "--version", argv[optind]);
	if (asked == 'h')
		help_main(stdout);
	else if (asked == 'V')
		help_version(stdout);
	if (asked != 0)
		return close_stdout(MMF_EXIT_OK);
	if (optind >= argc)
		return report_usage("mmf", "no verb given: new, open, write, read, rm, save, lock, ls, info "
				    "or wait");
	verb = argv[optind];
	if (strcmp(verb, "help") == 0)
		return close_stdout(help_command(argc - optind, argv + optind));
	for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
		if (strcmp(verbs[i].name, verb) == 0)
			return close_stdout(verbs[i].run(&ctx, argc - optind, argv + optind));
	}
	return report_usage("mmf", "unknown verb '%s'", verb);
}
