/* help.h - the --help texts of mmf and of each verb, and --version. */
#ifndef MMF_HELP_H
#define MMF_HELP_H

#include <stdio.h>

void help_main(FILE *out);
/* Prints the help of verb; returns 0, or -1 when there is no such verb. */
int help_verb(const char *verb, FILE *out);
void help_version(FILE *out);

#endif
