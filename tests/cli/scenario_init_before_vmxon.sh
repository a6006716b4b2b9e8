#!/usr/bin/env bash
# scenarios/init-before-vmxon.yaml meets the outcome it states (tdxsim sim --expect).
# Usage: bash scenario_init_before_vmxon.sh <path-to-tdxsim> <source-root>
set -u
. "$(dirname "$0")/lib/scenario.sh"
scenario_check "$1" "$2" init-before-vmxon done \
	'^  kvm_intel +thread .* -EACCES  done$' '^  create +thread .* -E[A-Z]+  done$'
