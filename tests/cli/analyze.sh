#!/usr/bin/env bash
# tdxsim analyze on the real data (data/modules/tdx-1.5.05.yaml, data/vmm/kvm-6.16.yaml
# and kvm-6.19.yaml): the acceptance facts of docs/analysis.md as exact lines, JSON
# and DOT validity, and the bad-input contract (one "file:line: message" line on
# stderr, exit 2, nothing on stdout).
# Usage: bash analyze.sh <path-to-tdxsim> <source-root>
set -u
bin=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
err() { echo "FAIL: $*" >&2; fail=1; }

# expect_block FILE LINE... : the lines appear consecutively, exactly, in FILE.
expect_block() {
	local file=$1; shift
	printf '%s\n' "$@" >"$tmp/want"
	awk 'NR == FNR { w[++n] = $0; next } { l[++m] = $0 }
	     END { for (i = 1; i + n - 1 <= m; i++) { ok = 1
	                 for (j = 1; j <= n; j++) if (l[i + j - 1] != w[j]) { ok = 0; break }
	                 if (ok) exit 0 }
	           exit 1 }' "$tmp/want" "$file" ||
		{ err "block not found in $file:"; printf '    %s\n' "$@" >&2; }
}
# section FILE START END: the lines between two headers (exclusive).
section() { sed -n "/^$2/,/^$3/p" "$1"; }

export TDXSIM_DATA="$src/data"

# ---------------------------------------------------------------- defaults (1.5.05 + kvm-6.16)
"$bin" analyze >"$tmp/a16" 2>"$tmp/e16"; rc=$?
[ $rc -eq 0 ] || err "analyze exited $rc: $(cat "$tmp/e16")"
[ -s "$tmp/e16" ] && err "analyze wrote to stderr: $(cat "$tmp/e16")"
expect_block "$tmp/a16" "module tdx-1.5.05 ($src/data/modules/tdx-1.5.05.yaml)" \
	"profile kvm-6.16 ($src/data/vmm/kvm-6.16.yaml)"
section "$tmp/a16" "=== Residual" "=== Serialized" >"$tmp/r16"
section "$tmp/a16" "=== Serialized" "NEVER" >"$tmp/s16"

# The seed report's three conclusions.
# (5) TD epoch: TDH.MEM.TRACK vs TDH.VP.ENTER.
expect_block "$tmp/r16" \
	"TD_EPOCH: TDH.MEM.TRACK exclusive vs TDH.VP.ENTER shared" \
	"    same TD; runtime" \
	"    TDH.MEM.TRACK loses: TDX_OPERAND_BUSY|TD_EPOCH 0x80000200000000A9; tdx_track: kick+retry-once" \
	"    TDH.VP.ENTER loses: TDX_OPERAND_BUSY|TD_EPOCH 0x80000200000000A9; tdx_vcpu_run: re-enter"
# (6) SEPT tree: VP.ENTER under zero-step vs the SEPT SEAMCALLs.
expect_block "$tmp/r16" \
	"SEPT_TREE: TDH.VP.ENTER exclusive [when zero_step_suspected; held until guest entry] vs TDH.MEM.PAGE.AUG shared" \
	"    same TD; runtime" \
	"    TDH.VP.ENTER loses: TDX_OPERAND_BUSY|SEPT_TREE 0x8000020000000092; tdx_vcpu_run: re-enter" \
	"    TDH.MEM.PAGE.AUG loses: TDX_OPERAND_BUSY|SEPT_TREE 0x8000020000000092; tdx_mem_page_aug (EPT violation): local-retry"
expect_block "$tmp/r16" \
	"SEPT_TREE: TDH.VP.ENTER exclusive [when zero_step_suspected; held until guest entry] vs TDH.MEM.SEPT.ADD shared" \
	"    same TD; runtime" \
	"    TDH.VP.ENTER loses: TDX_OPERAND_BUSY|SEPT_TREE 0x8000020000000092; tdx_vcpu_run: re-enter" \
	"    TDH.MEM.SEPT.ADD loses: TDX_OPERAND_BUSY|SEPT_TREE 0x8000020000000092; tdx_sept_link_private_spt (EPT violation): local-retry"
expect_block "$tmp/r16" \
	"SEPT_TREE: TDH.VP.ENTER exclusive [when zero_step_suspected; held until guest entry] vs TDH.MEM.PAGE.REMOVE shared"
expect_block "$tmp/r16" \
	"SEPT_TREE: TDH.MEM.RANGE.BLOCK exclusive vs TDH.VP.ENTER exclusive [when zero_step_suspected; held until guest entry]" \
	"    same TD; build->runtime (across tdx_td_finalize); runtime" \
	"    TDH.MEM.RANGE.BLOCK loses: TDX_OPERAND_BUSY|SEPT_TREE 0x8000020000000092; tdx_sept_zap_private_spte (guest_memfd punch hole): kick+retry-once; tdx_sept_zap_private_spte: kick+retry-once" \
	"    TDH.VP.ENTER loses: TDX_OPERAND_BUSY|SEPT_TREE 0x8000020000000092; tdx_vcpu_run: re-enter"
# ... and two vCPUs both under zero-step (beyond the seed).
expect_block "$tmp/r16" \
	"SEPT_TREE: TDH.VP.ENTER exclusive [when zero_step_suspected; held until guest entry] vs TDH.VP.ENTER exclusive [when zero_step_suspected; held until guest entry]"
# (7) SEPT entry: guest TDCALLs vs the host SEPT SEAMCALLs on one GPA.
expect_block "$tmp/r16" \
	"SEPT_ENTRY: TDH.MEM.PAGE.AUG exclusive vs TDG.MEM.PAGE.ACCEPT exclusive" \
	"    same GPA; runtime" \
	"    TDH.MEM.PAGE.AUG loses: TDX_OPERAND_BUSY|RCX 0x8000020000000001; tdx_mem_page_aug (EPT violation): local-retry" \
	"    TDG.MEM.PAGE.ACCEPT loses: TDX_OPERAND_BUSY|RCX 0x8000020000000001; guest TDCALL (inside TDH.VP.ENTER): guest-no-retry"
for host in "TDH.MEM.PAGE.REMOVE" "TDH.MEM.RANGE.BLOCK" "TDH.MEM.SEPT.ADD" "TDH.MEM.PAGE.AUG"; do
	for guest in TDG.MEM.PAGE.ACCEPT TDG.MEM.PAGE.ATTR.RD TDG.MEM.PAGE.ATTR.WR; do
		expect_block "$tmp/r16" "SEPT_ENTRY: $host exclusive vs $guest exclusive"
	done
done
# Host-host SEPT pairs are all serialized by KVM (seed: "kvm mmu_lock has prevented ...").
expect_block "$tmp/s16" "SEPT_TREE: TDH.MEM.RANGE.BLOCK exclusive vs TDH.MEM.PAGE.AUG shared -- phases build/runtime: tdx_sept_zap_private_spte (memslot deletion) cannot be in flight across tdx_td_finalize (both hold slots_lock); mmu_lock (exclusive/shared)"
expect_block "$tmp/s16" "SEPT_ENTRY: TDH.MEM.PAGE.AUG exclusive vs TDH.MEM.PAGE.AUG exclusive -- spte_frozen (exclusive/exclusive, same GPA)"
expect_block "$tmp/s16" "TD_EPOCH: TDH.MEM.TRACK exclusive vs TDH.MEM.TRACK exclusive -- mmu_lock (exclusive/exclusive)"
grep -q "^SEPT_ENTRY: TDH\.[^ ]* exclusive vs TDH\." "$tmp/r16" && err "a host-host SEPT_ENTRY pair is residual"

# Beyond the seed (kvm-6.16): the TDR.
# VP.INIT v1 takes the TDR exclusive; VP.ENTER holds it shared across guest execution.
expect_block "$tmp/r16" \
	"TDR: TDH.VP.INIT exclusive vs TDH.VP.ENTER shared [held until TD exit]" \
	"    same TD; build->runtime (across tdx_td_finalize)" \
	"    TDH.VP.INIT loses: TDX_OPERAND_BUSY|TDR 0x8000020000000080; tdx_td_vcpu_init: bug" \
	"    TDH.VP.ENTER loses: TDX_OPERAND_BUSY|TDR 0x8000020000000080; tdx_vcpu_run: re-enter"
# VP.INIT v1 vs the no-fail removal paths.
expect_block "$tmp/r16" \
	"TDR: TDH.VP.INIT exclusive vs TDH.MEM.RANGE.BLOCK shared" \
	"    same TD; build; build->runtime (across tdx_td_finalize)" \
	"    TDH.VP.INIT loses: TDX_OPERAND_BUSY|TDR 0x8000020000000080; tdx_td_vcpu_init: bug" \
	"    TDH.MEM.RANGE.BLOCK loses: TDX_OPERAND_BUSY|RDX 0x8000020000000002; tdx_sept_zap_private_spte (memslot deletion): kick+retry-once; tdx_sept_zap_private_spte (guest_memfd punch hole): kick+retry-once; tdx_sept_zap_private_spte: kick+retry-once"
expect_block "$tmp/r16" "TDR: TDH.VP.INIT exclusive vs TDH.MEM.PAGE.REMOVE shared"
# VP.CREATE vs MR.EXTEND / MR.FINALIZE during build.
expect_block "$tmp/r16" \
	"TDR: TDH.MR.EXTEND exclusive vs TDH.VP.CREATE shared" \
	"    same TD; build" \
	"    TDH.MR.EXTEND loses: TDX_OPERAND_BUSY|RDX 0x8000020000000002; tdx_gmem_post_populate: eio" \
	"    TDH.VP.CREATE loses: TDX_OPERAND_BUSY|RDX 0x8000020000000002; tdx_td_vcpu_init: bug"
expect_block "$tmp/r16" "TDR: TDH.MR.FINALIZE exclusive vs TDH.VP.CREATE shared"
# The resource table: VP.ENTER takes the TDVPR shared (the seed said exclusive).
expect_block "$tmp/a16" \
	"TDVPR            sharex_hp   vcpu    TDH.VP.ENTER (until TD exit)         TDH.VP.CREATE" \
	"                                     TDH.VP.RD                            TDH.VP.ADDCX"
expect_block "$tmp/a16" \
	"TD_EPOCH         sharex      td      TDH.VP.ENTER                         TDH.MEM.TRACK"
expect_block "$tmp/a16" \
	"SEPT_TREE        sharex      td      TDH.MEM.SEPT.ADD                     TDH.VP.ENTER (zero_step_suspected, until entry)" \
	"                                     TDH.MEM.PAGE.AUG                     TDH.MEM.RANGE.BLOCK" \
	"                                     TDH.MEM.PAGE.REMOVE"
# Serialized by KVM's global locks and threads; never residual.
for res in KOT GLOBAL WBT TDMR TDVPR TDCX SEPT_PAGE PAGE OP_STATE; do
	grep -q "^$res: " "$tmp/r16" && err "residual pair on $res"
done
expect_block "$tmp/s16" "KOT: TDH.MNG.CREATE exclusive vs TDH.PHYMEM.CACHE.WB shared -- tdx_lock (exclusive/exclusive)"
expect_block "$tmp/s16" "TDVPR: TDH.VP.FLUSH exclusive vs TDH.VP.ENTER shared [held until TD exit] -- vcpu_mutex (exclusive/exclusive, same vCPU); phases teardown/runtime: teardown starts after the last reference to the VM is dropped"
expect_block "$tmp/s16" "PAGE: TDH.MEM.PAGE.AUG exclusive vs TDH.MEM.PAGE.REMOVE exclusive -- distinct pages: the VMM never passes one PAGE page to two calls at once"

# ---------------------------------------------------------------- kvm-6.19
"$bin" analyze --vmm "$src/data/vmm/kvm-6.19.yaml" >"$tmp/a19" 2>"$tmp/e19" || err "analyze kvm-6.19 failed: $(cat "$tmp/e19")"
section "$tmp/a19" "=== Residual" "=== Serialized" >"$tmp/r19"
section "$tmp/a19" "=== Serialized" "NEVER" >"$tmp/s19"
expect_block "$tmp/r19" \
	"TD_EPOCH: TDH.MEM.TRACK exclusive vs TDH.VP.ENTER shared" \
	"    same TD; runtime"
expect_block "$tmp/r19" "SEPT_TREE: TDH.VP.ENTER exclusive [when zero_step_suspected; held until guest entry] vs TDH.MEM.PAGE.AUG shared"
expect_block "$tmp/r19" "SEPT_ENTRY: TDH.MEM.RANGE.BLOCK exclusive vs TDG.MEM.PAGE.ACCEPT exclusive"
# What 6.19 fixed.
expect_block "$tmp/s19" "TDR: TDH.MR.EXTEND exclusive vs TDH.VP.CREATE shared -- kvm_lock (exclusive/exclusive); vcpu_mutex (all/all, every vCPU's); slots_lock (exclusive/exclusive)"
expect_block "$tmp/s19" "TDR: TDH.VP.INIT exclusive vs TDH.MEM.RANGE.BLOCK shared -- slots_lock (exclusive/exclusive); mmu_lock (exclusive/exclusive); phases build/runtime: tdx_td_vcpu_init cannot be in flight across tdx_td_finalize (both hold kvm_lock)"
expect_block "$tmp/s19" "TDR: TDH.VP.INIT exclusive vs TDH.VP.ENTER shared [held until TD exit] -- phases build/runtime: tdx_td_vcpu_init cannot be in flight across tdx_td_finalize (both hold kvm_lock); vcpu_mutex (all/exclusive, every vCPU's)"
grep -q "^TDR: TDH.VP.INIT" "$tmp/r19" && err "kvm-6.19: a VP.INIT TDR pair is residual"
grep -q "^TDR: .*TDH.VP.CREATE" "$tmp/r19" && err "kvm-6.19: a VP.CREATE TDR pair is residual"
# What it did not: build-time removal by guest_memfd punch hole vs the TDR-exclusive build calls.
expect_block "$tmp/r19" \
	"TDR: TDH.MR.FINALIZE exclusive vs TDH.MEM.RANGE.BLOCK shared" \
	"    same TD; build" \
	"    TDH.MR.FINALIZE loses: TDX_OPERAND_BUSY|RCX 0x8000020000000001; tdx_td_finalize: ebusy" \
	"    TDH.MEM.RANGE.BLOCK loses: TDX_OPERAND_BUSY|RDX 0x8000020000000002; tdx_sept_remove_private_spte (guest_memfd punch hole): kick+retry-once"

# ---------------------------------------------------------------- --json, --dot
"$bin" analyze --json >"$tmp/j" 2>"$tmp/ej" || err "--json failed"
python3 -m json.tool "$tmp/j" >/dev/null || err "--json is not valid JSON"
python3 - "$tmp/j" <<'PY' || err "--json content"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "tdxsim.analyze/1"
assert d["module"]["name"] == "tdx-1.5.05" and d["profile"]["name"] == "kvm-6.16"
res = [p for p in d["pairs"] if p["verdict"] == "residual"]
assert d["summary"]["residual"] == len(res) and d["summary"]["pairs"] == len(d["pairs"])
ep = [p for p in res if p["resource"] == "TD_EPOCH"]
assert len(ep) == 1 and ep[0]["a"]["leaf"] == "TDH.MEM.TRACK" and ep[0]["b"]["leaf"] == "TDH.VP.ENTER"
assert ep[0]["a"]["loses_with"] == {"value": "0x80000200000000A9", "text": "TDX_OPERAND_BUSY|TD_EPOCH"}
assert all(c["residual"] == (not c["reasons"]) for p in d["pairs"] for c in p["contexts"])
PY
"$bin" analyze --dot >"$tmp/d" 2>"$tmp/ed" || err "--dot failed"
grep -qF '"TDH.MEM.TRACK" -- "TDH.VP.ENTER" [label="TD_EPOCH", style=solid' "$tmp/d" || err "--dot: no residual TD_EPOCH edge"
grep -qF '"TDH.MEM.RANGE.BLOCK" -- "TDH.MEM.PAGE.AUG" [label="SEPT_TREE", style=dashed' "$tmp/d" || err "--dot: no serialized SEPT_TREE edge"
if command -v dot >/dev/null; then
	dot -Tsvg "$tmp/d" >"$tmp/d.svg" 2>"$tmp/dot.err" || err "dot rejected the graph: $(cat "$tmp/dot.err")"
fi

# ---------------------------------------------------------------- --help
"$bin" analyze --help >"$tmp/h" 2>&1 || err "--help exit status"
grep -q "^usage: tdxsim analyze \[--module FILE\] \[--vmm FILE\] \[--json | --dot\]$" "$tmp/h" || err "--help text"

# ---------------------------------------------------------------- bad input: exit 2, one line, nothing on stdout
# bad_input EXPECTED-STDERR-REGEX ARGS...
bad_input() {
	local want=$1; shift
	"$bin" analyze "$@" >"$tmp/bo" 2>"$tmp/be"; local rc=$?
	[ $rc -eq 2 ] || err "analyze $*: exit $rc, want 2"
	[ -s "$tmp/bo" ] && err "analyze $*: wrote to stdout"
	[ "$(wc -l <"$tmp/be")" -eq 1 ] || err "analyze $*: stderr is not one line: $(cat "$tmp/be")"
	grep -Eq -- "$want" "$tmp/be" || err "analyze $*: stderr '$(cat "$tmp/be")' does not match '$want'"
}
d=$src/tests/data/analyze
bad_input "^$d/bad_table_malformed.yaml:13: " --module "$d/bad_table_malformed.yaml" --vmm "$d/mini_profile.yaml"
bad_input "^$d/bad_table_resource.yaml:12: .*unknown resource 'TD_EPOCHH'" --module "$d/bad_table_resource.yaml" --vmm "$d/mini_profile.yaml"
bad_input "^$d/bad_table_mode.yaml:12: .*unknown mode 'sideways'" --module "$d/bad_table_mode.yaml" --vmm "$d/mini_profile.yaml"
bad_input "^$d/bad_profile_leaf.yaml:9: unknown leaf 'TDH.VP.ENTRE' \(not in module mini\)$" --module "$d/mini_table.yaml" --vmm "$d/bad_profile_leaf.yaml"
bad_input "^$d/bad_profile_resource.yaml:11: unknown resource 'PAGE' \(not in module mini\)$" --module "$d/mini_table.yaml" --vmm "$d/bad_profile_resource.yaml"
bad_input "^$d/bad_profile_mode.yaml:8: bad mode 'sideways' for lock 'mmu_lock'" --module "$d/mini_table.yaml" --vmm "$d/bad_profile_mode.yaml"
bad_input "^$d/bad_profile_lock.yaml:10: unknown lock 'kvm_lock'" --module "$d/mini_table.yaml" --vmm "$d/bad_profile_lock.yaml"
bad_input "^$d/bad_profile_phase.yaml:8: unknown phase 'runtme'" --module "$d/mini_table.yaml" --vmm "$d/bad_profile_phase.yaml"
bad_input "^$d/bad_profile_key.yaml:10: unknown key 'retries'" --module "$d/mini_table.yaml" --vmm "$d/bad_profile_key.yaml"
bad_input "^$d/nonexistent.yaml: cannot open" --module "$d/mini_table.yaml" --vmm "$d/nonexistent.yaml"
bad_input "^$d/nonexistent.yaml" --module "$d/nonexistent.yaml"
# The real profile against a table that lacks its leaves: the profile's line.
bad_input "^$src/data/vmm/kvm-6.16.yaml:[0-9]+: unknown leaf 'TDH.SYS.INIT' \(not in module mini\)$" --module "$d/mini_table.yaml"
bad_input "^tdxsim analyze: unknown argument '--frobnicate'" --frobnicate
bad_input "^tdxsim analyze: --vmm needs a file argument$" --vmm
bad_input "^tdxsim analyze: --json and --dot are mutually exclusive$" --json --dot
# The mini fixtures themselves are good.
"$bin" analyze --module "$d/mini_table.yaml" --vmm "$d/mini_profile.yaml" >"$tmp/m" 2>&1 || err "mini fixtures: $(cat "$tmp/m")"
expect_block "$tmp/m" "TD_EPOCH: TDH.MEM.TRACK exclusive vs TDH.VP.ENTER shared"

exit $fail
