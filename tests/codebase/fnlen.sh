#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# No function of lib/ or tools/ is longer than 80 lines, counted from the
# first line of its definition to its closing brace.  A long function hides
# its steps; named static functions say what each one does (issue 19).
#
# Counted here from kernel style, where a function's braces stand alone at
# column 0: the definition starts at the last line before its "{" that
# begins at column 0 (its signature), and ends at the next "}" at column 0.
# Written from scratch, not with a compiler, so that the count depends on
# nothing the build produces.  Every function over the limit is listed, not
# only the first.
. "${MS_SRCDIR:-.}/tests/lib.sh"
cd "$MS_SRCDIR" || ms_fail "no source tree at $MS_SRCDIR"

max=80
# Functions allowed to stay longer, one "file:function" a line, under the
# reason: none now.  The list was for files other changes were rewriting
# when this check came (issue 19); a function is split, not listed.
allow=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' -e 's/^[[:space:]]*//' <<'EOF'
EOF
)

long=$(awk -v max="$max" '
	FNR == 1 { sig = 0; in_fn = 0 }
	# A column-0 identifier outside a function: a signature (or a
	# declaration, superseded by the next one).
	!in_fn && /^[A-Za-z_]/ { sig = FNR; name = $0 }
	!in_fn && /^\{/ && sig {
		in_fn = 1; start = sig
		# Attribute macros (MS_ATTR_PRINTF(3, 4)) come before the name.
		gsub(/[A-Z_]+\([^)]*\)/, "", name)
		sub(/\(.*/, "", name); sub(/.*[ *]/, "", name)
		next
	}
	in_fn && /^\}/ {
		in_fn = 0
		if (FNR - start + 1 > max)
			printf "%s:%s %d %d\n", FILENAME, name, FNR - start + 1, start
		sig = 0
	}
' lib/*.c tools/*.c)

while read -r fn lines at; do
	[ -n "$fn" ] || continue
	if grep -qxF "$fn" <<<"$allow"; then
		continue
	fi
	ms_error "${fn%%:*}:$at: ${fn#*:}() is $lines lines (at most $max); split it into named steps"
done <<<"$long"
# An entry whose function is short now (or gone) is said, not failed: the
# change that split it may land before the one that strikes it here.
while read -r fn; do
	grep -q "^$fn " <<<"$long" || echo "fnlen.sh: note: $fn is not over $max lines; strike it from the allow-list"
done <<<"$allow"
exit 0
