#!/usr/bin/env bash
# scenarios/init-cpu-offline.yaml meets the outcome it states (tdxsim sim --expect).
# Usage: bash scenario_init_cpu_offline.sh <path-to-tdxsim> <source-root>
set -u
. "$(dirname "$0")/lib/scenario.sh"
scenario_check "$1" "$2" init-cpu-offline done \^\ \ kvm_intel\ +thread\ .\*\ -EIO\ \ done\$ \^\ \ TDH.SYS.CONFIG\ +1\ +0\ +0\ +1\ +0\$
