# bash completion for ipcscope (installed by `make install`).
_ipcscope() {
	local cur prev cmd opts
	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}
	cmd=${COMP_WORDS[1]}

	if ((COMP_CWORD == 1)); then
		mapfile -t COMPREPLY < <(compgen -W "live record replay report stat export merge demo deadlock serve help --help --version" -- "$cur")
		return
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
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return ;;
	--format)
		mapfile -t COMPREPLY < <(compgen -W "jsonl dot perfetto pcapng" -- "$cur")
		return ;;
	--kind)
		local kinds="pipe fifo unix unix-stream unix-dgram unix-seqpacket tcp udp shm futex mq signal pty eventfd"
		local pre=${cur%"${cur##*,}"}
		mapfile -t COMPREPLY < <(compgen -P "$pre" -W "$kinds" -- "${cur##*,}")
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
	live) opts="-p --pid -c --comm --kind --cgroup --plain --interval -n --frames --ringbuf-kb -v --verbose --help --" ;;
	stat) opts="-p --pid -c --comm --kind --cgroup --duration --json -o --output --force --replace-foreign --ringbuf-kb -q --quiet -v --verbose --help --" ;;
	deadlock) opts="-p --pid -c --comm --cgroup --watch --duration --json --no-stacks --threshold -n --ringbuf-kb -q --quiet -v --verbose --help" ;;
	record) opts="-o --output -p --pid -c --comm --duration --force --replace-foreign --ringbuf-kb --capture --jsonl --kind --cgroup -C -G -W -q --quiet -v --verbose --help --" ;;
	replay) opts="--plain -n --frames --since --until --kind -v --verbose --help" ;;
	report) opts="--json --since --until --kind -v --verbose --help" ;;
	export) opts="--format -o --output --force --replace-foreign --since --until --kind -v --verbose --help" ;;
	merge) opts="-o --output --force --replace-foreign --allow-overlap -v --verbose --help" ;;
	serve) opts="--listen --by --max-series -p --pid -c --comm --cgroup --kind --duration --ringbuf-kb -q --quiet -v --verbose --help" ;;
	demo) opts="-o --output --keep --force --replace-foreign -q --quiet -v --verbose --help" ;;
	*) return ;;
	esac
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
	elif [[ $cmd == replay || $cmd == report || $cmd == export || $cmd == merge ]]; then
		mapfile -t COMPREPLY < <(compgen -f -X '!*.ipcs' -- "$cur"; compgen -d -- "$cur")
	fi
}
complete -F _ipcscope ipcscope
