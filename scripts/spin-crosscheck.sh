#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Regenerate formal-model/: export every cross-checked scenario with
# `tdxsim export --promela`, run SPIN on each property (scripts/spin-run.sh), run
# `tdxsim check` on the same scenario, and write formal-model/RESULTS.md with both
# verdicts and both tools' figures.  Exit status 1 if a verdict differs (or a tool
# failed), 0 otherwise.  docs/export.md explains the cases.
#
# usage: scripts/spin-crosscheck.sh [--tdxsim PATH] [--out DIR] [--only NAME]
#   --tdxsim PATH  the tdxsim binary (default: build/tdxsim)
#   --out DIR      where the models and RESULTS.md go (default: formal-model)
#   --only NAME    one case only (the first column of CASES below)
# Environment: SPIN_MEMLIM (MB, default 8192), CHECK_TIMEOUT (s, default 900).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
tdxsim=$root/build/tdxsim
out=$root/formal-model
only=
while [ $# -gt 0 ]; do
	case $1 in
	--tdxsim) tdxsim=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift ;;
	--out) mkdir -p "$2"; out=$(cd "$2" && pwd); shift ;;
	--only) only=$2; shift ;;
	*) sed -n '3,16p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
	esac
	shift
done
command -v spin > /dev/null || { echo "spin-crosscheck: spin is not installed" >&2; exit 1; }
[ -x "$tdxsim" ] || { echo "spin-crosscheck: no tdxsim at $tdxsim (build first)" >&2; exit 1; }
memlim=${SPIN_MEMLIM:-8192}
ctimeout=${CHECK_TIMEOUT:-900}

# name | scenario | export options | properties SPIN checks | tdxsim check options
# (tdxsim check options "-" = do not run it: the case has no tdxsim counterpart).
CASES=$(cat <<'EOF'
memslot-race|tests/data/export/memslot-race.yaml||deadlock vm_bug livelock|
memslot-race-bailout|tests/data/export/memslot-race-bailout.yaml||deadlock vm_bug livelock|
zero-step-removal|tests/data/export/zero-step-removal.yaml||deadlock vm_bug livelock|
accept-spec-retry|tests/data/export/accept-spec-retry.yaml||deadlock vm_bug livelock starvation|
accept-spec-retry-instr|tests/data/export/accept-spec-retry.yaml|--atomicity instr|starvation livelock|--atomicity instr --properties starvation,livelock,deadlock
memslot-delete-vs-local-retry|scenarios/memslot-delete-vs-local-retry.yaml||livelock|--properties livelock --max-states 2000000
zero-step-vs-removal-zero-tolerance|scenarios/zero-step-vs-removal.yaml|--policy zero-tolerance|vm_bug|--policy zero-tolerance --properties vm_bug --max-states 2000000
EOF
)

mkdir -p "$out"
raw=$out/results.txt
: > "$raw.new"
rows=
fail=0
while IFS='|' read -r name scn eopts props copts; do
	[ -n "$name" ] || continue
	[ -z "$only" ] || [ "$only" = "$name" ] || continue
	echo "== $name" >&2
	model=$out/$name.pml
	# shellcheck disable=SC2086
	if ! (cd "$root" && "$tdxsim" export --promela "$scn" $eopts -o "$model"); then
		echo "spin-crosscheck: export of $scn failed" >&2
		fail=1
		continue
	fi
	# tdxsim check on the same scenario (same policy): its verdict per property.
	declare -A cv=()
	cfig="-"
	if [ "$copts" != "-" ]; then
		# shellcheck disable=SC2086
		cout=$(cd "$root" && timeout "$ctimeout" "$tdxsim" check "$scn" $copts --quiet 2>&1)
		echo "$cout" | grep -E '^  [a-z_]+ +(holds|VIOLATED|unknown)' | while read -r p v _; do
			echo "tdxsim: case=$name property=$p verdict=$(tr 'A-Z' 'a-z' <<<"$v")"
		done >> "$raw.new"
		while read -r p v _; do
			cv[$p]=$(tr 'A-Z' 'a-z' <<<"$v")
		done < <(echo "$cout" | grep -E '^  [a-z_]+ +(holds|VIOLATED|unknown)')
		st=$(echo "$cout" | sed -nE 's/^states ([0-9]+),.*/\1/p' | head -1)
		rate=$(echo "$cout" | sed -nE 's/^ *[0-9.]+ s, ([0-9]+) states\/s, ([0-9.]+) bytes\/state.*/\1/p' | head -1)
		bps=$(echo "$cout" | sed -nE 's/^ *[0-9.]+ s, [0-9]+ states\/s, ([0-9.]+) bytes\/state.*/\1/p' | head -1)
		secs=$(echo "$cout" | sed -nE 's/^ *([0-9.]+) s, [0-9]+ states\/s.*/\1/p' | head -1)
		cfig="${st:-?} states, ${secs:-?} s, ${bps:-?} B/state"
		echo "tdxsim: case=$name states=${st:-?} states/s=${rate:-?} bytes/state=${bps:-?} time_s=${secs:-?}" >> "$raw.new"
	fi
	for p in $props; do
		line=$("$root/scripts/spin-run.sh" "$model" "$p" --memlim "$memlim")
		echo "$line" | sed "s/^spin: /spin: case=$name /" >> "$raw.new"
		# An exhaustive safety search that ran out of memory gets a second, bitstate
		# search: a violation it finds is real (livelock and starvation need -DNP's
		# exhaustive cycle search, so they stay unknown).
		case $p in livelock|starvation) ;; *)
			if grep -q ' verdict=unknown ' <<<"$line"; then
				line=$("$root/scripts/spin-run.sh" "$model" "$p" --bitstate --memlim "$memlim")
				echo "$line" | sed "s/^spin: /spin: case=$name /" >> "$raw.new"
			fi ;;
		esac
		sv=$(sed -nE 's/.* verdict=([a-z]+).*/\1/p' <<<"$line")
		ss=$(sed -nE 's/.* states=([0-9.e+]+) .*/\1/p' <<<"$line")
		sm=$(sed -nE 's/.* memory_mb=([0-9.]+) .*/\1/p' <<<"$line")
		stt=$(sed -nE 's/.* time_s=([0-9.e+-]+) .*/\1/p' <<<"$line")
		sb=$(sed -nE 's/.* bytes\/state=([0-9.]+) .*/\1/p' <<<"$line")
		tv=${cv[$p]:--}
		agree="-"
		if [ "$copts" != "-" ]; then
			if [ "$tv" = "$sv" ]; then
				agree=yes
			elif [ "$tv" = unknown ] || [ "$sv" = unknown ]; then
				agree="undecided"
			else
				agree=NO
				fail=1
			fi
		fi
		sfig="$ss states, $stt s, $sb B/state, $sm MB"
		grep -q ' mode=bitstate ' <<<"$line" && sfig="bitstate: $ss states, $stt s (the exhaustive search ran out of memory)"
		rows+="| $name | $p | $sv | $tv | $agree | $sfig | $cfig |"$'\n'
	done
	unset cv
done <<<"$CASES"

if [ -z "$only" ]; then
	mv "$raw.new" "$raw"
	{
		echo "# SPIN cross-check results"
		echo
		echo "Generated by \`scripts/spin-crosscheck.sh\` ($(spin -V 2>&1 | head -1); $(gcc --version | head -1));"
		echo "do not edit.  SPIN runs one property per search with the options in each model's"
		echo "header (scripts/spin-run.sh); \`tdxsim check\` judges all of the scenario's"
		echo "properties in one search.  Figures are from one run on the machine that"
		echo "generated this file; \`results.txt\` has the raw lines."
		echo
		echo "| case | property | SPIN | tdxsim check | agree | SPIN figures | tdxsim check figures |"
		echo "|---|---|---|---|---|---|---|"
		printf '%s' "$rows"
	} > "$out/RESULTS.md"
else
	cat "$raw.new"
	rm -f "$raw.new"
	printf '%s' "$rows"
fi
exit $fail
