/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * rxe_test.h - helpers for the C tests. A test exits 0 to pass, 77 to
 * skip; it prints "FAIL: reason" / "SKIP: reason" as its last line.
 */
#ifndef RXE_TEST_H
#define RXE_TEST_H

#include <errno.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <infiniband/verbs.h>

#define TEST_SKIP 77

void rt_fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void rt_skip(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void rt_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Fail with the expression text and errno when @cond is false. */
#define CHECK(cond, ...)							\
	do {									\
		if (!(cond))							\
			rt_fail("%s:%d: %s (errno %d: %s)", __FILE__, __LINE__,	\
				#cond, errno, strerror(errno));			\
	} while (0)

/* The device under test: $RXE_DEV (default rxe0). */
const char *rt_dev_name(void);

/* Open the device under test; fails the test if it is absent. */
struct ibv_context *rt_open_dev(void);

/* Run a shell command, fail the test if it does not exit 0. */
void rt_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* RXE_TEST_H */
