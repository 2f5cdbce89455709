# bash completion for ipcscope (installed by `make install`).
_ipcscope() {
	local cur prev cmd opts
	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	cmd=${COMP_WORDS[1]}
	# no command: options are live's (the default command)
	[[ $cmd == -* && $cmd != --help && $cmd != --version ]] && cmd=live

	if ((COMP_CWORD == 1)) && [[ $cur != -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "live record replay report stat export merge demo deadlock serve help" -- "$cur")
		return
	fi
	if ((COMP_CWORD == 1)); then	# "-": live's options, and the program's own
		cmd=live
	fi
	# after "record ... --", complete the traced command
	local i
	for ((i = 2; i < COMP_CWORD; i++)); do
		if [[ ${COMP_WORDS[i]} == -- ]]; then
			mapfile -t COMPREPLY < <(compgen -c -- "$cur")
			return
		fi
	done
	case $prev in
	--cgroup)
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		return ;;
	-o | --output | --jsonl)
		compopt -o filenames 2>/dev/null	# a directory gets its /, names are quoted
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return ;;
	--format)
		mapfile -t COMPREPLY < <(compgen -W "jsonl dot perfetto pcapng" -- "$cur")
		return ;;
	--kind)
		local kinds="pipe fifo unix unix-stream unix-dgram unix-seqpacket tcp udp shm futex mq signal pty eventfd"
		local pre=${cur%"${cur##*,}"} word=${cur##*,}
		if [[ $word == -* ]]; then	# -KIND leaves a kind out
			pre+=-
			word=${word#-}
		fi
		mapfile -t COMPREPLY < <(compgen -P "$pre" -W "$kinds" -- "$word")
		return ;;
	-p | --pid)
		mapfile -t COMPREPLY < <(compgen -W "$(ps -eo pid= 2>/dev/null)" -- "$cur")
		return ;;
	-c | --comm)
		mapfile -t COMPREPLY < <(compgen -W "$(ps -eo comm= 2>/dev/null | sort -u)" -- "$cur")
		return ;;
	--duration | --ringbuf-kb | --capture | --since | --until | -n | --frames | -C | -G | -W | \
	--interval | --threshold | --listen | --max-series)
		return ;;
	--by)
		mapfile -t COMPREPLY < <(compgen -W "comm cgroup container" -- "$cur")
		return ;;
	help)
		mapfile -t COMPREPLY < <(compgen -W "live record replay report stat export merge demo deadlock serve" -- "$cur")
		return ;;
	esac
	case $cmd in
	live) opts="-p --pid -c --comm --kind --cgroup --plain --interval -n --frames --duration --ringbuf-kb -v --verbose --help --" ;;
	stat) opts="-p --pid -c --comm --kind --cgroup --duration --json -o --output --force --replace-foreign --ringbuf-kb -q --quiet -v --verbose --help --" ;;
	deadlock) opts="-p --pid -c --comm --cgroup --watch --locks --duration --json --no-stacks --ptrace-stacks --threshold -n --ringbuf-kb -q --quiet -v --verbose --help" ;;
	record) opts="-o --output -p --pid -c --comm --duration --force --replace-foreign --ringbuf-kb --capture --locks --jsonl --kind --cgroup -C -G -W -q --quiet -v --verbose --help --" ;;
	replay) opts="--plain -n --frames -p --pid -c --comm --since --until --kind -v --verbose --help" ;;
	report) opts="--json --all -p --pid -c --comm --since --until --kind -v --verbose --help" ;;
	export) opts="--format -o --output --force --replace-foreign -p --pid -c --comm --since --until --kind -v --verbose --help" ;;
	merge) opts="-o --output --force --replace-foreign --allow-overlap -v --verbose --help" ;;
	serve) opts="--listen --by --max-series -p --pid -c --comm --cgroup --kind --duration --ringbuf-kb -q --quiet -v --verbose --help" ;;
	demo) opts="-o --output --keep --force --replace-foreign -q --quiet -v --verbose --help" ;;
	*) return ;;
	esac
	if [[ $cur == -* ]]; then
		((COMP_CWORD == 1)) && opts+=" --version"
		mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
	elif [[ $cmd == replay || $cmd == report || $cmd == export || $cmd == merge ]]; then
		# recordings: FILE.ipcs and the files -C/-G rotate into (FILE.ipcs.0, .1 ...)
		local f
		compopt -o filenames 2>/dev/null
		while IFS= read -r f; do
			[[ -d $f || $f =~ \.ipcs(\.[0-9]+)?$ ]] && COMPREPLY+=("$f")
		done < <(compgen -f -- "$cur")
	fi
}
complete -F _ipcscope ipcscope
