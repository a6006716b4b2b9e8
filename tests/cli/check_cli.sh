#!/usr/bin/env bash
# tdxsim check command line (docs/check.md): --help, bad arguments (one line, exit
# 2), verdict and expectation lines, limits reported as undecided (exit 3), the
# JSON schema, the lossy stores' omission lines, BFS and DFS exploring the same
# states, and no output files without a counterexample.
# Usage: bash check_cli.sh <path-to-tdxsim> <source-root>
set -u
bin=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
err() { echo "FAIL: $*" >&2; fail=1; }
export TDXSIM_DATA="$src/data"
cd "$src" || exit 1

"$bin" check --help >"$tmp/out" 2>&1 || err "check --help exited $?"
grep -q '^usage: tdxsim check SCENARIO' "$tmp/out" || err "check --help: no usage line"
"$bin" replay --help >"$tmp/out" 2>&1 || err "replay --help exited $?"
grep -q '^usage: tdxsim replay FILE' "$tmp/out" || err "replay --help: no usage line"

bad_arg() {
	local want=$1
	shift
	"$bin" "$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	[ $rc -eq 2 ] || err "tdxsim $*: exit $rc, expected 2"
	[ -s "$tmp/out" ] && err "tdxsim $*: wrote to stdout"
	[ "$(cat "$tmp/err")" = "$want" ] || err "tdxsim $*: stderr '$(cat "$tmp/err")', expected '$want'"
}
S=scenarios/init-before-vmxon.yaml
bad_arg "tdxsim check: missing SCENARIO (see tdxsim check --help)" check
bad_arg "tdxsim check: unknown argument '--bogus' (see tdxsim check --help)" check "$S" --bogus
bad_arg "tdxsim check: --bitstate wants BITS in 10..40 (2^BITS bits), not '5'" check "$S" --bitstate 5
bad_arg "tdxsim check: --max-states wants a positive number, not '0'" check "$S" --max-states 0
bad_arg "tdxsim check: --hp-timeout wants on or off, not 'maybe'" check "$S" --hp-timeout maybe
bad_arg "tdxsim check: --progress wants flow-end or strict, not 'x'" check "$S" --progress x
bad_arg "tdxsim check: --property: unknown property 'x'" check "$S" --property x
bad_arg "tdxsim check: --dot needs a value" check "$S" --dot
bad_arg "tdxsim check: one scenario at a time ('$S' and 'b.yaml')" check "$S" b.yaml
bad_arg "tdxsim replay: missing FILE (see tdxsim replay --help)" replay
"$bin" check nonexistent.yaml >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] || err "check of a missing file: not exit 2"
grep -q '^nonexistent.yaml' "$tmp/err" || err "check of a missing file: no file name: $(cat "$tmp/err")"
printf 'tdxsim-cex 1\nscenario x.yaml\nbogus 1\n' >"$tmp/bad.cex"
"$bin" replay "$tmp/bad.cex" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] || err "replay of a bad file: not exit 2"
[ "$(cat "$tmp/err")" = "$tmp/bad.cex:3: unknown key 'bogus'" ] || err "replay bad file: '$(cat "$tmp/err")'"

# A small scenario, decided: verdicts and the expectation.
"$bin" check "$S" --quiet --cex "$tmp/none.cex" --dot "$tmp/none.dot" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] || err "check $S: exit $rc"
for p in deadlock vm_bug invariants livelock; do
	grep -qE "^  $p +holds$" "$tmp/out" || err "check $S: $p does not hold: $(grep "^  $p" "$tmp/out")"
done
grep -q '^expectation (check:): met$' "$tmp/out" || err "check $S: expectation not met"
grep -q '^states [0-9]*, transitions [0-9]*, max depth [0-9]*$' "$tmp/out" || err "check $S: no states line"
[ -e "$tmp/none.cex" ] && err "a counterexample file without a counterexample"
[ -e "$tmp/none.dot" ] && err "a DOT file without a counterexample"
grep -q 'no counterexample, no file written' "$tmp/err" || err "no note about the files not written"

# A limit: undecided, exit 3, said so.
"$bin" check "$S" --quiet --max-states 10 >"$tmp/out" 2>&1
rc=$?
[ $rc -eq 3 ] || err "check --max-states 10: exit $rc, expected 3"
grep -q 'SEARCH STOPPED: state limit reached (--max-states 10)' "$tmp/out" || err "no SEARCH STOPPED line"
grep -qE '^  deadlock +unknown$' "$tmp/out" || err "deadlock not unknown under a limit"

# JSON.
"$bin" check "$S" --json >"$tmp/out.json" 2>/dev/null
python3 - "$tmp/out.json" <<'PY' || err "check --json: bad document"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "tdxsim.check/1", d["schema"]
assert d["properties"]["deadlock"]["verdict"] == "holds"
assert d["stats"]["states"] > 100
assert d["expectation"]["met"] is True
assert d["search"]["order"] == "bfs" and d["search"]["store"] == "tree"
PY

# BFS, DFS and fingerprints explore the same states; the lossy store prints its
# omission probability, bitstate cannot judge cycles.
n_bfs=$("$bin" check "$S" --quiet | sed -n 's/^states \([0-9]*\),.*/\1/p')
n_dfs=$("$bin" check "$S" --quiet --dfs | sed -n 's/^states \([0-9]*\),.*/\1/p')
[ -n "$n_bfs" ] && [ "$n_bfs" = "$n_dfs" ] || err "BFS $n_bfs states, DFS $n_dfs"
"$bin" check "$S" --quiet --fingerprint >"$tmp/out" 2>&1
n_fp=$(sed -n 's/^states \([0-9]*\),.*/\1/p' "$tmp/out")
[ "$n_fp" = "$n_bfs" ] || err "fingerprints $n_fp states, tree $n_bfs"
grep -q '^  fingerprints: probability that a state was missed ' "$tmp/out" || err "no omission line"
"$bin" check "$S" --quiet --bitstate 20 >"$tmp/out" 2>&1
grep -q 'livelock     unknown (cycle properties need state ids: not with --bitstate)' "$tmp/out" ||
	err "bitstate: livelock not reported undecided: $(grep livelock "$tmp/out")"
exit $fail
