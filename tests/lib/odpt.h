/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * odpt.h - helpers for the tests of the ODP core through its test driver
 * (/dev/rdma_odp_test, kernel/tests/rdma_odp_test.c). Each helper fails
 * the test on an unexpected error; the *_err variants return -errno.
 */
#ifndef ODPT_H
#define ODPT_H

#include <stddef.h>
#include <stdint.h>
#include "rdma_odp_test_uapi.h"

#define ODPT_PAGE 4096UL

/* Load the test driver if needed and open it (one region per fd). */
int odpt_open(void);
void odpt_register(int fd, void *addr, size_t len, int writable);
int odpt_register_err(int fd, void *addr, size_t len, int writable);
void odpt_unregister(int fd);

int odpt_fault_err(int fd, void *addr, size_t len, int write);
int odpt_prefetch_err(int fd, void *addr, size_t len, unsigned int flags);
int odpt_read_err(int fd, const void *addr, void *buf, size_t len);
int odpt_write_err(int fd, void *addr, const void *buf, size_t len);
void odpt_read(int fd, const void *addr, void *buf, size_t len);
void odpt_write(int fd, void *addr, const void *buf, size_t len);

/* Page states (0 none, 1 read, 2 write) of @npages from @addr into @out. */
void odpt_state(int fd, void *addr, size_t npages, uint8_t *out);
/* How many of @npages from @addr have state @want. */
size_t odpt_count_state(int fd, void *addr, size_t npages, int want);
struct rdma_odp_test_info odpt_info(int fd);

#endif /* ODPT_H */
