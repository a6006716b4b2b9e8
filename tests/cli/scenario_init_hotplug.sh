#!/usr/bin/env bash
# scenarios/init-hotplug.yaml meets the outcome it states (tdxsim sim --expect).
# Usage: bash scenario_init_hotplug.sh <path-to-tdxsim> <source-root>
set -u
. "$(dirname "$0")/lib/scenario.sh"
scenario_check "$1" "$2" init-hotplug done \^\ \ offline2\ +thread\ .\*\ -EBUSY\ \ done\$ \^\ \ kvm_intel\ +thread\ .\*\ 0\ \ done\$
