#!/usr/bin/env bash
# Shared by tests/cli/scenario_*.sh: run one bundled scenario under `tdxsim sim
# --expect` and check that it meets the outcome its file states (expect: block),
# plus exact lines the caller asks for.  Not picked up as a test itself (CTest
# globs tests/cli/*.sh only).
#   scenario_check <bin> <src> <scenario-name> <expected-outcome> [grep-pattern...]
scenario_check() {
	local bin=$1 src=$2 name=$3 outcome=$4
	shift 4
	local tmp rc fail=0
	tmp=$(mktemp -d)
	export TDXSIM_DATA="$src/data"
	(cd "$src" && "$bin" sim "scenarios/$name.yaml" --expect) >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "FAIL: tdxsim sim scenarios/$name.yaml --expect exited $rc" >&2
		cat "$tmp/err" >&2
		sed -n '1,40p' "$tmp/out" >&2
		fail=1
	fi
	grep -q '^expect: met$' "$tmp/out" || { echo "FAIL: $name: no 'expect: met'" >&2; fail=1; }
	grep -q "^outcome: $outcome at " "$tmp/out" || {
		echo "FAIL: $name: outcome is not '$outcome': $(grep '^outcome' "$tmp/out")" >&2
		fail=1
	}
	local p
	for p in "$@"; do
		grep -qE -- "$p" "$tmp/out" || { echo "FAIL: $name: no line matching /$p/" >&2; fail=1; }
	done
	rm -rf "$tmp"
	return $fail
}
