#!/usr/bin/env bash
# scenarios/build-vp-create-vs-mr-extend-6.16.yaml meets the outcome it states (tdxsim sim --expect).
# Usage: bash scenario_build_vp_create_vs_mr_extend_6.16.sh <path-to-tdxsim> <source-root>
set -u
. "$(dirname "$0")/lib/scenario.sh"
scenario_check "$1" "$2" build-vp-create-vs-mr-extend-6.16 done \
	'^  TDH\.(VP\.CREATE|VP\.ADDCX|VP\.INIT|MEM\.PAGE\.ADD|MR\.EXTEND) +(RDX|TDR|RCX) +TDH\.(VP\.CREATE|VP\.ADDCX|VP\.INIT|MEM\.PAGE\.ADD|MR\.EXTEND) +[0-9]+$'
