#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Run SPIN on one property of a model exported by `tdxsim export --promela`
# (docs/export.md), with the standard options the model's header gives for that
# property, and print one parseable line:
#
#   spin: model=M property=P verdict=holds|violated|unknown states=N transitions=N
#         states/s=R bytes/state=B memory_mb=MB time_s=T depth=D vector=V [error=...]
#
# (on one line).  verdict=unknown means the search did not complete (memory or depth
# limit).  Exit status: 0 when SPIN ran (whatever the verdict), 2 on bad usage, 1
# when spin or gcc failed.
#
# usage: scripts/spin-run.sh MODEL.pml PROPERTY [--collapse|--bitstate] [--memlim MB] [--keep DIR]
#   PROPERTY    deadlock, vm_bug, halt, retry_bound, user_exit, livelock, starvation
#   --collapse  compile pan with -DCOLLAPSE (smaller states, slower)
#   --bitstate  compile pan with -DBITSTATE and run it with a 2^33-bit hash array (1 GB):
#               a violation it finds is real, but "no violation" proves nothing, so
#               that case is reported as verdict=unknown error=bitstate-no-violation
#   --memlim MB pan's memory limit (default 8192)
#   --keep DIR  build and run in DIR and keep pan.c, pan, the output and any trail
# Environment: SPIN (default spin), CC (default gcc), SPIN_DEPTH overrides -m,
# SPIN_OPT the compiler optimization (default -O2; tests use -O0: pan.c of a large
# model takes seconds to optimize).
set -u

usage() { sed -n '3,22p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ $# -ge 2 ] || usage
model=$1; prop=$2; shift 2
collapse=0; bitstate=0; memlim=8192; keep=
while [ $# -gt 0 ]; do
	case $1 in
	--collapse) collapse=1 ;;
	--bitstate) bitstate=1 ;;
	--memlim) [ $# -ge 2 ] || usage; memlim=$2; shift ;;
	--keep) [ $# -ge 2 ] || usage; keep=$2; shift ;;
	*) usage ;;
	esac
	shift
done
[ -r "$model" ] || { echo "spin-run: cannot read $model" >&2; exit 2; }
SPIN=${SPIN:-spin}
CC=${CC:-gcc}

# The model's header has one line per property:
#  *   livelock     spin -a -DP_LIVELOCK model.pml && gcc -O2 -DNP -o pan pan.c && ./pan -l -f -m...
line=$(grep -E "^ \*   $prop +spin -a " "$model" | head -1)
if [ -z "$line" ]; then
	echo "spin: model=$(basename "$model") property=$prop verdict=unknown error=not-in-model"
	exit 0
fi
define=$(sed -E 's/.*spin -a (-D[A-Z_]+) model\.pml.*/\1/' <<<"$line")
ccflags=$(sed -E 's/.*gcc -O2 (.*) -o pan pan\.c.*/\1/' <<<"$line")
panflags=$(sed -E 's/.*\.\/pan ([^[]*).*/\1/' <<<"$line" | sed 's/ *$//')
if [ -n "${SPIN_DEPTH:-}" ]; then
	panflags=$(sed -E "s/-m[0-9]+/-m$SPIN_DEPTH/" <<<"$panflags")
fi
[ $collapse = 1 ] && ccflags="$ccflags -DCOLLAPSE"
if [ $bitstate = 1 ]; then
	ccflags="$ccflags -DBITSTATE"
	panflags="$panflags -w33"
fi

if [ -n "$keep" ]; then
	mkdir -p "$keep"; dir=$keep
else
	dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
fi
cp "$model" "$dir/model.pml"
cd "$dir" || exit 1
if ! "$SPIN" -a "$define" model.pml > spin.out 2>&1; then
	echo "spin-run: spin -a failed:" >&2; cat spin.out >&2; exit 1
fi
# VECTORSZ: the exported models' state vectors stay well below 4 KB.
if ! $CC ${SPIN_OPT:--O2} $ccflags -DMEMLIM="$memlim" -DVECTORSZ=4096 -w -o pan pan.c > cc.out 2>&1; then
	echo "spin-run: $CC failed:" >&2; cat cc.out >&2; exit 1
fi
./pan $panflags > pan.out 2>&1

num() { grep -E "$1" pan.out | head -1 | sed -E "s/$2/\1/"; }
states=$(num '^ *[0-9.e+]+ states, stored' '^ *([0-9.e+]+) states, stored.*')
trans=$(num '^ *[0-9.e+]+ transitions' '^ *([0-9.e+]+) transitions.*')
depth=$(num 'depth reached' '.*depth reached ([0-9]+).*')
vector=$(num '^State-vector' '^State-vector ([0-9]+) byte.*')
secs=$(num 'elapsed time' '.*elapsed time ([0-9.e+-]+) seconds.*')
# memory for the stored states (pan: "actual memory usage for states"), else the total
smem=$(num 'actual memory usage for states' '^ *([0-9.e+]+)[[:space:]]+actual memory usage for states.*')
tmem=$(num 'total actual memory usage' '^ *([0-9.e+]+)[[:space:]]+total actual memory usage.*')
errors=$(num 'errors: [0-9]+' '.*errors: ([0-9]+).*')
err=
if grep -qE '^pan:1: ' pan.out; then
	verdict=violated
	err=$(grep -E '^pan:1: ' pan.out | head -1 | sed -E 's/^pan:1: //; s/ \(at depth.*//; s/ /-/g')
elif grep -qE 'Search not completed|max search depth too small|out of memory|reached -DMEMLIM' pan.out; then
	verdict=unknown
	err=$(grep -oE 'max search depth too small|out of memory|reached -DMEMLIM bound' pan.out | head -1 | sed 's/ /-/g')
elif [ "${errors:-x}" = 0 ] && [ $bitstate = 1 ]; then
	verdict=unknown
	err=bitstate-no-violation
elif [ "${errors:-x}" = 0 ]; then
	verdict=holds
else
	verdict=unknown
	err=no-summary
fi
read -r rate bps <<<"$(awk -v s="${states:-0}" -v t="${secs:-0}" -v m="${smem:-0}" 'BEGIN {
	s += 0; t += 0; m += 0
	printf "%.0f %.1f\n", (t > 0 ? s / t : 0), (s > 0 ? m * 1048576 / s : 0) }')"
mode=exhaustive
[ $bitstate = 1 ] && mode=bitstate
printf 'spin: model=%s property=%s mode=%s verdict=%s states=%s transitions=%s states/s=%s bytes/state=%s memory_mb=%s time_s=%s depth=%s vector=%s%s\n' \
	"$(basename "$model")" "$prop" "$mode" "$verdict" "${states:-0}" "${trans:-0}" "$rate" "$bps" "${tmem:-0}" \
	"${secs:-0}" "${depth:-0}" "${vector:-0}" "${err:+ error=$err}"
exit 0
