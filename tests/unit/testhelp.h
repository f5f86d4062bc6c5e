/*
 * testhelp: the unit-test harness (after Redis's testhelp.h). Each check
 * prints one TAP line, "ok - what" or "not ok - what (file:line)"; main
 * ends with TEST_DONE(), which prints the counts and sets the exit status.
 * tests/run.sh adds the counts of every unit binary and bats file.
 */
#ifndef TESTHELP_H
#define TESTHELP_H

#include <stdio.h>
#include <string.h>

static int test_passed_, test_failed_;

#define CHECK(cond, ...) do {						\
	if (cond) {							\
		test_passed_++;						\
		printf("ok - ");					\
		printf(__VA_ARGS__);					\
		printf("\n");						\
	} else {							\
		test_failed_++;						\
		printf("not ok - ");					\
		printf(__VA_ARGS__);					\
		printf(" (%s:%d: %s)\n", __FILE__, __LINE__, #cond);	\
	}								\
} while (0)

#define CHECK_EQ_U(a, b, ...) do {					\
	unsigned long long a_ = (a), b_ = (b);				\
	CHECK(a_ == b_, __VA_ARGS__);					\
	if (a_ != b_)							\
		printf("#   got %llu, want %llu\n", a_, b_);		\
} while (0)

#define CHECK_STR(a, b, ...) do {					\
	const char *a_ = (a), *b_ = (b);				\
	int same_ = a_ != NULL && b_ != NULL && strcmp(a_, b_) == 0;	\
	CHECK(same_, __VA_ARGS__);					\
	if (!same_)							\
		printf("#   got \"%s\", want \"%s\"\n",			\
		    a_ ? a_ : "(null)", b_ ? b_ : "(null)");		\
} while (0)

#define TEST_DONE() do {						\
	printf("# %d passed, %d failed\n", test_passed_, test_failed_);	\
	return test_failed_ == 0 ? 0 : 1;				\
} while (0)

#endif
