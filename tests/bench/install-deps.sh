#!/bin/bash
# Install what `make bench` compares ipcscope with, when missing (Debian 12, as
# root): the peers (strace, perf, bpftrace). Not needed by
# `make check`. A peer that cannot be installed is reported as not measured.
set -uo pipefail

pkgs=(strace linux-perf bpftrace)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
((${#missing[@]})) || exit 0
if [[ $(id -u) -ne 0 ]]; then
	echo "bench install-deps: missing packages: ${missing[*]}; run as root or: apt-get install ${missing[*]}" >&2
	exit 1
fi
echo "bench install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
	echo "bench install-deps: could not install ${missing[*]}; those tracers will be skipped" >&2
exit 0
