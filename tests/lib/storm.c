// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * storm.c - an invalidation storm for the ODP tests: a thread that keeps
 * invalidating buffers without changing what they hold.
 */
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "rxe_test.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#define RT_MPOL_MF_MOVE (1 << 1)
#define PG 4096
#define MAX_PAGES 256

static void storm_once(struct rt_storm *s, unsigned int i)
{
	uint8_t *b = s->bufs[rand_r(&s->seed) % s->nbufs];
	size_t np = s->len / PG, first = rand_r(&s->seed) % np;
	size_t n = 1 + rand_r(&s->seed) % (np - first), k;
	void *pages[MAX_PAGES];
	int nodes[MAX_PAGES], st[MAX_PAGES], op = i % RT_STORM_OPS, status;
	pid_t pid;

	switch (op) {
	case 0:	/* a protection flip invalidates the whole range */
		mprotect(b, s->len, PROT_READ | PROT_WRITE | PROT_EXEC);
		mprotect(b, s->len, PROT_READ | PROT_WRITE);
		break;
	case 1:	/* fork write-protects every page for COW */
		pid = fork();
		if (pid == 0)
			_exit(0);
		if (pid > 0)
			waitpid(pid, &status, 0);
		break;
	case 2:	/* to swap (where there is some) and back on the next touch */
		madvise(b + first * PG, n * PG, MADV_PAGEOUT);
		break;
	case 3:	/* to the other NUMA node (where there is one) */
		if (n > MAX_PAGES)
			n = MAX_PAGES;
		for (k = 0; k < n; k++) {
			pages[k] = b + (first + k) * PG;
			nodes[k] = (i / RT_STORM_OPS) & 1;
		}
		syscall(SYS_move_pages, 0, n, pages, nodes, st, RT_MPOL_MF_MOVE);
		break;
	}
	s->ops[op]++;
}

static void *storm_thread(void *arg)
{
	struct rt_storm *s = arg;
	unsigned int i = 0;

	while (!__atomic_load_n(&s->stop, __ATOMIC_RELAXED))
		storm_once(s, i++);
	return NULL;
}

void rt_storm_start(struct rt_storm *s, uint8_t *const *bufs, int nbufs, size_t len,
		    unsigned int seed)
{
	memset(s, 0, sizeof(*s));
	s->bufs = bufs;
	s->nbufs = nbufs;
	s->len = len;
	s->seed = seed;
	if (pthread_create(&s->thread, NULL, storm_thread, s))
		rt_fail("cannot start the invalidation storm thread");
}

void rt_storm_stop(struct rt_storm *s)
{
	__atomic_store_n(&s->stop, 1, __ATOMIC_RELAXED);
	pthread_join(s->thread, NULL);
}
