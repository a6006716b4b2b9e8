#!/usr/bin/env bash
# scenarios/teardown-two-tds.yaml meets the outcome it states (tdxsim sim --expect).
# Usage: bash scenario_teardown_two_tds.sh <path-to-tdxsim> <source-root>
set -u
. "$(dirname "$0")/lib/scenario.sh"
scenario_check "$1" "$2" teardown-two-tds done \^\ \ destroy0\ +thread\ .\*\ 0\ \ done\$ \^\ \ destroy1\ +thread\ .\*\ 0\ \ done\$
