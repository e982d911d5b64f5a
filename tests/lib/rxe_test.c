// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rxe_test.h"

static void vsay(const char *tag, const char *fmt, va_list ap)
{
	printf("%s", tag);
	vprintf(fmt, ap);
	printf("\n");
	fflush(stdout);
}

void rt_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay("FAIL: ", fmt, ap);
	va_end(ap);
	exit(1);
}

void rt_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay("SKIP: ", fmt, ap);
	va_end(ap);
	exit(TEST_SKIP);
}

void rt_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay("# ", fmt, ap);
	va_end(ap);
}

const char *rt_dev_name(void)
{
	const char *n = getenv("RXE_DEV");

	return n && *n ? n : "rxe0";
}

struct ibv_context *rt_open_dev(void)
{
	struct ibv_device **list;
	struct ibv_context *ctx = NULL;
	int i, n;

	list = ibv_get_device_list(&n);
	if (!list)
		rt_fail("ibv_get_device_list: %s", strerror(errno));
	for (i = 0; i < n; i++) {
		if (strcmp(ibv_get_device_name(list[i]), rt_dev_name()))
			continue;
		ctx = ibv_open_device(list[i]);
		if (!ctx)
			rt_fail("ibv_open_device(%s): %s", rt_dev_name(), strerror(errno));
	}
	ibv_free_device_list(list);
	if (!ctx)
		rt_fail("device %s not found by libibverbs", rt_dev_name());
	return ctx;
}

void rt_sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	if (rc != 0)
		rt_fail("command '%s' failed (status %d)", cmd, rc);
}
