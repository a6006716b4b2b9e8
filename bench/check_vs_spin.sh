#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# tdxsim check and SPIN side by side on one scenario (docs/check.md): the same
# property, the same memory budget, one after the other in one run.  SPIN runs on
# the model `tdxsim export --promela` writes (docs/export.md), with the commands its
# header gives, with and without -DCOLLAPSE.  Prints states, seconds, states/s,
# bytes per state (tdxsim: its stores and per-state arrays / states; SPIN: pan's
# "total actual memory usage" / states) and peak RSS for each, and the ratios.
#
# usage: bench/check_vs_spin.sh [SCENARIO] [--property P] [--memlim MB] [--bin TDXSIM]
#   SCENARIO   default: scenarios/accept-vs-aug-block.yaml (the largest bundled
#              scenario the Promela export can express)
#   --property default deadlock (a full exploration for both: a safety property
#              that holds)
#   --memlim   memory for the state store of each tool (default 2048 MB): large
#              scenarios do not finish, and the figures are measured up to there
#   --bin      the tdxsim binary (default: build/tdxsim, else build-check/tdxsim)
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
scn=$root/scenarios/accept-vs-aug-block.yaml
prop=deadlock
memlim=2048
bin=
while [ $# -gt 0 ]; do
	case $1 in
	--property) prop=$2; shift ;;
	--memlim) memlim=$2; shift ;;
	--bin) bin=$2; shift ;;
	-h|--help) sed -n '3,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) scn=$1 ;;
	esac
	shift
done
if [ -z "$bin" ]; then
	for b in "$root/build/tdxsim" "$root/build-check/tdxsim"; do [ -x "$b" ] && bin=$b && break; done
fi
[ -x "$bin" ] || { echo "bench: no tdxsim binary (build it, or --bin)" >&2; exit 2; }
command -v spin >/dev/null || { echo "bench: spin is not installed" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TDXSIM_DATA="$root/data"

"$bin" export --promela "$scn" -o "$tmp/model.pml" || { echo "bench: the export failed" >&2; exit 2; }

# tdxsim check: the chosen property only, the memory budget as its limit.
/usr/bin/time -f '%M' -o "$tmp/t.rss" "$bin" check "$scn" --properties "$prop" --max-memory "$memlim" \
	--json --quiet >"$tmp/t.json" 2>"$tmp/t.err"
python3 - "$tmp/t.json" "$tmp/t.rss" >"$tmp/t.line" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s = d["stats"]
rss = int(open(sys.argv[2]).read().split()[-1]) / 1024
print(f'{s["states"]} {s["seconds"]:.2f} {s["states_per_second"]:.0f} {s["bytes_per_state"]:.1f} {rss:.0f} '
      f'{d["properties"][list(d["properties"])[0]]["verdict"]} {"stopped" if s["stopped"] else "complete"}')
PY

# SPIN on the exported model: the header's commands for the property (docs/export.md),
# with pan's memory limit and a large depth bound; the figures come from pan's summary.
define=$(grep -E "^ \*   $prop +spin -a " "$tmp/model.pml" | head -1 | sed -E 's/.*spin -a (-D[A-Z_]+) model\.pml.*/\1/')
ccflags=$(grep -E "^ \*   $prop +spin -a " "$tmp/model.pml" | head -1 | sed -E 's/.*gcc -O2 (.*) -o pan pan\.c.*/\1/')
# pan's flags from the header, without its [expect: ...] note; the DFS stack bound
# (-m) at SPIN_DEPTH (default 1000000): pan preallocates the stack inside MEMLIM.
panflags=$(grep -E "^ \*   $prop +spin -a " "$tmp/model.pml" | head -1 | sed -E 's/.*\.\/pan (.*)$/\1/; s/\[.*\]//' |
	sed -E "s/-m[0-9]+/-m${SPIN_DEPTH:-1000000}/")
[ -n "$define" ] || { echo "bench: the model has no SPIN command for $prop" >&2; exit 2; }
(cd "$tmp" && spin -a $define model.pml >spin.out 2>&1) || { echo "bench: spin -a failed" >&2; exit 2; }
spin_line() { # $1: extra cc flags
	(cd "$tmp" && gcc -O2 $ccflags $1 -DMEMLIM="$memlim" -DVECTORSZ=4096 -w -o pan pan.c) ||
		{ echo "bench: gcc failed" >&2; exit 2; }
	(cd "$tmp" && /usr/bin/time -f '%M' -o s.rss ./pan $panflags >pan.out 2>&1)
	python3 - "$tmp/pan.out" "$tmp/s.rss" <<'PY'
import re, sys
out = open(sys.argv[1]).read()
rss = int(open(sys.argv[2]).read().split()[-1]) / 1024
def num(pat, d=0.0):
    m = re.search(pat, out, re.M)
    return float(m.group(1)) if m else d
states = num(r'^\s*([0-9.e+]+) states, stored')
secs = num(r'elapsed time ([0-9.e+-]+) seconds')
total = num(r'^\s*([0-9.e+]+)\s+total actual memory usage')
verdict = "violated" if "pan:1:" in out else ("unknown" if re.search(r'Search not completed|reached -DMEMLIM|out of memory', out) else "holds")
done = "stopped" if verdict == "unknown" else "complete"
rate = states / secs if secs > 0 else 0
bps = total * 1048576 / states if states else 0
print(f'{states:.0f} {secs:.2f} {rate:.0f} {bps:.1f} {rss:.0f} {verdict} {done}')
PY
}
spin_line "" >"$tmp/s1.line"
spin_line -DCOLLAPSE >"$tmp/s2.line"

echo "scenario $(basename "$scn"), property $prop, memory budget $memlim MB, $(nproc) CPUs"
printf '%-22s %12s %9s %12s %12s %9s  %s\n' tool states seconds states/s bytes/state "RSS MB" verdict
row() { read -r st se rate bps rss verdict done <"$2"; printf '%-22s %12s %9s %12s %12s %9s  %s (%s)\n' "$1" "$st" "$se" "$rate" "$bps" "$rss" "$verdict" "$done"; }
row "tdxsim check (tree)" "$tmp/t.line"
row "SPIN" "$tmp/s1.line"
row "SPIN -DCOLLAPSE" "$tmp/s2.line"
python3 - "$tmp/t.line" "$tmp/s1.line" "$tmp/s2.line" <<'PY'
import sys
t, s, c = [open(f).read().split() for f in sys.argv[1:4]]
for name, o in (("SPIN", s), ("SPIN -DCOLLAPSE", c)):
    r = float(t[2]) / float(o[2]) if float(o[2]) else 0
    b = float(t[3]) / float(o[3]) if float(o[3]) else 0
    print(f"vs {name}: {r:.2f}x the states/s (goal >= 2), {b:.2f}x the bytes/state (goal <= 0.5)")
PY
