#!/usr/bin/env bash
# scenarios/mapgpa-no-progress.yaml meets the outcome it states (tdxsim sim --expect).
# Usage: bash scenario_mapgpa_no_progress.sh <path-to-tdxsim> <source-root>
set -u
. "$(dirname "$0")/lib/scenario.sh"
scenario_check "$1" "$2" mapgpa-no-progress done MapGPA\ ok\ 0\,\ MapGPA\ failed\ 1\,
