// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// rxe-test: setup=rxe0 timeout=60
/*
 * Address handles through the distro's provider: a RoCE v2 address (our
 * own IPv4 GID) creates an AH; an address without a GRH is refused; a
 * thousand AHs come and go. (libibverbs has no query for AHs; the UD
 * send tests check that the address is used.)
 */
#include "rxe_test.h"

#define MANY 1000

int main(void)
{
	static struct ibv_ah *ahs[MANY];
	struct ibv_ah_attr attr = { .is_global = 1, .port_num = 1 };
	struct ibv_context *ctx;
	struct ibv_pd *pd;
	union ibv_gid gid;
	int i, idx;

	ctx = rt_open_dev();
	CHECK((pd = ibv_alloc_pd(ctx)));
	idx = rt_ipv4_gid(ctx, &gid);
	attr.grh.dgid = gid;
	attr.grh.sgid_index = idx;
	attr.grh.hop_limit = 64;

	for (i = 0; i < MANY; i++) {
		ahs[i] = ibv_create_ah(pd, &attr);
		if (!ahs[i])
			rt_fail("AH %d: %s", i, strerror(errno));
	}
	for (i = 0; i < MANY; i++)
		CHECK(ibv_destroy_ah(ahs[i]) == 0);

	{
		struct ibv_ah *ah = ibv_create_ah(pd, &attr);
		struct ibv_ah_attr noglobal = { .is_global = 0, .port_num = 1, .dlid = 1 };

		CHECK(ah);
		CHECK(ibv_destroy_ah(ah) == 0);
		CHECK(!ibv_create_ah(pd, &noglobal));
	}

	CHECK(ibv_dealloc_pd(pd) == 0);
	CHECK(ibv_close_device(ctx) == 0);
	return 0;
}
