#!/usr/bin/env bash
# tdxsim diff on the real tables: tdx-1.5.01 -> tdx-1.5.05 lists exactly the
# lock-relevant differences of reference §0 (tdx-module-1.5.md) and nothing else,
# plus the contention pairs they add under kvm-6.16; JSON validity; bad input.
# Usage: bash diff.sh <path-to-tdxsim> <source-root>
set -u
bin=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
err() { echo "FAIL: $*" >&2; fail=1; }
export TDXSIM_DATA="$src/data"
m=$src/data/modules

"$bin" diff "$m/tdx-1.5.01.yaml" "$m/tdx-1.5.05.yaml" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 0 ] || err "diff exited $rc: $(cat "$tmp/err")"
[ -s "$tmp/err" ] && err "diff wrote to stderr: $(cat "$tmp/err")"

# Everything up to the contention section, exactly.
sed -n '1,/^=== Contention/p' "$tmp/out" >"$tmp/head"
cat >"$tmp/want" <<WANT
A: tdx-1.5.01 ($m/tdx-1.5.01.yaml)
B: tdx-1.5.05 ($m/tdx-1.5.05.yaml)

=== Resources ===
(no differences)

=== Leaves ===
TDH.VP.INIT (leaf 22):
  max_version: 0 -> 1
  ~ step 3: lock TDR shared (via tdvpr_owner, busy_operand TDR, when version_0): when: (always) -> version_0
  + step 4: lock TDR exclusive (via tdvpr_owner, busy_operand TDR, when version_ge_1)
  + step 11: check x2apic_id_unique (reg R8, when version_ge_1)
TDH.MEM.RANGE.UNBLOCK (leaf 39):
  ~ step 11: check tlb_tracked (args RCX, when tlb_tracking_required): args: SEPT_TREE -> RCX
TDH.MEM.TRACK (leaf 38):
  + step 9: check td_epoch_overflow_halt

=== Contention pairs under kvm-6.16 ===
WANT
diff -u "$tmp/want" "$tmp/head" >&2 || err "diff 1.5.01 -> 1.5.05: table section differs from the expected one"

# The pairs: KVM issues VP.INIT version 1, which 1.5.01 rejects before locking.
sed -n '/^=== Contention/,$p' "$tmp/out" >"$tmp/pairs"
grep -qxF "note (A): TDH.VP.INIT (tdx_td_vcpu_init): the VMM issues version 1, module tdx-1.5.01 accepts up to 0: TDX_OPERAND_INVALID|RAX before any lock; context ignored" "$tmp/pairs" || err "missing the VP.INIT version note"
for line in \
	"  + residual TDR: TDH.VP.INIT exclusive vs TDH.VP.ENTER shared [held until TD exit]" \
	"  + residual TDR: TDH.VP.INIT exclusive vs TDH.MEM.RANGE.BLOCK shared" \
	"  + residual TDR: TDH.VP.INIT exclusive vs TDH.MEM.PAGE.REMOVE shared" \
	"  + residual TDR: TDH.MR.EXTEND exclusive vs TDH.VP.INIT exclusive" \
	"  + serialized TDVPR: TDH.VP.INIT exclusive vs TDH.VP.ENTER shared [held until TD exit]"; do
	grep -qxF -- "$line" "$tmp/pairs" || err "missing pair line: $line"
done
# Every added pair involves VP.INIT, and nothing is removed or changes verdict.
grep -E '^  [+~-] ' "$tmp/pairs" | grep -v 'TDH.VP.INIT' >&2 && err "pair differences not caused by TDH.VP.INIT"
grep -Eq '^  [-~] ' "$tmp/pairs" && err "pairs removed or changed going to 1.5.05"

# Under kvm-6.19 the same table differences, and the VP.INIT pairs are serialized.
"$bin" diff "$m/tdx-1.5.01.yaml" "$m/tdx-1.5.05.yaml" --vmm "$src/data/vmm/kvm-6.19.yaml" >"$tmp/o19" 2>&1 || err "diff --vmm kvm-6.19 failed"
grep -qxF "=== Contention pairs under kvm-6.19 ===" "$tmp/o19" || err "kvm-6.19 header"
grep -qxF "  + serialized TDR: TDH.VP.INIT exclusive vs TDH.VP.ENTER shared [held until TD exit]" "$tmp/o19" || err "kvm-6.19: VP.INIT vs VP.ENTER not serialized"
grep -q "^  + residual TDR: TDH.VP.INIT" "$tmp/o19" && err "kvm-6.19: a VP.INIT TDR pair is residual"

# A table against itself: no differences anywhere.
"$bin" diff "$m/tdx-1.5.05.yaml" "$m/tdx-1.5.05.yaml" >"$tmp/same" 2>&1 || err "self-diff failed"
[ "$(grep -c '^(no differences)$' "$tmp/same")" -eq 3 ] || err "self-diff reports differences: $(cat "$tmp/same")"
# Reverse direction: the same steps, as removals.
"$bin" diff "$m/tdx-1.5.05.yaml" "$m/tdx-1.5.01.yaml" >"$tmp/rev" 2>&1 || err "reverse diff failed"
grep -qxF "  - step 4: lock TDR exclusive (via tdvpr_owner, busy_operand TDR, when version_ge_1)" "$tmp/rev" || err "reverse: step 4 removal"
grep -qxF "  - step 9: check td_epoch_overflow_halt" "$tmp/rev" || err "reverse: TRACK check removal"

# JSON.
"$bin" diff "$m/tdx-1.5.01.yaml" "$m/tdx-1.5.05.yaml" --json >"$tmp/j" 2>"$tmp/ej" || err "--json failed"
python3 -m json.tool "$tmp/j" >/dev/null || err "--json is not valid JSON"
python3 - "$tmp/j" <<'PY' || err "--json content"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "tdxsim.diff/1"
assert d["resources"] == {"added": [], "removed": [], "changed": []}
assert d["leaves"]["added"] == [] and d["leaves"]["removed"] == []
ch = {l["leaf"]: l for l in d["leaves"]["changed"]}
assert sorted(ch) == ["TDH.MEM.RANGE.UNBLOCK", "TDH.MEM.TRACK", "TDH.VP.INIT"], sorted(ch)
assert ch["TDH.VP.INIT"]["fields"] == [{"field": "max_version", "a": "0", "b": "1"}]
assert [s["op"] for s in ch["TDH.VP.INIT"]["steps"]] == ["changed", "added", "added"]
assert ch["TDH.MEM.RANGE.UNBLOCK"]["steps"][0]["fields"] == [{"field": "args", "a": "SEPT_TREE", "b": "RCX"}]
assert [s["step"] for s in ch["TDH.MEM.TRACK"]["steps"]] == ["check td_epoch_overflow_halt"]
p = d["pairs"]
assert p["profile"] == "kvm-6.16" and p["removed"] == [] and p["changed"] == []
assert all("TDH.VP.INIT" in (x["a"], x["b"]) for x in p["added"])
PY

# --help, bad input.
"$bin" diff --help >"$tmp/h" 2>&1 || err "--help exit status"
grep -q "^usage: tdxsim diff A.yaml B.yaml \[--vmm FILE\] \[--json\]$" "$tmp/h" || err "--help text"
bad_input() {
	local want=$1; shift
	"$bin" diff "$@" >"$tmp/bo" 2>"$tmp/be"; local rc=$?
	[ $rc -eq 2 ] || err "diff $*: exit $rc, want 2"
	[ -s "$tmp/bo" ] && err "diff $*: wrote to stdout"
	[ "$(wc -l <"$tmp/be")" -eq 1 ] || err "diff $*: stderr is not one line: $(cat "$tmp/be")"
	grep -Eq -- "$want" "$tmp/be" || err "diff $*: stderr '$(cat "$tmp/be")' does not match '$want'"
}
d=$src/tests/data/analyze
bad_input "^tdxsim diff: expected two table files" "$m/tdx-1.5.05.yaml"
bad_input "^tdxsim diff: too many arguments" "$m/tdx-1.5.05.yaml" "$m/tdx-1.5.05.yaml" "$m/tdx-1.5.01.yaml"
bad_input "^tdxsim diff: unknown option '--dot'" "$m/tdx-1.5.01.yaml" "$m/tdx-1.5.05.yaml" --dot
bad_input "^$d/bad_table_malformed.yaml:13: " "$m/tdx-1.5.05.yaml" "$d/bad_table_malformed.yaml"
bad_input "^$d/bad_table_mode.yaml:12: .*unknown mode 'sideways'" "$d/bad_table_mode.yaml" "$m/tdx-1.5.05.yaml"
bad_input "^$d/missing.yaml" "$d/missing.yaml" "$m/tdx-1.5.05.yaml"
bad_input "^$d/bad_profile_leaf.yaml:9: unknown leaf 'TDH.VP.ENTRE' \(not in module mini\)$" "$d/mini_table.yaml" "$d/mini_table.yaml" --vmm "$d/bad_profile_leaf.yaml"
# The default profile names leaves the mini table lacks.
bad_input "^$src/data/vmm/kvm-6.16.yaml:[0-9]+: unknown leaf" "$d/mini_table.yaml" "$d/mini_table.yaml"
"$bin" diff "$d/mini_table.yaml" "$d/bad_table_resource.yaml" --vmm "$d/mini_profile.yaml" >/dev/null 2>&1 && err "bad table accepted"

exit $fail
