#!/usr/bin/env bash
# scenarios/build-vp-create-vs-mr-extend-6.19.yaml meets the outcome it states (tdxsim sim --expect).
# Usage: bash scenario_build_vp_create_vs_mr_extend_6.19.sh <path-to-tdxsim> <source-root>
set -u
. "$(dirname "$0")/lib/scenario.sh"
scenario_check "$1" "$2" build-vp-create-vs-mr-extend-6.19 done \^BUSY\ by\ leaf\,\ operand\ and\ lock\ holder\$ \^\ \ \\\(none\\\)\$
