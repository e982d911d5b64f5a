// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// rxe-test: setup=modules timeout=120
/*
 * ODP core, fork: fork() write-protects the parent's private pages for
 * copy-on-write, which invalidates the region's writable translations;
 * afterwards a write through the region breaks the COW in the parent
 * (the parent's CPU sees it, the child keeps the old data) and the CPU's
 * own writes after the fork are what the region reads.
 */
#include <sys/mman.h>
#include <sys/wait.h>

#include "odpt.h"
#include "rxe_test.h"

#define NPAGES 8

int main(void)
{
	size_t len = NPAGES * ODPT_PAGE;
	uint8_t *buf = rt_map(len, ODPT_PAGE), *tmp = malloc(len);
	int fd = odpt_open(), pipefd[2], status;
	char c;
	pid_t pid;

	CHECK(tmp && pipe(pipefd) == 0);
	odpt_register(fd, buf, len, 1);
	rt_fill(tmp, len, 21);
	odpt_write(fd, buf, tmp, len);
	CHECK(odpt_count_state(fd, buf, NPAGES, 2) == NPAGES);

	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		/* child: wait until the parent has written, then check its copy */
		if (read(pipefd[0], &c, 1) != 1)
			_exit(2);
		_exit(rt_mismatch(buf, len, 21) < 0 ? 0 : 1);
	}
	CHECK(odpt_count_state(fd, buf, NPAGES, 2) == 0);

	/* device writes pages 0..3, CPU writes pages 4..7 */
	rt_fill(tmp, 4 * ODPT_PAGE, 22);
	odpt_write(fd, buf, tmp, 4 * ODPT_PAGE);
	CHECK(rt_mismatch(buf, 4 * ODPT_PAGE, 22) < 0);
	rt_fill(buf + 4 * ODPT_PAGE, 4 * ODPT_PAGE, 23);
	odpt_read(fd, buf + 4 * ODPT_PAGE, tmp, 4 * ODPT_PAGE);
	CHECK(rt_mismatch(tmp, 4 * ODPT_PAGE, 23) < 0);

	CHECK(write(pipefd[1], "x", 1) == 1);
	CHECK(waitpid(pid, &status, 0) == pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		rt_fail("the child's copy changed (status %#x)", status);
	close(fd);
	rt_note("COW after fork: parent and child data checked");
	return 0;
}
