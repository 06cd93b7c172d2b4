#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The bash completion (contrib/bash-completion/memsift) loads in a plain
# bash and offers, for every tool, every long option its --help lists; an
# option's argument completes as its kind says: a pid from /proc, the
# columns --help lists, the closed sets (regiondump --format).
. "${MS_SRCDIR:-.}/tests/lib.sh"
comp=$MS_SRCDIR/contrib/bash-completion/memsift
[ -r "$comp" ] || ms_error "no completion file at $comp"
ms_tmpdir
offer=$tmp/offer

# complete WORDS...: what the completion offers for the last word.
complete_words()
{
	bash --norc --noprofile -c '
		. "$1" || exit 3
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"
		_memsift "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}"' complete "$comp" "$@"
}

for src in "$MS_SRCDIR"/tools/*.c; do
	tool=$(basename "$src" .c)
	case $tool in test-hook|cli|TEMPLATE) continue ;; esac	# the tools' helpers, the tests' hook and the template to copy, not tools
	exe=$MS_BUILDDIR/tools/$tool
	bash --norc --noprofile -c '. "$1" && complete -p "$2"' x "$comp" "$tool" > /dev/null ||
		ms_fail "$tool: the completion file does not register it"
	complete_words "$exe" -- > "$offer" 2>&1 || ms_fail "$tool: completing -- failed: $(cat "$offer")"
	for opt in $("$exe" --help | grep -oE '^ +(-[[:alnum:]], )?--[[:alnum:]-]+' | grep -oE -- '--[[:alnum:]-]+'); do
		grep -qx -- "$opt" "$offer" || ms_error "$tool: $opt is in --help but not offered"
	done
done

bin=$MS_BUILDDIR/tools
leaker_start
complete_words "$bin/regiondump" -p "$LEAKER_PID" > "$offer"
grep -qx "$LEAKER_PID" "$offer" || ms_error "regiondump -p $LEAKER_PID: the pid is not offered: $(cat "$offer")"
complete_words "$bin/regiondump" --format "" > "$offer"
[ "$(sort "$offer" | tr '\n' ' ')" = "core raw " ] || ms_error "regiondump --format offers: $(cat "$offer")"
# Columns, as --help lists them, after a comma too.
first=$("$bin/mapsdiff" --help | sed -n '/^Available output columns/,$p' | awk 'NR == 2 { print $1 }')
second=$("$bin/mapsdiff" --help | sed -n '/^Available output columns/,$p' | awk 'NR == 3 { print $1 }')
[ -n "$first" ] && [ -n "$second" ] || ms_fail "mapsdiff --help lists no columns"
complete_words "$bin/mapsdiff" -o "${first:0:2}" > "$offer"
grep -qx "$first" "$offer" || ms_error "mapsdiff -o ${first:0:2}: $first not offered: $(cat "$offer")"
complete_words "$bin/mapsdiff" -o "$first,${second:0:2}" > "$offer"
grep -qx "$first,$second" "$offer" || ms_error "mapsdiff -o $first,${second:0:2}: $first,$second not offered: $(cat "$offer")"
# A directory for leakhunt -o, not a file.
mkdir "$tmp/hunt.d"
: > "$tmp/hunt.f"
complete_words "$bin/leakhunt" -w "$tmp/hunt" > "$offer"
grep -qx "$tmp/hunt.d" "$offer" && ! grep -qx "$tmp/hunt.f" "$offer" ||
	ms_fail "leakhunt -o: offers $(cat "$offer"), not the directory alone"
exit 0
