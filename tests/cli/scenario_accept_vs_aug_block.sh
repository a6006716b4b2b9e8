#!/usr/bin/env bash
# scenarios/accept-vs-aug-block.yaml meets the outcome it states (tdxsim sim --expect).
# Usage: bash scenario_accept_vs_aug_block.sh <path-to-tdxsim> <source-root>
set -u
. "$(dirname "$0")/lib/scenario.sh"
scenario_check "$1" "$2" accept-vs-aug-block done \
	'^  TDG.MEM.PAGE.ACCEPT +RCX +TDH.MEM.RANGE.BLOCK +1$' \
	'^  TDH.MEM.RANGE.BLOCK +RCX +TDG.MEM.PAGE.ACCEPT +1$' \
	'host-priority timeouts 0,'
