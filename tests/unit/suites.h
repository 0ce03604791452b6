/* suites.h - the unit-test suites of the core, one per module, gathered by check_main.c. */
#ifndef MMFS_SUITES_H
#define MMFS_SUITES_H

#include <check.h>

Suite *size_suite(void);
Suite *pool_suite(void);
Suite *meta_suite(void);
Suite *names_suite(void);
Suite *backing_suite(void);
Suite *store_suite(void);
Suite *prealloc_suite(void);

#endif
