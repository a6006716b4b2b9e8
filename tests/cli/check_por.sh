#!/usr/bin/env bash
# Partial-order reduction on and off give the same verdicts on every bundled
# scenario and check fixture (docs/check.md "Reductions"), under the same state
# limit (an undecided verdict must be undecided both ways).
# Usage: bash check_por.sh <path-to-tdxsim> <source-root>
set -u
bin=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
export TDXSIM_DATA="$src/data"
cd "$src" || exit 1
for f in scenarios/*.yaml tests/data/check/*.yaml; do
	"$bin" check "$f" --quiet --max-states 20000 >"$tmp/por" 2>&1
	"$bin" check "$f" --quiet --max-states 20000 --no-por >"$tmp/nopor" 2>&1
	grep -E '^  [a-z_]+ +(holds|VIOLATED|unknown)' "$tmp/por" | sed 's/ (counterexample.*//' >"$tmp/v1"
	grep -E '^  [a-z_]+ +(holds|VIOLATED|unknown)' "$tmp/nopor" | sed 's/ (counterexample.*//' >"$tmp/v2"
	if [ ! -s "$tmp/v1" ] || ! cmp -s "$tmp/v1" "$tmp/v2"; then
		echo "FAIL: $f: verdicts differ with and without POR" >&2
		diff "$tmp/v1" "$tmp/v2" >&2
		fail=1
	fi
done
exit $fail
