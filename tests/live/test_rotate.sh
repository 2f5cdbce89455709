#!/bin/bash
# shellcheck disable=SC2016 # jq programs use $vars
# record -G/-C/-W: every rotated file is a complete recording on its own,
# and together they hold every byte exactly once. How many files there are
# depends on timing, so only lower bounds are checked for that.
source "$(dirname "$0")/lib.sh"
live_init "$@"
need_workload pipe_pair

# the pipe bytes written in a set of recordings
pipe_bytes() {
	local f sum=0 b
	for f in "$@"; do
		"$IPCS" report "$f" --json >"$T/r.json" 2>/dev/null || { echo "report $f failed"; return; }
		b=$(jq '[.channels[] | select(.kind == "pipe") | .bytes_written] | add // 0' "$T/r.json")
		sum=$((sum + b))
	done
	echo "$sum"
}

# -G 1: a shell pipeline writing 2 bytes a second for 4 seconds
"$IPCS" record -q -o "$T/g.ipcs" -G 1 -- sh -c 'for i in 1 2 3 4; do echo x; sleep 1; done | cat >/dev/null' \
	</dev/null >"$T/g.out" 2>"$T/g.err"
check_eq "-G 1: record exit status" 0 "$?"
[[ -e $T/g.ipcs ]] && bad "-G: no file is named without its suffix" || ok "-G: files carry a suffix"
mapfile -t files < <(for f in "$T"/g.ipcs.*; do echo "${f##*.} $f"; done | sort -n | cut -d' ' -f2-)
if ((${#files[@]} >= 2)); then ok "-G 1: ${#files[@]} files in ~4 s"; else bad "-G 1: only ${#files[@]} file(s)"; fi
clean=0
for f in "${files[@]}"; do
	"$IPCS" report "$f" --json >"$T/c.json" 2>/dev/null && [[ $(jq .status.clean "$T/c.json") == true ]] && clean=$((clean + 1))
	[[ $(stat -c %a "$f") == 600 ]] || bad "$f is not mode 600"
done
check_eq "-G: every file a clean recording" "${#files[@]}" "$clean"
check_eq "-G: the 8 pipe bytes, once, across the files" 8 "$(pipe_bytes "${files[@]}")"

# -C 64k -W 2: a flood of 64 KiB+ files; only two names ever exist
"$IPCS" record -v -o "$T/w.ipcs" -C 64k -W 2 -- sh -c "$WL/pipe_pair 20000 100 >/dev/null; sleep 1.2; $WL/pipe_pair 20000 100 >/dev/null; sleep 1.2; $WL/pipe_pair 20000 100 >/dev/null" \
	</dev/null >"$T/w.out" 2>"$T/w.err"
check_eq "-C 64k -W 2: record exit status" 0 "$?"
check_eq "-W 2: two files, the oldest replaced" "w.ipcs.0 w.ipcs.1" "$(cd "$T" && ls w.ipcs* | paste -sd' ')"
n0=$(grep -c "recording to .*w\.ipcs\.0" "$T/w.err")
if ((n0 >= 2)); then ok "-W 2: w.ipcs.0 was begun again ($n0 times)"; else bad "-W 2: no wrap (w.ipcs.0 begun $n0 times)"; show "$T/w.err"; fi
for f in "$T"/w.ipcs.*; do
	"$IPCS" report "$f" --json >"$T/c.json" 2>/dev/null
	check_jq "$(basename "$f"): clean" true "$T/c.json" .status.clean
done

# -C 100k under a flood: every file but the last ends close to the size (issue
# 23 #11: buffered events went out only every second, making 1.35 MB files)
"$IPCS" record -q -o "$T/c.ipcs" -C 100k -- "$WL/pipe_pair" 100000 100 </dev/null >/dev/null 2>"$T/c.err"
check_eq "-C 100k: record exit status" 0 "$?"
# by the number after the last dot (the temp dir's name may hold dots too; c.ipcs.10 after .9)
mapfile -t files < <(for f in "$T"/c.ipcs.*; do echo "${f##*.} $f"; done | sort -n | cut -d' ' -f2-)
if ((${#files[@]} >= 4)); then ok "-C 100k: ${#files[@]} files"; else bad "-C 100k: only ${#files[@]} file(s)"; fi
over=""
for f in "${files[@]::${#files[@]}-1}"; do
	sz=$(stat -c %s "$f")
	# 100k = 102400 bytes; the block that crosses it, plus the trailer, may pass it a little
	((sz >= 102400 && sz <= 102400 * 110 / 100)) || over+=" $(basename "$f")=$sz"
done
check_eq "-C 100k: every file but the last within 10% above 102400 bytes" "" "$over"
check_eq "-C 100k: the 10,000,000 pipe bytes, once, across the files" 10000000 "$(pipe_bytes "${files[@]}")"

# usage errors
"$IPCS" record -o "$T/x.ipcs" -W 3 -- true 2>"$T/e1"
check_eq "-W without -C/-G: usage exit" 2 "$?"
"$IPCS" record -o "$T/x.ipcs" -C 1x -- true 2>"$T/e2"
check_eq "-C 1x: usage exit" 2 "$?"
check_grep "-C: says what a size is" "$T/e2" "k, M or G"
live_finish
