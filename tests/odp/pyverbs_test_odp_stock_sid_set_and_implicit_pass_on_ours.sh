#!/bin/bash
# rxe-test: setup=none timeout=900 debug=off
# rdma-core's pyverbs test_odp on our driver: every test that passes on
# the stock rdma_rxe of sid (pyverbs_odp_reference.txt, 15 of 23) passes
# on ours, and so do the implicit-ODP and hugetlb tests the stock driver
# skips (pyverbs_odp_ours_extra.txt), on every kernel (those this
# distro's rdma-core has: older ones lack some). The prefetch tests need
# ibv_advise_mr in the provider: ours has it everywhere, the distro's
# librxe from rdma-core 57 on; only a run with the distro's provider on an
# older distro lets them skip, for that reason. On sid the stock
# driver runs the module first in the same boot, to keep the reference
# honest.
set -u
. "$RXE_SRC/tests/lib/rxe.sh"

ref=$RXE_SRC/tests/odp/pyverbs_odp_reference.txt
extra_ref=$RXE_SRC/tests/odp/pyverbs_odp_ours_extra.txt
suite=/tmp/pyverbs-suite
rm -rf "$suite" && cp -r /usr/share/doc/rdma-core/tests "$suite" &&
	find "$suite" -name '*.gz' -exec gunzip -f {} + ||
	skip "no pyverbs tests in this distro (python3-pyverbs)"
[ -e "$suite/test_odp.py" ] || skip "this rdma-core has no test_odp"

run_odp() {	# run_odp OUT
	local gid
	rxe_add rxe0 "$RXE_NETDEV" || fail "rdma link add failed"
	wait_for 20 rxe_gid_index rxe0 || fail "no RoCE v2 IPv4 GID on rxe0"
	gid=$(rxe_gid_index rxe0)
	python3 "$RXE_SRC/tests/lib/pyverbs_run.py" "$suite" --timeout 60 \
		--dev rxe0 --gid "$gid" tests.test_odp > "$1" 2> "$1.stderr"
	cp "$1" "$1.stderr" "$RXE_RESULTS/logs/" 2>/dev/null
	grep -q "^PYV-SUMMARY" "$1" || fail "test_odp did not finish ($(tail -1 "$1.stderr"))"
	rdma link delete rxe0 || fail "rdma link delete failed"
}

if [ "$RXE_TARGET" = sid ]; then
	stock_load || fail "cannot load the in-tree rdma_rxe"
	run_odp stock.txt
	rxe_unload || fail "cannot unload the in-tree rdma_rxe"
	extra=$(grep '^PYV ok ' stock.txt | awk '{print $3}' | grep -vxFf "$ref")
	[ -z "$extra" ] || note "stock passes tests not in the reference: $extra"
	note "stock sid: $(grep -c '^PYV ok ' stock.txt) of $(grep -c '^PYV ' stock.txt) pass"
fi

rxe_load || fail "cannot load our modules"
# ours maps hugetlb pages too (the stock driver has no hugetlb ODP): give
# the huge-page tests their pages, they are reported beyond the reference
echo 64 > /proc/sys/vm/nr_hugepages
run_odp ours.txt
echo 0 > /proc/sys/vm/nr_hugepages
grep '^PYV ' ours.txt | sed 's/^/# /'

# does this provider implement ibv_advise_mr? (ours does; librxe from 57 on)
advise=yes
provider_has_advise_mr || advise=no

bad=0
while read -r t; do
	[ -n "$t" ] || continue
	if ! grep -q "def ${t##*.}(" "$suite/test_odp.py"; then
		note "not in this rdma-core's test_odp: ${t##*.}"
		continue
	fi
	line=$(grep -F " $t" ours.txt | head -1)
	res=$(echo "$line" | awk '{print $2}')
	case $res in
	ok) ;;
	skip)
		if [ $advise = no ] && case $t in *prefetch*) true;; *) false;; esac; then
			note "expected skip (provider without advise_mr): $t"
		else
			echo "# ours skips: $line"; bad=1
		fi ;;
	*)
		echo "# ours does not pass: ${line:-$t (not run)}"; bad=1 ;;
	esac
done < <(cat "$ref" "$extra_ref")
[ $bad = 0 ] || fail "test_odp: a test of the stock sid set or of our extra set does not pass on ours"
note "ours: $(grep -c '^PYV ok ' ours.txt) of $(grep -c '^PYV ' ours.txt) test_odp tests pass ($(provider_current) provider; advise_mr: $advise)"
note "beyond the reference: $(grep '^PYV ok ' ours.txt | awk '{print $3}' | grep -vxFf "$ref" | sed 's/.*\.//' | tr '\n' ' ')"
