#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# CHECK= wrapper for kbuild: records each file sparse checks (the last
# argument) in $SPARSE_RECORD, so build.sh can prove sparse really ran.
for last; do :; done
echo "$last" >> "${SPARSE_RECORD:?}"
exec sparse "$@"
