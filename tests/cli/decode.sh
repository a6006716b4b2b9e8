#!/usr/bin/env bash
# tdxsim decode: exact output lines (docs/decode.md).
# usage: bash decode.sh <tdxsim-binary> <source-root>
set -u
T=$1
fails=0
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

# decode CODE...: run into $out/$err, remember the exit status in $rc.
decode() { "$T" decode "$@" >"$out" 2>"$err"; rc=$?; }

# expect CODE LINE...: each LINE is an exact line of `tdxsim decode CODE`.
expect() {
  local code=$1; shift
  decode "$code"
  [ "$rc" -eq 0 ] || fail "$code: exit $rc: $(cat "$err")"
  [ -s "$err" ] && fail "$code: unexpected stderr: $(cat "$err")"
  for line in "$@"; do
    grep -qxF -- "$line" "$out" || { fail "$code: missing line '$line'"; sed 's/^/    | /' "$out" >&2; }
  done
}

# One whole block, exactly.
decode 0x8000020000000092
expected='0x8000020000000092  TDX_OPERAND_BUSY | SEPT_TREE
  name: TDX_OPERAND_BUSY
  class: 0x02 busy/resources
  details_l1: 0x00
  error: yes
  non_recoverable: no
  fatal: no
  host_recoverability_hint: no
  operand: 0x92 (SEPT_TREE)
  kvm_busy: yes
  origin: module 1.5'
[ "$rc" -eq 0 ] && [ "$(cat "$out")" = "$expected" ] || {
  fail "0x8000020000000092 block differs"; diff <(echo "$expected") "$out" >&2; }

# Reference tdx-module-1.5.md §2.4, every composed example.
expect 0x8000020000000001 '0x8000020000000001  TDX_OPERAND_BUSY | RCX' '  operand: 0x01 (RCX)' '  kvm_busy: yes'
expect 0x80000200000000AC '0x80000200000000AC  TDX_OPERAND_BUSY | OP_STATE' '  operand: 0xAC (OP_STATE)' '  kvm_busy: yes'
expect 0x8000020000000080 '0x8000020000000080  TDX_OPERAND_BUSY | TDR' '  operand: 0x80 (TDR)' '  kvm_busy: yes'
expect 0x80000200000000A9 '0x80000200000000A9  TDX_OPERAND_BUSY | TD_EPOCH' '  operand: 0xA9 (TD_EPOCH)' '  kvm_busy: yes'
expect 0x80000200000000BA '0x80000200000000BA  TDX_OPERAND_BUSY | KOT' '  operand: 0xBA (KOT)' '  kvm_busy: yes'
expect 0x8000020000000002 '0x8000020000000002  TDX_OPERAND_BUSY | RDX' '  operand: 0x02 (RDX)' '  kvm_busy: yes'
expect 0xC0000B0000000001 '0xC0000B0000000001  TDX_EPT_WALK_FAILED | RCX' '  class: 0x0B EPT' \
  '  details_l1: 0x00' '  non_recoverable: yes' '  operand: 0x01 (RCX)' '  kvm_busy: no'
expect 0xC0000B0D00000001 '0xC0000B0D00000001  TDX_EPT_ENTRY_STATE_INCORRECT | RCX' '  details_l1: 0x0D' '  kvm_busy: no'
expect 0xC0000B0800000001 '0xC0000B0800000001  TDX_TLB_TRACKING_NOT_DONE | RCX' '  details_l1: 0x08' '  kvm_busy: no'

# Operand IDs beyond the registers; without 0x, lower case.
expect c000010000000045 '0xC000010000000045  TDX_OPERAND_INVALID | CPUID_CONFIG' \
  '  class: 0x01 operand' '  operand: 0x45 (CPUID_CONFIG)' '  origin: module 1.5'

# §2.3: the operand field is a SEPT level / an MSR address for these codes.
expect 0x00000B0A00000001 '0x00000B0A00000001  TDX_PAGE_ALREADY_ACCEPTED | level 1 (2M)' \
  '  error: no' '  operand: level 1 (2M)' '  kvm_busy: no'
expect 0x00000B0A00000000 '0x00000B0A00000000  TDX_PAGE_ALREADY_ACCEPTED | level 0 (4K)' '  operand: level 0 (4K)'
expect 0xC0000B0B00000002 '0xC0000B0B00000002  TDX_PAGE_SIZE_MISMATCH | level 2 (1G)' '  operand: level 2 (1G)'
expect 0xC00009200000003B '0xC00009200000003B  TDX_INCONSISTENT_MSR | MSR 0x3B (IA32_TSC_ADJUST)' \
  '  operand: MSR 0x3B (IA32_TSC_ADJUST)'
expect 0xC000092100000010 '0xC000092100000010  TDX_INCORRECT_MSR_VALUE | MSR 0x10' '  operand: MSR 0x10'

# Flags and origins.
expect 0xE000060400000000 '0xE000060400000000  TDX_TD_FATAL' '  fatal: yes' '  operand: 0x00 (RAX, or none)'
expect 0x9000020500000000 '0x9000020500000000  TDX_HOST_PRIORITY_BUSY_TIMEOUT' \
  '  host_recoverability_hint: yes' '  kvm_busy: no'
expect 0x8000020400000001 '0x8000020400000001  TDX_OPERAND_BUSY_HOST_PRIORITY | RCX' '  kvm_busy: no'
expect 0xC000030400000000 '0xC000030400000000  TDX_HPA_RANGE_NOT_FREE' '  origin: new in 2.0'
expect 0xC0000C0200000000 '0xC0000C0200000000  TDX_METADATA_FIELD_NOT_READABLE' '  origin: Linux header only'

# Linux software codes (class 0xFF).
expect 0x8000FF0000000006 '0x8000FF0000000006  TDX_SEAMCALL_UD' '  class: 0xFF software (Linux)' \
  '  operand: trap 6 (#UD)' '  kvm_busy: no' '  origin: Linux software code'
expect 0x8000FF000000000D '0x8000FF000000000D  TDX_SEAMCALL_GP' '  operand: trap 13 (#GP)'
expect 0x8000FF00FFFF0000 '0x8000FF00FFFF0000  TDX_SEAMCALL_VMFAILINVALID' '  operand: 0xFFFF0000 (VMfailInvalid)'
expect 0x8000FF000000000E '0x8000FF000000000E  TDX_SW_ERROR | trap 14' '  operand: trap 14' \
  '  origin: Linux software code'

# Unknown codes decode field by field.
expect 0xC000027700000092 '0xC000027700000092  unknown | SEPT_TREE' '  name: unknown' \
  '  class: 0x02 busy/resources' '  details_l1: 0x77' '  operand: 0x92 (SEPT_TREE)' '  origin: unknown'
expect 0x1234560000000000 '0x1234560000000000  unknown' '  class: 0x56 reserved' \
  '  reserved: 0x234 (bits 59:48 are reserved: not a module status)' '  host_recoverability_hint: yes'
decode 0xC000027700000092
grep -q '^  similar:' "$out" && fail "unrelated unknown code has a similar: line"
# Linux's header value for TDX_NON_RECOVERABLE_TD (linux-kvm-tdx.md §4) is not the module's.
expect 0x4000000200000000 '0x4000000200000000  unknown' \
  '  similar: TDX_NON_RECOVERABLE_TD 0x6000000200000000 (same class and details_l1; differs in: fatal)' \
  '  linux_header: TDX_NON_RECOVERABLE_TD (Linux'"'"'s value; the module returns another)'
expect 0x6000000700000000 \
  '  similar: TDX_NON_RECOVERABLE_TD_WRONG_APIC_MODE 0xE000000700000000 (same class and details_l1; differs in: error)'

# Several codes: one block each, blank line between, in order.
decode 0x8000020000000092 0 0x8000FF0000000006
[ "$rc" -eq 0 ] || fail "several codes: exit $rc"
[ "$(grep -c '^0x' "$out")" -eq 3 ] || fail "several codes: expected 3 blocks"
[ "$(grep -c '^$' "$out")" -eq 2 ] || fail "several codes: expected 2 separators"
[ "$(grep '^0x' "$out" | cut -c1-18 | tr '\n' ' ')" = "0x8000020000000092 0x0000000000000000 0x8000FF0000000006 " ] ||
  fail "several codes: wrong order"
grep -qxF '0x0000000000000000  TDX_SUCCESS' "$out" || fail "0 is TDX_SUCCESS"

# --json: one array, valid JSON, one schema.
decode --json 0x8000020000000092 0x00000B0A00000001 0x4000000200000000 0x8000FF0000000006 0xC00009200000003B
[ "$rc" -eq 0 ] || fail "--json: exit $rc"
python3 -m json.tool "$out" >/dev/null || fail "--json output does not parse"
python3 - "$out" <<'PY' || fail "--json content"
import json, sys
a = json.load(open(sys.argv[1]))
keys = ["value", "text", "name", "class", "class_name", "details_l1", "error", "non_recoverable",
        "fatal", "host_recoverability_hint", "reserved", "operand", "kvm_busy", "origin",
        "similar", "linux_header"]
assert len(a) == 5, a
for o in a:
    assert list(o) == keys, list(o)
    assert list(o["operand"]) == ["kind", "value", "name", "text"], o["operand"]
b, acc, nr, ud, msr = a
assert b["value"] == "0x8000020000000092" and b["name"] == "TDX_OPERAND_BUSY", b
assert b["text"] == "TDX_OPERAND_BUSY | SEPT_TREE"
assert b["class"] == 2 and b["class_name"] == "busy/resources" and b["error"] is True
assert b["operand"] == {"kind": "operand_id", "value": 146, "name": "SEPT_TREE", "text": "0x92 (SEPT_TREE)"}
assert b["kvm_busy"] is True and b["origin"] == "module-1.5" and b["similar"] is None
assert acc["operand"]["kind"] == "sept_level" and acc["operand"]["value"] == 1 and acc["operand"]["name"] == "2M"
assert acc["error"] is False and acc["kvm_busy"] is False
assert nr["name"] is None and nr["origin"] is None
assert nr["similar"] == {"name": "TDX_NON_RECOVERABLE_TD", "value": "0x6000000200000000", "differs": ["fatal"]}
assert nr["linux_header"] == "TDX_NON_RECOVERABLE_TD"
assert ud["name"] == "TDX_SEAMCALL_UD" and ud["operand"]["kind"] == "trap" and ud["operand"]["name"] == "#UD"
assert ud["origin"] == "linux-sw" and ud["class"] == 255
assert msr["operand"] == {"kind": "msr", "value": 59, "name": "IA32_TSC_ADJUST", "text": "MSR 0x3B (IA32_TSC_ADJUST)"}
PY

# --help: usage on stdout, exit 0.
decode --help
[ "$rc" -eq 0 ] || fail "--help: exit $rc"
grep -q '^usage: tdxsim decode' "$out" || fail "--help: no usage on stdout"
[ -s "$err" ] && fail "--help: wrote to stderr"

# Bad input: exit 2, the message on stderr, nothing on stdout -- even when the bad
# argument comes after good ones.
for bad in xyz 0x 0x12345678901234567 '' 0x8000020000000092z -5; do
  decode 0x8000020000000092 "$bad"
  [ "$rc" -eq 2 ] || fail "bad '$bad': exit $rc, expected 2"
  [ -s "$out" ] && fail "bad '$bad': wrote to stdout"
done
decode 0x8000020000000092 xyz
grep -qxF "tdxsim decode: 'xyz' is not a 64-bit hex status" "$err" || fail "bad input message: $(cat "$err")"
decode --json xyz 0x1
[ "$rc" -eq 2 ] && [ ! -s "$out" ] || fail "--json with bad input wrote output or exited $rc"
decode
[ "$rc" -eq 2 ] && [ ! -s "$out" ] || fail "no codes: exit $rc, expected 2 and empty stdout"
decode --frobnicate 0x1
[ "$rc" -eq 2 ] && [ ! -s "$out" ] || fail "unknown option: exit $rc"
# Leading zeros beyond 16 digits are fine; 16 significant digits are the limit.
expect 0x000000008000020000000092 '0x8000020000000092  TDX_OPERAND_BUSY | SEPT_TREE'

if [ "$fails" -ne 0 ]; then
  echo "decode.sh: $fails failure(s)" >&2
  exit 1
fi
echo "decode.sh: ok"
