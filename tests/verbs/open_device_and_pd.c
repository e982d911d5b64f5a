// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// rxe-test: setup=rxe0 timeout=60
/*
 * The distro's libibverbs opens our device through its rxe provider (a
 * uverbs context), allocates and frees protection domains, and closes it.
 * With --hold it keeps the context and a PD until stdin reaches EOF (used
 * by module/rmmod_refused_while_in_use).
 */
#include <unistd.h>

#include "rxe_test.h"

#define NUM_PDS 64

int main(int argc, char **argv)
{
	struct ibv_pd *pds[NUM_PDS];
	struct ibv_context *ctx;
	char c;
	int i;

	ctx = rt_open_dev();
	for (i = 0; i < NUM_PDS; i++) {
		pds[i] = ibv_alloc_pd(ctx);
		CHECK(pds[i]);
	}
	if (argc > 1 && !strcmp(argv[1], "--hold")) {
		printf("holding %s\n", rt_dev_name());
		fflush(stdout);
		while (read(0, &c, 1) > 0)
			;
	}
	for (i = 0; i < NUM_PDS; i++)
		CHECK(ibv_dealloc_pd(pds[i]) == 0);
	CHECK(ibv_close_device(ctx) == 0);
	return 0;
}
