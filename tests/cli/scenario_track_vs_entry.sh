#!/usr/bin/env bash
# scenarios/track-vs-entry.yaml meets the outcome it states (tdxsim sim --expect).
# Usage: bash scenario_track_vs_entry.sh <path-to-tdxsim> <source-root>
set -u
. "$(dirname "$0")/lib/scenario.sh"
scenario_check "$1" "$2" track-vs-entry done \^\ \ TDH.VP.ENTER\ +TD_EPOCH\ +TDH.MEM.TRACK\ +\[0-9\]+\$\|\^\ \ TDH.MEM.TRACK\ +TD_EPOCH\ +TDH.VP.ENTER\ +\[0-9\]+\$
