// SPDX-License-Identifier: GPL-2.0
/* hrtimer_setup() sets the callback with the clock (hrtimer_init() went away). */
#include <linux/hrtimer.h>

static enum hrtimer_restart conftest_fire(struct hrtimer *t)
{
	return HRTIMER_NORESTART;
}

void conftest_hrtimer(struct hrtimer *t);
void conftest_hrtimer(struct hrtimer *t)
{
	hrtimer_setup(t, conftest_fire, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
}
