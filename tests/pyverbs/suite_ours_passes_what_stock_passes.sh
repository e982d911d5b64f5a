#!/bin/bash
# rxe-test: setup=none timeout=1200
# rdma-core's own pyverbs suite, run in one boot on the kernel's in-tree
# rdma_rxe and then on ours: every test that passes on the stock driver
# passes on ours, except the known gaps listed in gaps/$RXE_TARGET.txt
# (features not written yet; they are not run on ours unless the host sets
# RXE_T_PYVERBS_GAPS=1, which runs them too and lists those that now pass).
set -u
. "$RXE_SRC/tests/lib/rxe.sh"

here=$RXE_SRC/tests/pyverbs
gaps=$here/gaps/$RXE_TARGET.txt
suite=/tmp/pyverbs-suite
rm -rf "$suite" && cp -r /usr/share/doc/rdma-core/tests "$suite" &&
	find "$suite" -name '*.gz' -exec gunzip -f {} + ||
	skip "no pyverbs tests in this distro (python3-pyverbs)"

# Seconds a test may take on ours (a test that passes on stock takes a few).
PER_TEST=${PYVERBS_PER_TEST:-30}

run_suite() {	# run_suite OUT [TEST_ID...]
	local out=$1 gid; shift
	rxe_add rxe0 "$RXE_NETDEV" || fail "rdma link add failed"
	wait_for 20 rxe_gid_index rxe0 || fail "no RoCE v2 IPv4 GID on rxe0"
	gid=$(rxe_gid_index rxe0)
	python3 "$RXE_SRC/tests/lib/pyverbs_run.py" "$suite" --timeout "$PER_TEST" \
		--dev rxe0 --gid "$gid" "$@" \
		> "$out" 2> "$out.stderr"
	cp "$out" "$out.stderr" "$RXE_RESULTS/logs/" 2>/dev/null
	grep -q "^PYV-SUMMARY" "$out" || {
		tail -5 "$out.stderr"
		fail "pyverbs run did not finish ($out, last: $(tail -1 "$out" | cut -c1-120))"
	}
	rdma link delete rxe0 || fail "rdma link delete failed"
}

stock_load || fail "cannot load the in-tree rdma_rxe"
run_suite stock.txt
rxe_unload || fail "cannot unload the in-tree rdma_rxe"

rxe_load || fail "cannot load our modules"
# Ours runs what passed on stock, minus the known gaps.
mapfile -t want < <(python3 "$RXE_SRC/tests/lib/pyverbs_compare.py" --to-run stock.txt "$gaps")
[ ${#want[@]} -gt 0 ] || fail "nothing to run on ours"
if [ "${RXE_T_PYVERBS_GAPS:-0}" = 1 ]; then
	mapfile -t -O ${#want[@]} want < <(python3 "$RXE_SRC/tests/lib/pyverbs_compare.py" \
		--gaps-to-run stock.txt "$gaps")
fi
note "running ${#want[@]} tests on ours (the stock passes minus the known gaps)"
run_suite ours.txt "${want[@]}"
python3 "$RXE_SRC/tests/lib/pyverbs_compare.py" stock.txt ours.txt "$gaps"
