#!/usr/bin/env bash
# The checker's model contracts (docs/check.md section 9) on every bundled
# scenario and check fixture: with --paranoid every step is compared over the whole
# world (a write outside the model's diff ranges fails the search), breadth-first
# and depth-first (deeper states) under a state limit; with --validate the state
# abstraction's forgotten fields are scrambled and every successor compared.
# Usage: bash check_paranoid.sh <path-to-tdxsim> <source-root>
set -u
bin=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
export TDXSIM_DATA="$src/data"
cd "$src" || exit 1
for f in scenarios/*.yaml tests/data/check/*.yaml; do
	for order in "" --dfs; do
		"$bin" check "$f" --quiet --paranoid --max-states 4000 $order >"$tmp/out" 2>&1
		if grep -q 'SEARCH FAILED' "$tmp/out"; then
			echo "FAIL: $f $order: $(grep 'SEARCH FAILED' "$tmp/out")" >&2
			fail=1
		fi
	done
	"$bin" check "$f" --quiet --validate 3 --max-states 3000 --dfs >"$tmp/out" 2>&1
	if grep -q 'SEARCH FAILED' "$tmp/out"; then
		echo "FAIL: $f --validate: $(grep 'SEARCH FAILED' "$tmp/out")" >&2
		fail=1
	fi
done
exit $fail
