// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* odpt.c - helpers for the ODP core tests (see odpt.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "odpt.h"
#include "rxe_test.h"

int odpt_open(void)
{
	int fd = open("/dev/rdma_odp_test", O_RDWR);

	if (fd < 0) {
		if (system("modprobe rdma_odp_test") != 0)
			rt_fail("cannot load the rdma_odp_test module");
		fd = open("/dev/rdma_odp_test", O_RDWR);
	}
	CHECK(fd >= 0);
	return fd;
}

static int odpt_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

int odpt_register_err(int fd, void *addr, size_t len, int writable)
{
	struct rdma_odp_test_reg r = {
		.addr = (uintptr_t)addr, .len = len,
		.flags = writable ? RDMA_ODP_TEST_WRITABLE : 0,
	};

	return odpt_ioctl(fd, RDMA_ODP_TEST_REGISTER, &r);
}

void odpt_register(int fd, void *addr, size_t len, int writable)
{
	int err = odpt_register_err(fd, addr, len, writable);

	if (err)
		rt_fail("register %p+%#zx: %s", addr, len, strerror(-err));
}

void odpt_unregister(int fd)
{
	CHECK(ioctl(fd, RDMA_ODP_TEST_UNREGISTER) == 0);
}

int odpt_fault_err(int fd, void *addr, size_t len, int write)
{
	struct rdma_odp_test_range r = {
		.addr = (uintptr_t)addr, .len = len,
		.flags = write ? RDMA_ODP_TEST_FAULT_WRITE : 0,
	};

	return odpt_ioctl(fd, RDMA_ODP_TEST_FAULT, &r);
}

int odpt_prefetch_err(int fd, void *addr, size_t len, unsigned int flags)
{
	struct rdma_odp_test_range r = { .addr = (uintptr_t)addr, .len = len, .flags = flags };

	return odpt_ioctl(fd, RDMA_ODP_TEST_PREFETCH, &r);
}

int odpt_read_err(int fd, const void *addr, void *buf, size_t len)
{
	struct rdma_odp_test_io io = {
		.addr = (uintptr_t)addr, .len = len, .buf = (uintptr_t)buf,
	};

	return odpt_ioctl(fd, RDMA_ODP_TEST_READ, &io);
}

int odpt_write_err(int fd, void *addr, const void *buf, size_t len)
{
	struct rdma_odp_test_io io = {
		.addr = (uintptr_t)addr, .len = len, .buf = (uintptr_t)buf,
	};

	return odpt_ioctl(fd, RDMA_ODP_TEST_WRITE, &io);
}

void odpt_read(int fd, const void *addr, void *buf, size_t len)
{
	int err = odpt_read_err(fd, addr, buf, len);

	if (err)
		rt_fail("read through the region at %p+%#zx: %s", addr, len, strerror(-err));
}

void odpt_write(int fd, void *addr, const void *buf, size_t len)
{
	int err = odpt_write_err(fd, addr, buf, len);

	if (err)
		rt_fail("write through the region at %p+%#zx: %s", addr, len, strerror(-err));
}

void odpt_state(int fd, void *addr, size_t npages, uint8_t *out)
{
	struct rdma_odp_test_state st = {
		.addr = (uintptr_t)addr, .npages = npages, .buf = (uintptr_t)out,
	};

	CHECK(ioctl(fd, RDMA_ODP_TEST_STATE, &st) == 0);
}

size_t odpt_count_state(int fd, void *addr, size_t npages, int want)
{
	uint8_t *st = malloc(npages);
	size_t i, n = 0;

	CHECK(st);
	odpt_state(fd, addr, npages, st);
	for (i = 0; i < npages; i++)
		n += st[i] == want;
	free(st);
	return n;
}

struct rdma_odp_test_info odpt_info(int fd)
{
	struct rdma_odp_test_info info;

	CHECK(ioctl(fd, RDMA_ODP_TEST_INFO, &info) == 0);
	return info;
}
