#!/usr/bin/env bash
# tdxsim sim / stress command line (docs/sim.md, docs/scenario.md): --help, bad
# arguments (one line, exit 2), malformed scenario and policy files (exact
# file:line messages, exit 2, no output file), byte-identical --json for one
# scenario and seed, the Chrome trace's structure, the sweep table and its JSON.
# Usage: bash sim.sh <path-to-tdxsim> <source-root>
set -u
bin=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
err() { echo "FAIL: $*" >&2; fail=1; }
export TDXSIM_DATA="$src/data"
cd "$src" || exit 1

# ---- help and bad arguments --------------------------------------------------------------
"$bin" sim --help >"$tmp/out" 2>&1 || err "sim --help exited $?"
grep -q '^usage: tdxsim sim SCENARIO' "$tmp/out" || err "sim --help: no usage line"
"$bin" stress --help >"$tmp/out" 2>&1 || err "stress --help exited $?"
grep -q '^usage: tdxsim stress SCENARIO' "$tmp/out" || err "stress --help: no usage line"

# <args> <expected stderr line>
bad_arg() {
	local want=$1
	shift
	"$bin" "$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	[ $rc -eq 2 ] || err "tdxsim $*: exit $rc, expected 2"
	[ -s "$tmp/out" ] && err "tdxsim $*: wrote to stdout"
	[ "$(wc -l <"$tmp/err")" -eq 1 ] || err "tdxsim $*: stderr is not one line: $(cat "$tmp/err")"
	[ "$(cat "$tmp/err")" = "$want" ] || err "tdxsim $*: stderr '$(cat "$tmp/err")', expected '$want'"
}
S=scenarios/zero-step-vs-removal.yaml
bad_arg "tdxsim sim: missing SCENARIO (see tdxsim sim --help)" sim
bad_arg "tdxsim sim: unknown argument '--bogus' (see tdxsim sim --help)" sim "$S" --bogus
bad_arg "tdxsim sim: --seed wants a number, not 'x'" sim "$S" --seed x
bad_arg "tdxsim sim: --time wants a duration such as 10ms, not '10 years'" sim "$S" --time "10 years"
bad_arg "tdxsim sim: --time needs a value" sim "$S" --time
bad_arg "tdxsim sim: one scenario at a time ('$S' and 'b.yaml')" sim "$S" b.yaml
bad_arg "tdxsim sim: --sweep cannot be combined with --policy, --trace or --expect" sim "$S" --sweep --policy kvm-6.16
bad_arg "tdxsim sim: --policies and --seeds go with --sweep" sim "$S" --seeds 3
bad_arg "tests/data/scenarios/bad_policy.yaml:3: rule: unknown action 'retryy' (expected ok, errno, retry, kick_retry, bug, exit_fastpath, reenter, warn)" \
	sim "$S" --policy tests/data/scenarios/bad_policy.yaml
bad_arg "tdxsim stress: missing SCENARIO (see tdxsim stress --help)" stress
bad_arg "tdxsim stress: --runs wants a number 1..100000, not '0'" stress "$S" --runs 0
bad_arg "$src/data/../scenarios/none.yaml: cannot open: No such file or directory" sim "$src/data/../scenarios/none.yaml"

# ---- malformed scenario files: file:line, exit 2, no partial trace ----------------------
d=tests/data/scenarios
check_bad() { # file expected-message
	local f=$1 want=$2
	rm -f "$tmp"/t.json*
	"$bin" sim "$d/$f" --trace "$tmp/t.json" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	[ $rc -eq 2 ] || err "$f: exit $rc, expected 2"
	[ -s "$tmp/out" ] && err "$f: wrote to stdout"
	[ "$(cat "$tmp/err")" = "$want" ] || err "$f: got '$(cat "$tmp/err")', expected '$want'"
	ls "$tmp"/t.json* >/dev/null 2>&1 && err "$f: left a trace file behind"
}
check_bad bad_unknown_key.yaml "$d/bad_unknown_key.yaml:3: unknown key 'actor' (expected scenario, doc, module, vmm, kernel, policy, platform, td, setup, actors, properties, retry_bound, starve, expect, check, latency, sim, inputs, stop_vcpus, fault, atomicity)"
check_bad bad_program.yaml "$d/bad_program.yaml:5: actors: unknown program 'zap' (expected one of: module_init, cpu_online, cpu_offline, td_create, td_init_mem, td_finalize, vcpu_init, zap_range, memslot_delete, td_teardown, prefault)"
check_bad bad_gpa.yaml "$d/bad_gpa.yaml:5: guest (accept): 'gpa' 0x10000 is outside the TD's private range [0x0, 0x10000)"
check_bad bad_pages.yaml "$d/bad_pages.yaml:4: actors (zap_range): 'pages' 9 runs past the end of the TD's private range (8 pages from 0x8000)"
check_bad bad_vcpu.yaml "$d/bad_vcpu.yaml:5: actors (vcpu_run): 'vcpu' 2 out of range (td.vcpus = 2)"
check_bad bad_duration.yaml "$d/bad_duration.yaml:6: 'time' must be a duration: a number of ns, or a number with ns, us, ms or s (e.g. 10ms)"
check_bad bad_syntax.yaml "$d/bad_syntax.yaml:3: YAML syntax error: did not find expected ',' or '}' (while parsing a flow mapping)"
check_bad bad_property.yaml "$d/bad_property.yaml:8: expect: the simulator cannot judge 'starvation' from one run; state it under 'check:' (or bound a counter)"
check_bad bad_policy_name.yaml "$d/bad_policy_name.yaml:2: unknown policy 'kvm-6.20' (built-ins: kvm-6.16, kvm-6.19, sept-retry-v1, eagain-kick-first, retry16, zero-tolerance, spec-retry; or a .yaml file)"
check_bad bad_policy_file.yaml "$d/bad_policy.yaml:3: rule: unknown action 'retryy' (expected ok, errno, retry, kick_retry, bug, exit_fastpath, reenter, warn)"
check_bad bad_latency.yaml "$d/bad_latency.yaml:5: latency: unknown leaf or class 'TDH.MEM.PAGE.AUGG' (classes: lock, vmm, guest, exit, poll; leaves: names in tdx-1.5.05)"
check_bad bad_sizes.yaml "$d/bad_sizes.yaml:2: platform: max_vcpus (2) is smaller than td.vms x td.vcpus (4)"
check_bad bad_module.yaml "$d/bad_module.yaml:2: module 'tdx-9.9.99' not found (looked for $src/data/modules/tdx-9.9.99.yaml)"
check_bad bad_input.yaml "$d/bad_input.yaml:6: inputs (inject): 'status' must be a status name (TDX_SEAMCALL_UD, TDX_OPERAND_BUSY|SEPT_TREE, ...) or a number"
check_bad bad_counter.yaml "$d/bad_counter.yaml:8: expect: unknown key 'bussy' (expected outcome, holds, violated, notes, or a counter: steps, seamcalls, tdcalls, busy, guest_busy, retries, kicks, zero_step, hp_timeouts, vm_bugs, vm_dead, user_exits, signal_exits, vmm_stalls, flows, faults, removals, accepts, mapgpas, max_retries, accepted, accept_failed, accesses, mapgpa_ok, mapgpa_failed, guest_busy_seen, guest_done, actors_done, halted, programs_failed, mapgpa_outside, mapgpa_active)"
for f in "$d"/bad_*.yaml; do
	case $f in */bad_policy.yaml) continue ;; esac
	grep -q "check_bad $(basename "$f") " "$0" || err "$(basename "$f") has no expected message in this test"
done
# --expect on a scenario without expect: (bad input).
printf 'scenario: no-expect\ntd: { vcpus: 1, pages: 16 }\nactors:\n  - { vcpu: 0 }\n' >"$tmp/noexp.yaml"
"$bin" sim "$tmp/noexp.yaml" --expect >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] || err "--expect without expect: should exit 2"
grep -q "the scenario has no expect: block" "$tmp/err" || err "--expect without expect: message: $(cat "$tmp/err")"

# ---- determinism: same scenario and seed -> the same bytes ------------------------------
for sc in zero-step-vs-removal memslot-delete-vs-local-retry track-vs-entry; do
	"$bin" sim "scenarios/$sc.yaml" --json --seed 7 >"$tmp/a.json" 2>/dev/null || err "$sc --json (1) failed"
	"$bin" sim "scenarios/$sc.yaml" --json --seed 7 >"$tmp/b.json" 2>/dev/null || err "$sc --json (2) failed"
	cmp -s "$tmp/a.json" "$tmp/b.json" || err "$sc: two --json runs with seed 7 differ"
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["schema"]=="tdxsim.sim/1" and d["run"]["seed"]==7' \
		"$tmp/a.json" || err "$sc: --json is not a tdxsim.sim/1 document with seed 7"
	"$bin" sim "scenarios/$sc.yaml" >"$tmp/a.txt" 2>/dev/null
	"$bin" sim "scenarios/$sc.yaml" >"$tmp/b.txt" 2>/dev/null
	cmp -s "$tmp/a.txt" "$tmp/b.txt" || err "$sc: two text runs differ"
done
# A different seed is a different run (same schema).
"$bin" sim scenarios/zero-step-vs-removal.yaml --json --seed 8 >"$tmp/c.json" 2>/dev/null
cmp -s "$tmp/a.json" "$tmp/c.json" && err "seed 8 gave the same bytes as seed 7 (track-vs-entry vs zero-step?)"

# ---- JSON report fields --------------------------------------------------------------------
"$bin" sim scenarios/zero-step-vs-removal.yaml --json >"$tmp/z.json" 2>/dev/null || err "zero-step --json failed"
python3 - "$tmp/z.json" <<'PY' || err "zero-step --json: fields"
import json, sys
d = json.load(open(sys.argv[1]))
for k in ("schema", "mode", "scenario", "run", "expect", "leaves", "busy", "flows", "vm_bugs", "guest", "actors", "counters"):
    assert k in d, k
assert d["expect"]["applies"] and d["expect"]["met"] is True
assert d["run"]["outcome"] == "done"
kinds = {f["kind"]: f for f in d["flows"]}
assert "fault" in kinds and "removal" in kinds, kinds.keys()
for f in d["flows"]:
    lat = f["latency_ns"]
    assert lat["p50"] <= lat["p99"] <= lat["max"], f
    assert sum(h["flows"] for h in f["histogram"]) == lat["n"], f
for b in d["busy"]:
    assert b["status"].startswith("0x80000200"), b
    assert b["count"] >= 1 and b["holder"]
c = d["counters"]
assert c["zero_step"] >= 1 and c["kicks"] >= 1 and c["vm_bugs"] == 0
assert c["busy"] + c["guest_busy"] == sum(l["busy"] for l in d["leaves"])
PY

# ---- Chrome trace ---------------------------------------------------------------------------
rm -f "$tmp"/t.json*
"$bin" sim scenarios/zero-step-vs-removal.yaml --trace "$tmp/t.json" >/dev/null 2>"$tmp/err" || err "--trace failed: $(cat "$tmp/err")"
[ -s "$tmp/t.json" ] || err "--trace wrote nothing"
ls "$tmp"/t.json.tmp* >/dev/null 2>&1 && err "--trace left its temporary file"
python3 - "$tmp/t.json" <<'PY' || err "trace structure"
import json, sys
d = json.load(open(sys.argv[1]))
assert isinstance(d, dict) and isinstance(d["traceEvents"], list), "traceEvents"
ev = d["traceEvents"]
named = {e["tid"] for e in ev if e["ph"] == "M" and e["name"] == "thread_name"}
assert any(e["ph"] == "M" and e["name"] == "process_name" for e in ev)
slices = {}
n_x = n_busy = 0
for e in ev:
    assert e["ph"] in ("X", "i", "M"), e
    for k in ("name", "ph", "pid", "tid"):
        assert k in e, (k, e)
    assert isinstance(e["pid"], int) and isinstance(e["tid"], int)
    if e["ph"] == "M":
        continue
    assert isinstance(e["ts"], (int, float)) and e["ts"] >= 0, e
    if e["ph"] == "i":
        assert e.get("s") in ("t", "g", "p"), e
        if e["name"] == "BUSY":
            n_busy += 1
            a = e["args"]
            assert a["leaf"] and a["status"].startswith("0x80000200") and a["holder"], e
        if e["s"] == "t":
            assert e["tid"] in named, ("instant on an unnamed track", e)
        continue
    n_x += 1
    assert e["dur"] >= 0, e
    assert e["tid"] in named, ("slice on an unnamed track", e)
    if e["cat"] in ("seamcall", "tdcall"):
        a = e["args"]
        assert a["leaf"] == e["name"] and a["status"].startswith("0x") and "status_name" in a, e
    slices.setdefault(e["tid"], []).append((e["ts"], e["ts"] + e["dur"], e["name"]))
assert n_x > 0 and n_busy > 0, (n_x, n_busy)
# Slices on one track nest (Perfetto draws them as a stack).
for tid, l in slices.items():
    l.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    stack = []
    for b, e, name in l:
        while stack and stack[-1][1] <= b + 1e-9:
            stack.pop()
        assert not stack or e <= stack[-1][1] + 1e-9, ("overlap on track", tid, name, b, e, stack[-1])
        stack.append((b, e, name))
assert ev[-1]["name"] == "end" and ev[-1]["args"]["outcome"] == "done"
PY
# A trace to an unwritable place: exit 2, one line.
"$bin" sim scenarios/zero-step-vs-removal.yaml --trace /nonexistent/dir/t.json >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] || err "--trace to a missing directory should exit 2"
[ "$(wc -l <"$tmp/err")" -eq 1 ] || err "--trace to a missing directory: $(cat "$tmp/err")"

# ---- sweep ------------------------------------------------------------------------------
"$bin" sim scenarios/zero-step-vs-removal.yaml --sweep >"$tmp/sweep.txt" 2>"$tmp/err" || err "--sweep failed: $(cat "$tmp/err")"
grep -qE '^policy +outcome +BUSY +retries +kicks +VM BUGs +0-step +faults +max-rtry +p99 fault$' "$tmp/sweep.txt" ||
	err "--sweep: header: $(sed -n 4p "$tmp/sweep.txt")"
for p in kvm-6.16 kvm-6.19 sept-retry-v1 eagain-kick-first retry16 zero-tolerance spec-retry; do
	grep -qE "^$p +[a-z]" "$tmp/sweep.txt" || err "--sweep: no row for $p"
done
[ "$(grep -cE '^(kvm-6\.1[69]|sept-retry-v1|eagain-kick-first|retry16|zero-tolerance|spec-retry) ' "$tmp/sweep.txt")" -eq 7 ] ||
	err "--sweep: not exactly 7 policy rows"
"$bin" sim scenarios/zero-step-vs-removal.yaml --sweep --policies kvm-6.16,zero-tolerance --seeds 2 --json >"$tmp/sweep.json" 2>/dev/null ||
	err "--sweep --json failed"
python3 - "$tmp/sweep.json" <<'PY' || err "--sweep --json structure"
import json, sys
d = json.load(open(sys.argv[1]))
assert isinstance(d, list) and [r["policy"] for r in d] == ["kvm-6.16", "zero-tolerance"], d
for r in d:
    assert r["schema"] == "tdxsim.sweep/1" and r["runs"] == 2 and r["seeds"] == 2
    assert sum(r["outcomes"].values()) == 2
    for k in ("busy", "retries", "kicks", "vm_bugs", "fault_latency_ns"):
        assert k in r, k
PY

# ---- stress: the threads scheduler runs the same scenarios (not reproducible: only
# scenarios whose outcome does not depend on the interleaving are judged) --------------
"$bin" stress scenarios/teardown-two-tds.yaml --expect --runs 3 >"$tmp/out" 2>"$tmp/err" ||
	err "stress teardown-two-tds --expect failed: $(cat "$tmp/err")"
grep -q '^tdxsim stress: teardown-two-tds' "$tmp/out" || err "stress: no header"
grep -q '^  [0-9]* OS threads, time limit' "$tmp/out" || err "stress: no thread count"
[ "$(grep -c '^stress run [123]: done, .* expect met$' "$tmp/err")" -eq 3 ] || err "stress --runs 3: $(cat "$tmp/err")"
"$bin" stress scenarios/zero-step-vs-removal.yaml --json >"$tmp/st.json" 2>/dev/null || err "stress --json failed"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["mode"]=="stress" and d["run"]["threads"]==3 and d["run"]["outcome"] in ("done","time"), d["run"]' \
	"$tmp/st.json" || err "stress --json: mode/threads/outcome"

exit $fail
