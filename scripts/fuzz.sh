#!/usr/bin/env bash
# Build the libFuzzer targets (scripts/build.sh fuzz, clang) and run fuzz_seamcall for
# FUZZ_SECONDS (default 60) from the committed seed corpus fuzz/corpus/seamcall/.
# New inputs go to a scratch corpus, never into the committed one; a crash leaves
# its input in <build>/fuzz-artifacts/ and fails this script.
#   usage: scripts/fuzz.sh [extra libFuzzer flags]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${FUZZ_SECONDS:-60}
build=$("$root/scripts/build.sh" fuzz)
work=$(mktemp -d "${TMPDIR:-/tmp}/tdxsim-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$build/fuzz-artifacts"
echo "== fuzz_seamcall: ${seconds}s from $(ls "$root/fuzz/corpus/seamcall" | wc -l) seeds"
"$build/fuzz/fuzz_seamcall" -max_total_time="$seconds" -max_len=1024 -print_final_stats=1 \
	-artifact_prefix="$build/fuzz-artifacts/" "$@" "$work" "$root/fuzz/corpus/seamcall" 2>"$work/log" || {
	tail -n 60 "$work/log" >&2
	echo "fuzz_seamcall: a finding; its input is in $build/fuzz-artifacts/" >&2
	exit 1
}
grep -E '^#[0-9]+[[:space:]]+DONE|^stat::' "$work/log"
