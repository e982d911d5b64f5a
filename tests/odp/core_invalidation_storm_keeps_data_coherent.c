// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// rxe-test: setup=modules timeout=240 mem=768 smp=2 swap=256 numa=2
/*
 * ODP core, invalidation storm: while one thread writes through the
 * region and checks with the CPU (and the reverse) page by page, another
 * keeps invalidating the same memory without changing its contents:
 * mprotect flips, fork (COW write-protect), MADV_PAGEOUT to swap and page
 * migration between the guest's two NUMA nodes. Zero mismatches, and the
 * invalidations were real (counted). $ODPT_STORM_SECS sets the length
 * (default 10 s).
 */
#include <pthread.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "odpt.h"
#include "rxe_test.h"

#define NPAGES 64
#define MPOL_MF_MOVE_ (1 << 1)
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

static uint8_t *buf;
static volatile int stop;
static unsigned long ops[4], op_fail[4];

static void *storm(void *arg)
{
	unsigned int i = 0, seed = 1;

	(void)arg;
	while (!stop) {
		int op = i++ % 4, status;
		size_t first = rand_r(&seed) % NPAGES, n = 1 + rand_r(&seed) % (NPAGES - first);
		pid_t pid;

		switch (op) {
		case 0:
			if (mprotect(buf, NPAGES * ODPT_PAGE, PROT_READ | PROT_WRITE | PROT_EXEC) ||
			    mprotect(buf, NPAGES * ODPT_PAGE, PROT_READ | PROT_WRITE))
				op_fail[op]++;
			break;
		case 1:
			pid = fork();
			if (pid == 0)
				_exit(0);
			if (pid < 0 || waitpid(pid, &status, 0) != pid)
				op_fail[op]++;
			break;
		case 2:
			if (madvise(buf + first * ODPT_PAGE, n * ODPT_PAGE, MADV_PAGEOUT))
				op_fail[op]++;
			break;
		case 3: {
			void *pages[NPAGES];
			int nodes[NPAGES], st[NPAGES];
			size_t k;

			for (k = 0; k < n; k++) {
				pages[k] = buf + (first + k) * ODPT_PAGE;
				nodes[k] = (i / 4) & 1;
			}
			if (syscall(SYS_move_pages, 0, n, pages, nodes, st, MPOL_MF_MOVE_) < 0)
				op_fail[op]++;
			break;
		}
		}
		ops[op]++;
	}
	return NULL;
}

int main(void)
{
	const char *env = getenv("ODPT_STORM_SECS");
	int secs = env ? atoi(env) : 10, fd = odpt_open();
	uint8_t tmp[ODPT_PAGE];
	unsigned long checks = 0, mismatches = 0;
	struct rdma_odp_test_info info;
	uint32_t seq = 100;
	pthread_t t;
	time_t end;

	buf = rt_map(NPAGES * ODPT_PAGE, ODPT_PAGE);
	rt_fill(buf, NPAGES * ODPT_PAGE, 99);
	odpt_register(fd, buf, NPAGES * ODPT_PAGE, 1);
	CHECK(pthread_create(&t, NULL, storm, NULL) == 0);
	end = time(NULL) + secs;
	while (time(NULL) < end) {
		size_t p = seq % NPAGES, q = (seq * 7 + 3) % NPAGES;

		rt_fill(tmp, ODPT_PAGE, seq);
		odpt_write(fd, buf + p * ODPT_PAGE, tmp, ODPT_PAGE);
		mismatches += rt_mismatch(buf + p * ODPT_PAGE, ODPT_PAGE, seq) >= 0;
		rt_fill(buf + q * ODPT_PAGE, ODPT_PAGE, seq + 1);
		odpt_read(fd, buf + q * ODPT_PAGE, tmp, ODPT_PAGE);
		mismatches += rt_mismatch(tmp, ODPT_PAGE, seq + 1) >= 0;
		checks += 2;
		seq += 2;
	}
	stop = 1;
	pthread_join(t, NULL);
	info = odpt_info(fd);
	rt_note("%d s: %lu checks, %lu mismatches; mprotect %lu, fork %lu, pageout %lu (%lu failed), "
		"migrate %lu (%lu failed); invalidations %llu (%llu pages), faults %llu",
		secs, checks, mismatches, ops[0], ops[1], ops[2], op_fail[2], ops[3], op_fail[3],
		(unsigned long long)info.stats[RDMA_ODP_TEST_STAT_INVALIDATIONS],
		(unsigned long long)info.stats[RDMA_ODP_TEST_STAT_INVALIDATED_PAGES],
		(unsigned long long)info.stats[RDMA_ODP_TEST_STAT_FAULTS]);
	CHECK(mismatches == 0);
	CHECK(op_fail[0] == 0 && op_fail[1] == 0);
	CHECK(checks > 100);
	CHECK(info.stats[RDMA_ODP_TEST_STAT_INVALIDATIONS] > 100);
	close(fd);
	return 0;
}
