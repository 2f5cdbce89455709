#!/bin/bash
# bash completion, `make install`, and the manual: every option that --help
# lists is in the man page and in the completion. Loads no BPF.
LIVE_NO_BPF=1
source "$(dirname "$0")/lib.sh"
live_init "$@"
root=$(cd "$(dirname "$0")/../.." && pwd)
comp=$root/docs/completion/ipcscope.bash
man=$root/docs/ipcscope.8

# complete WORDS...: what the completion offers for the last word
complete_words() {
	(
		# shellcheck disable=SC1090
		source "$comp"
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_ipcscope
		printf '%s\n' "${COMPREPLY[@]}" | sort | paste -sd' '
	)
}

check_eq "commands" "merge" "$(complete_words ipcscope me)"
check_eq "every command" "deadlock demo" "$(complete_words ipcscope de)"
check_eq "live options" "--cgroup --comm" "$(complete_words ipcscope live --c)"
check_eq "live takes no recording" "" "$(cd "$T" && touch x.ipcs && complete_words ipcscope live x)"
check_eq "serve --by" "cgroup comm container" "$(complete_words ipcscope serve --by '')"
check_eq "export --format" "pcapng perfetto" "$(complete_words ipcscope export x.ipcs --format p)"
check_eq "--kind after a comma" "pipe,udp pipe,unix pipe,unix-dgram pipe,unix-seqpacket pipe,unix-stream" \
	"$(complete_words ipcscope report x.ipcs --kind pipe,u)"
check_eq "record options" "--capture --cgroup --comm" "$(complete_words ipcscope record --c)"
mkdir -p "$T/d" && touch "$T/d/a.ipcs" "$T/d/b.txt"
check_eq "recordings as FILE" "$T/d/a.ipcs" "$(complete_words ipcscope report "$T/d/")"
touch "$T/d/r.ipcs.0" "$T/d/r.ipcs.12" "$T/d/r.ipcs.x"
mkdir -p "$T/d/sub"
check_eq "rotated recordings and directories too" "$T/d/a.ipcs $T/d/r.ipcs.0 $T/d/r.ipcs.12 $T/d/sub" \
	"$(complete_words ipcscope replay "$T/d/")"
check_eq "no command: live's options" "--cgroup --comm" "$(complete_words ipcscope --c)"
check_eq "no command, later words: live's options" "--plain" "$(complete_words ipcscope -p 1 --pl)"
check_eq "no command: --version too" "--verbose --version" "$(complete_words ipcscope --ver)"
check_eq "-o offers files" "$T/d/b.txt" "$(complete_words ipcscope record -o "$T/d/b")"

# every long option of every command's --help: in the man page and the completion
for cmd in live record replay report stat export merge demo deadlock serve; do
	# the option lines: "  -o, --output FILE", "      --jsonl OUT", "  --json  ..."
	for opt in $("$IPCS" "$cmd" --help | grep -oE -- '^ +(-[a-zA-Z], )?--[a-z][a-z-]+' | grep -oE -- '--[a-z-]+' | sort -u); do
		manopt=${opt//-/\\\\-}
		if grep -q -- "$manopt" "$man"; then ok "$cmd $opt in the man page"; else bad "$cmd $opt missing from docs/ipcscope.8"; fi
		if complete_words ipcscope "$cmd" "${opt:0:4}" | grep -qw -- "$opt"; then
			ok "$cmd $opt completes"
		else
			bad "$cmd $opt missing from docs/completion/ipcscope.bash"
		fi
	done
done
"$IPCS" --version >"$T/v" || bad "--version failed"
check_grep "--version names the ABI" "$T/v" "(ABI 1."

# make install: binary, man page, completion under DESTDIR/PREFIX
make -s -C "$root" BUILD="$BUILD" install DESTDIR="$T/inst" PREFIX=/usr >"$T/inst.log" 2>&1
check_eq "make install exit" 0 "$?"
for f in sbin/ipcscope share/man/man8/ipcscope.8 share/bash-completion/completions/ipcscope; do
	if [[ -s $T/inst/usr/$f ]]; then ok "installed $f"; else bad "make install did not install $f"; fi
done
live_finish
