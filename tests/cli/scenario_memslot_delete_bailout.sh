#!/usr/bin/env bash
# scenarios/memslot-delete-bailout.yaml meets the outcome it states (tdxsim sim --expect).
# Usage: bash scenario_memslot_delete_bailout.sh <path-to-tdxsim> <source-root>
set -u
. "$(dirname "$0")/lib/scenario.sh"
scenario_check "$1" "$2" memslot-delete-bailout done \^\ \ vcpu0\ +vcpu\ +0\ .\*\ -EFAULT\ \ done\$ \^\ \ deleter\ +thread\ +2\ .\*\ 0\ \ done\$
