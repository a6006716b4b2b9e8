#!/usr/bin/env bash
# tdxsim check --atomicity (docs/check.md "Atomicity"): guest accept vs host
# removal under spec-retry on one SEPT entry.  At instruction atomicity the guest
# starves with the host-priority timeout off (a lasso that replays under sim);
# with the timeout on the stall ends in a TDX_HOST_PRIORITY_BUSY_TIMEOUT exit that
# KVM turns into KVM_EXIT_INTERNAL_ERROR; at step atomicity nothing starves.  Bad
# values are refused with exit status 2.
# Usage: bash check_atomicity.sh <path-to-tdxsim> <source-root>
set -u
bin=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
err() { echo "FAIL: $*" >&2; fail=1; }
export TDXSIM_DATA="$src/data"
cd "$src" || exit 1
S=scenarios/accept-spec-retry-starvation.yaml

# 1. The scenario's own atomicity (instr), timeout off: starvation and livelock.
"$bin" check "$S" --cex "$tmp/off.cex" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] || err "check $S: exit $rc (expectation not met?): $(tail -3 "$tmp/out") $(cat "$tmp/err")"
grep -q '^  atomicity: instr' "$tmp/out" || err "the report does not name the atomicity"
grep -qE '^  starvation +VIOLATED \(counterexample: [0-9]+ steps, lasso\)$' "$tmp/out" || err "no starvation"
grep -qE '^  vm_bug +holds$' "$tmp/out" || err "vm_bug does not hold"
grep -q 'first instruction' "$tmp/out" || err "the listing does not show the split acquire"
grep -q 'TDX_OPERAND_BUSY_HOST_PRIORITY' "$tmp/out" || err "the listing does not show the guest's BUSY_HOST_PRIORITY"
grep -q '^atomicity instr$' "$tmp/off.cex" || err "the counterexample file does not record the atomicity"
"$bin" replay "$tmp/off.cex" >"$tmp/rep" 2>&1
rc=$?
[ $rc -eq 0 ] || err "replay: exit $rc: $(cat "$tmp/rep")"
[ "$(grep -c 'under sim: REPRODUCED$' "$tmp/rep")" -eq 2 ] || err "replay: not both reproduced: $(cat "$tmp/rep")"

# 2. Timeout on: no starvation; the stall ends in the timeout exit and a user exit.
"$bin" check "$S" --hp-timeout on --properties deadlock,starvation,livelock,user_exit \
	--cex "$tmp/on.cex" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] || err "check --hp-timeout on: exit $rc, expected 1 (user_exit)"
grep -qE '^  starvation +holds$' "$tmp/out" || err "starvation with the timeout on"
grep -qE '^  livelock +holds$' "$tmp/out" || err "livelock with the timeout on"
grep -qE '^  user_exit +VIOLATED' "$tmp/out" || err "no user exit with the timeout on"
grep -q 'KVM_EXIT_INTERNAL_ERROR, VP.ENTER status 0x9000020500000000' "$tmp/out" ||
	err "the user exit is not the host-priority timeout"
grep -q 'TDH.VP.ENTER -> TDX_HOST_PRIORITY_BUSY_TIMEOUT' "$tmp/out" || err "no timeout exit in the listing"
"$bin" replay "$tmp/on.cex" >"$tmp/rep" 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q 'user_exit reproduced' "$tmp/rep" || err "replay of the user exit: exit $rc: $(cat "$tmp/rep")"

# 3. Step atomicity: the collision cannot happen.
"$bin" check "$S" --atomicity step --properties starvation,livelock,deadlock >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] || err "check --atomicity step: exit $rc"
grep -qE '^  starvation +holds$' "$tmp/out" || err "starvation at step atomicity"
grep -q '^  atomicity: step' "$tmp/out" || err "the report does not say step"

# 4. Bad values.
"$bin" check "$S" --atomicity word >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && grep -q -- '--atomicity wants step or instr' "$tmp/err" || err "bad --atomicity: exit $rc"
[ -s "$tmp/out" ] && err "bad --atomicity printed a partial report"
sed 's/^atomicity: instr$/atomicity: word/' "$S" >"$tmp/bad.yaml"
"$bin" check "$tmp/bad.yaml" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && grep -qE "bad.yaml:[0-9]+(:[0-9]+)?: .*'atomicity' must be step or instr" "$tmp/err" ||
	err "bad atomicity key: exit $rc: $(cat "$tmp/err")"
exit $fail
