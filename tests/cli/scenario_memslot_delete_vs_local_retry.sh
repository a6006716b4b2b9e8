#!/usr/bin/env bash
# scenarios/memslot-delete-vs-local-retry.yaml meets the outcome it states (tdxsim sim --expect).
# Usage: bash scenario_memslot_delete_vs_local_retry.sh <path-to-tdxsim> <source-root>
set -u
. "$(dirname "$0")/lib/scenario.sh"
scenario_check "$1" "$2" memslot-delete-vs-local-retry stall \^\ \ VMM\ stall:\  synchronize_srcu\\\[vm\ 0\\\]\ waits\ for\ readers slots_lock\\\[vm\ 0\\\]\ held\ by\ actor\ 0
