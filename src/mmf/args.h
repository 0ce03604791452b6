/* args.h - the option and operand parsing every verb shares, with --help and --mount built in. */
#ifndef MMF_ARGS_H
#define MMF_ARGS_H

#include <getopt.h>
#include <stdint.h>

/* Where a verb's COMMAND starts, for the verbs that run one. */
enum args_command {
	ARGS_NO_COMMAND,          /* no COMMAND: every operand is an operand ("--" only ends the options) */
	ARGS_COMMAND_AFTER_DASHES,/* COMMAND only after "--" */
	ARGS_COMMAND_AFTER_FIXED, /* COMMAND after "--", or at the first operand past the fixed ones */
};

struct args_spec {
	const char *verb;                 /* for messages and --help */
	const char *shortopts;            /* the verb's own short options in getopt syntax, "" for none */
	const struct option *longopts;    /* the verb's own long options, ended by a zero entry; NULL for none */
	enum args_command command;
	int fixed;                        /* operands before COMMAND, for ARGS_COMMAND_AFTER_FIXED */
	/* Called for each of the verb's own options; returns 0, or an exit status after reporting. */
	int (*option)(int opt, const char *arg, void *data);
	void *data;
};

struct args {
	char **operands;      /* in order; owned, free with args_free */
	int noperands;
	char **command;       /* NULL-terminated argv of the COMMAND, NULL when none was given */
	const char *mount;    /* --mount DIR given after the verb, NULL when none */
};

/*
 * Parses argv (argv[0] is the verb). Handles --help/-h (prints the verb's help) and --mount DIR itself.
 * Returns -1 when the verb should go on, or the exit status to end with: 0 after --help, MMF_EXIT_USAGE
 * after reporting a usage error, or whatever spec->option returned.
 */
int args_parse(int argc, char **argv, const struct args_spec *spec, struct args *out);
void args_free(struct args *args);

/*
 * Reports the option getopt_long just refused (c is '?' or ':'; optind and optopt as it left them) as a
 * usage error of verb ("mmf" for mmf's own options), naming it as the user wrote it: "unknown option",
 * "needs a value", or "takes no value" for a long option of longopts given one. Returns MMF_EXIT_USAGE.
 */
int args_bad_option(const char *verb, int c, char **argv, const struct option *longopts);

/* Parses a --size value: a byte count with an optional k, m, g or t suffix, or "unlimited" (UINT64_MAX).
 * Returns 0, or MMF_EXIT_USAGE after reporting. */
int args_size(const char *verb, const char *text, uint64_t *out);

/* Parses a --timeout value: non-negative seconds, decimals allowed. Returns 0, or MMF_EXIT_USAGE after
 * reporting. */
int args_seconds(const char *verb, const char *text, double *out);

#endif
