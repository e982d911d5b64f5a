// SPDX-License-Identifier: GPL-2.0
/* ODP capability bits for FLUSH and ATOMIC WRITE exist (7.x verbs). */
#include <rdma/ib_verbs.h>

u32 conftest_odp_flush(void);
u32 conftest_odp_flush(void)
{
	return IB_ODP_SUPPORT_FLUSH | IB_ODP_SUPPORT_ATOMIC_WRITE;
}
