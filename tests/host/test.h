/* SPDX-License-Identifier: GPL-2.0 */
/* One PASS:/FAIL: line per check, as the top-level make check counts them. */
#ifndef WG_TEST_H
#define WG_TEST_H

#include <stdbool.h>
#include <stdio.h>

static int test_failures;

/* cond is evaluated exactly once: checks may have side effects. */
#define CHECK(cond, ...) do { \
	bool check_ok_ = (cond); \
	if (check_ok_) { \
		printf("PASS: "); \
	} else { \
		printf("FAIL: "); \
		test_failures++; \
	} \
	printf(__VA_ARGS__); \
	if (!check_ok_) \
		printf(" [%s:%d: %s]", __FILE__, __LINE__, #cond); \
	putchar('\n'); \
	fflush(stdout); \
} while (0)

#endif
