// SPDX-License-Identifier: GPL-2.0
/*
 * The CRC library's crc32_le() runs the CPU's CRC instructions itself
 * (the header then reports which paths are optimized); before, only the
 * crypto API's "crc32" driver (crc32-pclmul on x86) did.
 */
#include <linux/bits.h>
#include <linux/crc32.h>

u32 conftest_crc32_optimizations(void);
u32 conftest_crc32_optimizations(void)
{
	return crc32_optimizations() & CRC32_LE_OPTIMIZATION;
}
