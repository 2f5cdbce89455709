#!/bin/bash
# The ABI header may only change together with its version number.
# tests/abi.sha256 holds "MAJOR.MINOR SHA256" of bpf/ipcscope_abi.h.
set -euo pipefail
cd "$(dirname "$0")/.."
hdr=bpf/ipcscope_abi.h
major=$(sed -n 's/^#define IPCS_ABI_MAJOR \([0-9]*\)/\1/p' $hdr)
minor=$(sed -n 's/^#define IPCS_ABI_MINOR \([0-9]*\)/\1/p' $hdr)
sum=$(sha256sum $hdr | cut -d' ' -f1)
read -r want_ver want_sum < tests/abi.sha256
if [[ $sum != "$want_sum" ]]; then
	if [[ "$major.$minor" == "$want_ver" ]]; then
		echo "abi-check: $hdr changed but IPCS_ABI_MAJOR/MINOR is still $want_ver: bump it, then write '$major.<new> <sha256>' to tests/abi.sha256" >&2
		exit 1
	fi
	echo "abi-check: $hdr is now $major.$minor but tests/abi.sha256 says $want_ver: update it to '$major.$minor $sum'" >&2
	exit 1
fi
echo "abi-check: ABI $major.$minor matches tests/abi.sha256"
