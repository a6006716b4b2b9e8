#!/usr/bin/env bash
# tdxsim check counterexamples replay under sim (docs/check.md "Replay"): the
# memslot-deletion livelock and starvation lassos, a VM BUG path of zero-step vs
# removal under zero-tolerance; a tampered schedule is not reproduced; the trace is
# Chrome trace JSON; DOT output exists.
# Usage: bash check_replay.sh <path-to-tdxsim> <source-root>
set -u
bin=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
err() { echo "FAIL: $*" >&2; fail=1; }
export TDXSIM_DATA="$src/data"
cd "$src" || exit 1

F=tests/data/check/memslot-livelock.yaml
"$bin" check "$F" --cex "$tmp/ml.cex" --dot "$tmp/ml.dot" --trace "$tmp/ml.trace" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] || err "check $F: exit $rc ($(cat "$tmp/err"))"
grep -qE '^  livelock +VIOLATED \(counterexample: [0-9]+ steps, lasso\)$' "$tmp/out" || err "no livelock"
grep -q 'deleter blocked throughout' "$tmp/out" || err "the livelock does not name the blocked deleter"
grep -q 'vcpu0 spins' "$tmp/out" || err "the livelock does not name the spinning vCPU"
grep -q -- '---- the cycle starts here' "$tmp/out" || err "no cycle marker in the listing"
grep -q '^digraph cex {' "$tmp/ml.dot" || err "no DOT file"
"$bin" replay "$tmp/ml.cex" --trace "$tmp/replay.trace" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] || err "replay: exit $rc: $(cat "$tmp/out" "$tmp/err")"
[ "$(grep -c 'under sim: REPRODUCED$' "$tmp/out")" -eq 2 ] || err "replay: not both reproduced: $(cat "$tmp/out")"
for t in "$tmp/ml.trace" "$tmp/replay.trace"; do
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); e=d['traceEvents'] if isinstance(d,dict) else d; assert len(e)>3" "$t" ||
		err "$t is not a Chrome trace"
done
# Tamper with the cycle: one vCPU step less -> no longer the same state.
awk '/^schedule/{n=$2; print "schedule " n-1; sched=1; next} sched && /^ /{ if (!done) { sub(/ 1$/, ""); done=1 } } {print}' "$tmp/ml.cex" |
	awk 'BEGIN{c=0} /^cex /{c++} c<=1{print} c>1 && /^end/{c++}' >"$tmp/bad.cex"
"$bin" replay "$tmp/bad.cex" --property livelock >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] || [ $rc -eq 2 ] || err "a tampered counterexample replayed with exit $rc: $(cat "$tmp/out" "$tmp/err")"

# VM BUG: zero-step vs removal under zero-tolerance (stop at the first violation).
Z=tests/data/check/zero-step-removal-small.yaml
"$bin" check "$Z" --policy zero-tolerance --stop-first --cex "$tmp/zs.cex" >"$tmp/out" 2>"$tmp/err"
grep -qE '^  vm_bug +VIOLATED' "$tmp/out" || err "zero-tolerance: no VM BUG: $(grep -E 'vm_bug|STOPPED' "$tmp/out")"
grep -q 'VM BUG (KVM_BUG_ON) in punch: TDH.MEM.RANGE.BLOCK returned TDX_OPERAND_BUSY' "$tmp/out" ||
	err "the VM BUG is not BLOCK's BUSY: $(grep 'VM BUG' "$tmp/out" | head -2)"
"$bin" replay "$tmp/zs.cex" --property vm_bug >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] || err "replay vm_bug: exit $rc: $(cat "$tmp/out" "$tmp/err")"
grep -q '^replay vm_bug (.*) under sim: REPRODUCED$' "$tmp/out" || err "vm_bug not reproduced: $(cat "$tmp/out")"
exit $fail
