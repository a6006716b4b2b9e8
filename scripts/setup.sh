#!/usr/bin/env bash
# Install the Debian packages tdxsim needs.  As root it installs what is missing;
# otherwise it prints the exact apt-get line and exits 2.
set -euo pipefail
PKGS=(build-essential cmake pkg-config clang libyaml-dev libjansson-dev libxxhash-dev libcmocka-dev spin graphviz python3)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "tdxsim: missing packages; run as root:" >&2
  echo "  apt-get install -y ${missing[*]}" >&2
  exit 2
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
