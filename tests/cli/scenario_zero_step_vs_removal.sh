#!/usr/bin/env bash
# scenarios/zero-step-vs-removal.yaml meets the outcome it states (tdxsim sim --expect).
# Usage: bash scenario_zero_step_vs_removal.sh <path-to-tdxsim> <source-root>
set -u
. "$(dirname "$0")/lib/scenario.sh"
scenario_check "$1" "$2" zero-step-vs-removal done zero-step\ \[1-9\]\[0-9\]\*\, \^\ \ \(TDH.VP.ENTER\|TDH.MEM.TRACK\|TDH.MEM.RANGE.BLOCK\|TDH.MEM.PAGE.AUG\)\ +\(SEPT_TREE\|TD_EPOCH\)\ +TDH\\.
