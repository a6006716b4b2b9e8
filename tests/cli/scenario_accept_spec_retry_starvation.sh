#!/usr/bin/env bash
# scenarios/accept-spec-retry-starvation.yaml meets the outcome it states under sim
# (tdxsim sim --expect); tests/cli/check_atomicity.sh checks its check: verdicts.
# Usage: bash scenario_accept_spec_retry_starvation.sh <path-to-tdxsim> <source-root>
set -u
. "$(dirname "$0")/lib/scenario.sh"
scenario_check "$1" "$2" accept-spec-retry-starvation done
