#!/bin/bash
# docs/architecture.md must stay true to the tree: every file under bpf/, user/,
# viewer/ and tests/ is named in its table ("| `path` | job |"), and every path
# the table names exists. A header counts as named with its .c (foo.h with
# foo.c); a glob row (`user/commands/*.c`) names what it matches; under tests/
# a directory row (`tests/unit/`) names the files below it.
set -euo pipefail
cd "$(dirname "$0")/.."
doc=docs/architecture.md

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	files=$(git ls-files --cached --others --exclude-standard -- bpf user viewer tests | sort -u)
else
	files=$(find bpf user viewer tests -type f | sort)
fi
# the first column of the table rows: `path`
# shellcheck disable=SC2016 # backticks are markdown, not a command
mapfile -t rows < <(sed -n 's/^| `\([^`]*\)` |.*/\1/p' "$doc")

bad=0
named() {
	local f=$1 r
	for r in "${rows[@]}"; do
		[[ $f == "$r" ]] && return 0
		[[ $f == *.h && ${f%.h}.c == "$r" ]] && return 0
		[[ $f == *.bpf.h && ${f%.bpf.h}.bpf.c == "$r" ]] && return 0
		# shellcheck disable=SC2053 # the row is a glob on purpose
		[[ $r == *'*'* && $f == $r ]] && return 0
		[[ $r == tests/*/ && $f == "$r"* ]] && return 0
	done
	return 1
}
while IFS= read -r f; do
	[[ -n $f && -e $f ]] || continue
	if ! named "$f"; then
		echo "arch-check: $f is not in $doc: add a row \"| \`$f\` | its job |\"" >&2
		bad=1
	fi
done <<<"$files"

for r in "${rows[@]}"; do
	case $r in bpf/* | user/* | viewer/* | tests/* | docs/*) ;; *) continue ;; esac
	# shellcheck disable=SC2206 # expand the glob
	m=($r)
	if [[ ! -e ${m[0]} ]]; then
		echo "arch-check: $doc names $r, which does not exist: remove or fix its row" >&2
		bad=1
	fi
done

if ((bad)); then
	exit 1
fi
echo "arch-check: $doc names all $(wc -l <<<"$files") files under bpf/ user/ viewer/ tests/"
