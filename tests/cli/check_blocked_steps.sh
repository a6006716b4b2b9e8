#!/usr/bin/env bash
# The flow contract (src/vmm/flow.h): a BLOCKED step changes nothing.  tdxsim check
# undoes whatever a blocked step wrote and says so in a note; no bundled scenario
# may draw it.  The runs cover a VMM lock that blocks before the step's visible
# action: a program's first lock (guest_memfd punch hole, CPU online/offline) and
# the 6.19 TD state guard's first lock after its yield (KVM_TDX_INIT_VCPU).
# Usage: bash check_blocked_steps.sh <path-to-tdxsim> <source-root>
set -u
bin=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
err() { echo "FAIL: $*" >&2; fail=1; }
export TDXSIM_DATA="$src/data"
cd "$src" || exit 1

run() {
	"$bin" check "$@" --quiet --max-states 20000 >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	[ $rc -eq 0 ] || [ $rc -eq 3 ] || err "check $*: exit $rc: $(cat "$tmp/err")"
	grep -q '^states [0-9]*, transitions [0-9]*' "$tmp/out" || err "check $*: no states line"
	if grep -q 'blocked step(s) wrote to the state' "$tmp/out"; then
		err "check $*: $(grep 'blocked step(s) wrote' "$tmp/out")"
	fi
}

run scenarios/accept-vs-aug-block.yaml --policy spec-retry --hp-timeout off
run scenarios/accept-vs-aug-block.yaml --policy kvm-6.19 --hp-timeout off
run scenarios/zero-step-vs-removal.yaml
run scenarios/build-vp-create-vs-mr-extend-6.19.yaml
run scenarios/init-cpu-offline.yaml
run scenarios/init-hotplug.yaml

exit $fail
