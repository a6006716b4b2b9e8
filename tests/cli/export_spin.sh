#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# tdxsim export --promela (docs/export.md):
#  - the command's contract: --help, bad arguments and inexpressible scenarios exit 2
#    with file:line and write no output file;
#  - every bundled scenario the export can express, and every test fixture, exports
#    and `spin -a` accepts the model (skipped without spin);
#  - on the cross-check fixtures SPIN reaches, property by property, the verdict
#    `tdxsim check` reaches on the same scenario (skipped without spin).
#
# usage: bash export_spin.sh PATH/TO/tdxsim SOURCE_ROOT
set -u
tdxsim=$1
src=$2
fail=0
tmp=$(mktemp -d)
export SPIN_OPT=-O0   # small state spaces: compiling pan.c dominates
trap 'rm -rf "$tmp"' EXIT

ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }

# ---- the command's contract -------------------------------------------------------------

"$tdxsim" export --help > "$tmp/help" 2>&1 && grep -q -- '--promela SCENARIO' "$tmp/help" \
	&& ok "--help" || bad "--help"

"$tdxsim" export "$src/tests/data/export/memslot-race.yaml" -o "$tmp/x.pml" 2> "$tmp/err"
rc=$?
[ $rc = 2 ] && grep -q -- '--promela' "$tmp/err" && [ ! -e "$tmp/x.pml" ] \
	&& ok "no format: exit 2" || bad "no format: exit $rc: $(cat "$tmp/err")"

"$tdxsim" export --promela --atomicity fast "$src/tests/data/export/memslot-race.yaml" 2> "$tmp/err"
[ $? = 2 ] && grep -q 'atomicity must be step or instr' "$tmp/err" && ok "bad --atomicity" \
	|| bad "bad --atomicity: $(cat "$tmp/err")"

"$tdxsim" export --promela "$src/tests/data/export/unsupported.yaml" -o "$tmp/u.pml" 2> "$tmp/err"
rc=$?
if [ $rc = 2 ] && grep -q "unsupported.yaml:9: host program 'td_teardown' cannot be expressed" "$tmp/err" &&
	[ ! -e "$tmp/u.pml" ] && [ -z "$(ls "$tmp" | grep 'u.pml.tmp')" ]; then
	ok "inexpressible scenario: exit 2, file:line, no output"
else
	bad "inexpressible scenario: exit $rc: $(cat "$tmp/err")"
fi

"$tdxsim" export --promela "$src/tests/data/export/nonexistent.yaml" -o "$tmp/n.pml" 2> "$tmp/err"
[ $? = 2 ] && [ ! -e "$tmp/n.pml" ] && ok "missing scenario: exit 2" || bad "missing scenario"

# Output to stdout and to a file are the same text, and the export is deterministic.
"$tdxsim" export --promela "$src/tests/data/export/memslot-race.yaml" > "$tmp/a.pml" &&
	"$tdxsim" export --promela "$src/tests/data/export/memslot-race.yaml" -o "$tmp/b.pml" &&
	cmp -s "$tmp/a.pml" "$tmp/b.pml" && ok "stdout = -o, deterministic" || bad "stdout vs -o"

# ---- SPIN -------------------------------------------------------------------------------

if ! command -v spin > /dev/null || ! command -v gcc > /dev/null; then
	echo "skip SPIN checks: spin or gcc not installed"
	exit $fail
fi

# Every expressible scenario exports and parses, at both atomicities.
n=0
for f in "$src"/scenarios/*.yaml "$src"/tests/data/export/*.yaml; do
	case $f in */table-small.yaml) continue ;; esac
	base=$(basename "$f" .yaml)
	if ! "$tdxsim" export --promela "$f" -o "$tmp/$base.pml" 2> "$tmp/err"; then
		# Only a "cannot be expressed"-class refusal is acceptable.
		grep -qE 'cannot be expressed|export models|at most|not runnable' "$tmp/err" ||
			bad "export $base: $(cat "$tmp/err")"
		continue
	fi
	for at in step instr; do
		if [ $at = instr ]; then
			"$tdxsim" export --promela "$f" --atomicity instr -o "$tmp/$base.pml" || { bad "export $base instr"; continue; }
		fi
		mkdir -p "$tmp/p_${base}_$at"
		if (cd "$tmp/p_${base}_$at" && spin -a "$tmp/$base.pml" > spin.out 2>&1); then
			n=$((n + 1))
		else
			bad "spin -a $base ($at): $(head -3 "$tmp/p_${base}_$at/spin.out")"
		fi
	done
done
[ $n -ge 8 ] && ok "spin -a accepts $n exported models" || bad "only $n models parsed"

# Cross-check: SPIN's verdict per property = tdxsim check's on the same scenario.
crosscheck() {
	local scn=$1 props=$2 want=$3
	local base
	base=$(basename "$scn" .yaml)
	"$tdxsim" export --promela "$src/$scn" -o "$tmp/cc_$base.pml" || { bad "export $scn"; return; }
	local cout
	cout=$("$tdxsim" check "$src/$scn" --quiet 2>&1)
	for p in $props; do
		local tv sv
		tv=$(echo "$cout" | sed -nE "s/^  $p +(holds|VIOLATED|unknown).*/\1/p" | tr 'A-Z' 'a-z')
		sv=$("$src/scripts/spin-run.sh" "$tmp/cc_$base.pml" "$p" --memlim 2048 | sed -nE 's/.* verdict=([a-z]+).*/\1/p')
		local exp
		exp=$(sed -nE "s/.*\b$p=([a-z]+).*/\1/p" <<<"$want")
		if [ -n "$sv" ] && [ "$sv" = "$tv" ] && [ "$sv" = "$exp" ]; then
			ok "$base $p: SPIN $sv = tdxsim check $tv"
		else
			bad "$base $p: SPIN '$sv', tdxsim check '$tv', expected '$exp'"
		fi
	done
}
crosscheck tests/data/export/memslot-race.yaml "deadlock vm_bug livelock" \
	"deadlock=holds vm_bug=holds livelock=violated"
crosscheck tests/data/export/memslot-race-bailout.yaml "deadlock vm_bug livelock" \
	"deadlock=holds vm_bug=holds livelock=holds"
crosscheck tests/data/export/zero-step-removal.yaml "deadlock vm_bug livelock" \
	"deadlock=holds vm_bug=violated livelock=holds"
crosscheck tests/data/export/accept-spec-retry.yaml "starvation livelock" \
	"starvation=holds livelock=holds"

# The same at instruction atomicity (the scenario says atomicity: instr; docs/findings.md F3).
crosscheck scenarios/accept-spec-retry-starvation.yaml "starvation livelock" \
	"starvation=violated livelock=violated"

# The instruction-level starvation of spec-retry without HP timeout (docs/export.md).
"$tdxsim" export --promela "$src/tests/data/export/accept-spec-retry.yaml" --atomicity instr -o "$tmp/asi.pml" &&
	"$src/scripts/spin-run.sh" "$tmp/asi.pml" starvation --memlim 2048 | grep -q 'verdict=violated.* error=non-progress-cycle' &&
	ok "accept-spec-retry at instr atomicity: starvation violated" ||
	bad "accept-spec-retry at instr atomicity: starvation not found"

# spin-run.sh's line is parseable.
line=$("$src/scripts/spin-run.sh" "$tmp/cc_memslot-race.pml" deadlock)
echo "$line" | grep -qE '^spin: model=cc_memslot-race.pml property=deadlock mode=exhaustive verdict=holds states=[0-9]+ transitions=[0-9]+ states/s=[0-9]+ bytes/state=[0-9.]+ memory_mb=[0-9.]+ time_s=[0-9.e+-]+ depth=[0-9]+ vector=[0-9]+$' \
	&& ok "spin-run.sh line" || bad "spin-run.sh line: $line"

exit $fail
