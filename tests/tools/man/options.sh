#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Every tool's --help and man page list the same long options, in the same order.
. "${MS_SRCDIR:-.}/tests/lib.sh"

fail=0
for src in "$MS_SRCDIR"/tools/*.c; do
	tool=$(basename "$src" .c)
	case $tool in test-hook|cli|TEMPLATE) continue ;; esac	# the tools' helpers, the tests' hook and the template to copy, not tools
	exe=$MS_BUILDDIR/tools/$tool
	page=$MS_SRCDIR/man/$tool.1
	[ -x "$exe" ] || ms_fail "$tool: not built at $exe"
	[ -f "$page" ] || { echo "$tool: no man page $page"; fail=1; continue; }
	"$exe" --help | grep -E '^ +(-[a-zA-Z], )?--' | grep -oE -- '--[a-z][a-z0-9-]*' | head -n 1000 > help.opts
	# The OPTIONS section's .TP items, up to the next section.
	sed -n '/^\.SH OPTIONS/,/^\.SH /p' "$page" | grep -A1 '^\.TP' | grep -oE '\\-\\-[a-z][a-z0-9\\-]*' |
		sed 's/\\//g' > man.opts
	if ! diff -u help.opts man.opts > opts.diff; then
		echo "$tool: --help (-) and $tool.1 (+) differ:"; cat opts.diff; fail=1
	fi
	[ -s help.opts ] || { echo "$tool: no options found in --help"; fail=1; }
	"$exe" --help | grep -q '^Usage:' || { echo "$tool: --help has no Usage"; fail=1; }
	# --list-columns names the columns --help lists, in its order.
	if grep -qx -- --list-columns help.opts; then
		"$exe" --help | sed -n '/^Available output columns:$/,/^$/p' | awk 'NR > 1 && NF { print $1 }' > help.cols
		"$exe" --list-columns | awk '{ print $1 }' > list.cols
		[ -s list.cols ] && diff -u help.cols list.cols > cols.diff ||
			{ echo "$tool: --list-columns is not --help's columns:"; cat cols.diff; fail=1; }
	fi
	for sec in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" EXAMPLES "SEE ALSO"; do
		grep -q "^\.SH \"\{0,1\}$sec" "$page" || { echo "$tool.1: no $sec section"; fail=1; }
	done
done
rm -f help.opts man.opts opts.diff help.cols list.cols cols.diff
exit $fail
