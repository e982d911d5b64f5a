// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// rxe-test: setup=modules timeout=180
/*
 * ODP core, teardown: processes that exit with a region registered and
 * mapped (and others SIGKILLed while threads write through their region
 * in a loop) leave nothing behind: the regions are destroyed after the
 * mm is gone, without a warning, and the module unloads afterwards.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "odpt.h"
#include "rxe_test.h"

#define LEN (64 * ODPT_PAGE)

static uint8_t *g_buf;
static int g_fd;

static void *writer(void *arg)
{
	static uint8_t tmp[LEN];

	(void)arg;
	for (;;)
		if (odpt_write_err(g_fd, g_buf, tmp, LEN))
			break;
	return NULL;
}

static void child(int busy)
{
	pthread_t t[2];
	int i;

	g_buf = rt_map(LEN, ODPT_PAGE);
	g_fd = odpt_open();
	odpt_register(g_fd, g_buf, LEN, 1);
	rt_fill(g_buf, LEN, 51);
	if (!busy)
		_exit(odpt_fault_err(g_fd, g_buf, LEN, 1) ? 1 : 0);
	for (i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, writer, NULL);
	pause();
	_exit(0);
}

int main(void)
{
	int i, status, killed = 0;

	for (i = 0; i < 20; i++) {
		int busy = i & 1;
		pid_t pid = fork();

		CHECK(pid >= 0);
		if (pid == 0)
			child(busy);
		if (busy) {
			usleep(20000 + 10000 * (i % 5));
			kill(pid, SIGKILL);
		}
		CHECK(waitpid(pid, &status, 0) == pid);
		if (busy) {
			CHECK(WIFSIGNALED(status));
			killed++;
		} else if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			rt_fail("child %d failed (status %#x)", i, status);
		}
	}
	rt_sh("rmmod rdma_odp_test");
	rt_note("%d processes exited with a mapped region, %d killed mid-write; module unloaded",
		20 - killed, killed);
	return 0;
}
