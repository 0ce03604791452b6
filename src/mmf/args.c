/* args.c - the option and operand parsing every verb shares, with --help and --mount built in. */
#include "args.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "help.h"
#include "mmf.h"
#include "report.h"
#include "size.h"

#define ARGS_MAX_OPTIONS 16
#define ARGS_OPT_HELP 'h'
#define ARGS_OPT_MOUNT 0x100

static int count_options(const struct option *longopts)
{
	int n = 0;

	while (longopts != NULL && longopts[n].name != NULL)
		n++;
	return n;
}

static int is_operand(const char *arg)
{
	return arg[0] != '-' || arg[1] == '\0';
}

/* The name of the long option whose val is val, or NULL. */
static const char *long_name(const struct option *longopts, int val)
{
	for (int i = 0; longopts[i].name != NULL; i++) {
		if (longopts[i].val == val)
			return longopts[i].name;
	}
	return NULL;
}

int args_bad_option(const char *verb, int c, char **argv, const struct option *longopts)
{
	const char *arg = argv[optind - 1];

	if (strncmp(arg, "--", 2) == 0) {
		/* getopt leaves optopt at the val of a long option given a value it does not take, which
		 * would name it by its short letter (or by nothing): name it as written, without the value. */
		const char *name = optopt != 0 ? long_name(longopts, optopt) : NULL;
		int len = (int)strcspn(arg, "=");

		if (c == ':')
			return report_usage(verb, "option '%.*s' needs a value", len, arg);
		if (name != NULL && arg[len] == '=')
			return report_usage(verb, "option '--%s' takes no value", name);
		return report_usage(verb, "unknown option '%.*s'", len, arg);
	}
	if (optopt != 0 && optopt < 0x100)
		return report_usage(verb, c == ':' ? "option '-%c' needs a value" : "unknown option '-%c'", optopt);
	return report_usage(verb, c == ':' ? "option '%s' needs a value" : "unknown option '%s'", arg);
}

int args_parse(int argc, char **argv, const struct args_spec *spec, struct args *out)
{
	struct option all[ARGS_MAX_OPTIONS + 3];
	char shortopts[64];
	int nlong = count_options(spec->longopts);
	int n;

	memset(out, 0, sizeof *out);
	if (nlong > ARGS_MAX_OPTIONS)
		abort();
	if (nlong > 0)
		memcpy(all, spec->longopts, (size_t)nlong * sizeof all[0]);
	all[nlong] = (struct option){ "help", no_argument, NULL, ARGS_OPT_HELP };
	all[nlong + 1] = (struct option){ "mount", required_argument, NULL, ARGS_OPT_MOUNT };
	all[nlong + 2] = (struct option){ NULL, 0, NULL, 0 };
	/* '+': stop at operands, which this loop takes itself; ':': tell a missing argument apart. */
	n = snprintf(shortopts, sizeof shortopts, "+:h%s", spec->shortopts);
	if (n < 0 || (size_t)n >= sizeof shortopts)
		abort();

	out->operands = calloc((size_t)argc + 1, sizeof *out->operands);
	if (out->operands == NULL)
		return report_fail(spec->verb, "%s", strerror(ENOMEM));

	opterr = 0;
	optind = 1;
	while (optind < argc) {
		const char *arg = argv[optind];
		int c;

		if (strcmp(arg, "--") == 0) {
			optind++;
			if (spec->command != ARGS_NO_COMMAND) {
				if (optind < argc)
					out->command = argv + optind;
				break;
			}
			while (optind < argc)
				out->operands[out->noperands++] = argv[optind++];
			break;
		}
		if (is_operand(arg)) {
			if (spec->command == ARGS_COMMAND_AFTER_FIXED && out->noperands == spec->fixed) {
				out->command = argv + optind;
				break;
			}
			out->operands[out->noperands++] = argv[optind++];
			continue;
		}
		c = getopt_long(argc, argv, shortopts, all, NULL);
		if (c == -1)
			break;
		if (c == ARGS_OPT_HELP) {
			help_verb(spec->verb, stdout);
			return MMF_EXIT_OK;
		}
		if (c == ARGS_OPT_MOUNT) {
			if (*optarg == '\0')
				return report_usage(spec->verb, "option '--mount' needs a directory, not an empty value");
			out->mount = optarg;
			continue;
		}
		if (c == '?' || c == ':')
			return args_bad_option(spec->verb, c, argv, all);
		if (spec->option != NULL) {
			int rc = spec->option(c, optarg, spec->data);

			if (rc != 0)
				return rc;
		}
	}
	return -1;
}

void args_free(struct args *args)
{
	free(args->operands);
	args->operands = NULL;
}

int args_size(const char *verb, const char *text, uint64_t *out)
{
	int rc;

	if (strcmp(text, "unlimited") == 0) {
		*out = UINT64_MAX;
		return 0;
	}
	rc = size_parse(text, 0, out);
	if (rc == -ERANGE)
		return report_usage(verb, "bad size '%s': too large", text);
	if (rc != 0)
		return report_usage(verb, "bad size '%s': expected bytes with an optional k, m, g or t suffix "
				    "(1024, 64k, 1m) or 'unlimited'", text);
	if (*out == 0)
		return report_usage(verb, "bad size '%s': a capacity must be at least 1 byte", text);
	return 0;
}

int args_seconds(const char *verb, const char *text, double *out)
{
	char *end = NULL;
	double value;

	errno = 0;
	value = strtod(text, &end);
	/* Refuse what strtod takes but a timeout should not be: hex, "inf", "nan", signs, spaces. */
	if (end == text || *end != '\0' || errno != 0 || !isfinite(value) || value < 0 ||
	    strspn(text, "0123456789.") != strlen(text) || value > 1e9)
		return report_usage(verb, "bad timeout '%s': expected seconds such as 5 or 0.5", text);
	*out = value;
	return 0;
}
