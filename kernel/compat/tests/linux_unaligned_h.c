// SPDX-License-Identifier: GPL-2.0
/* The unaligned accessors live in <linux/unaligned.h> (were <asm/unaligned.h>). */
#include <linux/unaligned.h>

u32 conftest_unaligned(const void *p);
u32 conftest_unaligned(const void *p)
{
	return get_unaligned_le32(p);
}
