// SPDX-License-Identifier: GPL-2.0
/* Pinning user memory is ib_umem_get_va() (was ib_umem_get()). */
#include <rdma/ib_umem.h>

struct ib_umem *conftest_umem(struct ib_device *dev, unsigned long addr, size_t size);
struct ib_umem *conftest_umem(struct ib_device *dev, unsigned long addr, size_t size)
{
	return ib_umem_get_va(dev, addr, size, 0);
}
