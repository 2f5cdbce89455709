#!/bin/bash
# Install what building and testing ipcscope needs, when missing (Debian 12, as root).
# Arguments name more packages (make bench adds the tracers it compares with).
# Mount nothing: the probes use tp_btf (no tracefs) and pin nothing (no bpffs).
set -euo pipefail

pkgs=(make gcc clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libdeflate-dev libcmocka-dev
      libncurses-dev tmux libdw-dev libclang-rt-14-dev pkg-config jq graphviz tshark coreutils procps
      util-linux python3 strace postgresql postgresql-15 redis-server redis-tools nginx curl liburing-dev
      libmicrohttpd-dev prometheus systemd "$@")
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
	if [[ $(id -u) -ne 0 ]]; then
		echo "install-deps: missing packages: ${missing[*]}; run as root or: apt-get install ${missing[*]}" >&2
		exit 1
	fi
	echo "install-deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	# tshark's wireshark-common asks whether non-root users may capture: no.
	echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [[ ! -r /sys/kernel/btf/vmlinux ]]; then
	echo "install-deps: /sys/kernel/btf/vmlinux is missing: this kernel has no BTF (CONFIG_DEBUG_INFO_BTF=y is needed)" >&2
	exit 1
fi
