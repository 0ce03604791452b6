/* check_main.c - runs every unit-test suite of the core and exits non-zero if any test failed. */
#include <stdlib.h>

#include "suites.h"

int main(void)
{
	SRunner *runner = srunner_create(size_suite());
	srunner_add_suite(runner, pool_suite());
	srunner_add_suite(runner, meta_suite());
	srunner_add_suite(runner, names_suite());
	srunner_add_suite(runner, backing_suite());
	srunner_add_suite(runner, store_suite());
	srunner_add_suite(runner, prealloc_suite());
	srunner_run_all(runner, CK_NORMAL);
	int failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
