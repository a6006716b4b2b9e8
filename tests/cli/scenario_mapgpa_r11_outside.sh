#!/usr/bin/env bash
# scenarios/mapgpa-r11-outside.yaml meets the outcome it states (tdxsim sim --expect):
# a VMM that answers RETRY with R11 outside [start, end) gets refused by the guest.
# Usage: bash scenario_mapgpa_r11_outside.sh <path-to-tdxsim> <source-root>
set -u
. "$(dirname "$0")/lib/scenario.sh"
scenario_check "$1" "$2" mapgpa-r11-outside done \
	'^  ok   mapgpa +expected holds +got holds \(0 resumed outside, 0 unfinished\)$' \
	'^  ok   mapgpa_failed +expected = 1 +got 1$' \
	'^  ok   mapgpas +expected = 1 +got 1$'
