// SPDX-License-Identifier: GPL-2.0
/* The verbs know FLUSH (IBA 1.5): device caps and MR access flags for it. */
#include <rdma/ib_verbs.h>

u64 conftest_flush(void);
u64 conftest_flush(void)
{
	return IB_DEVICE_FLUSH_GLOBAL | IB_DEVICE_FLUSH_PERSISTENT | IB_ACCESS_FLUSH_PERSISTENT;
}
