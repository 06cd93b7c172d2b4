#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# One option vocabulary: every short option in every tool's --help means what
# memsift(7)'s OPTION LETTERS table says it means (the same long option), and
# the old spellings of the letters that changed still work, each saying once
# what replaces it.  The truth for the old spellings is the new spelling's
# own output, and the files and columns it makes.
. "${MS_SRCDIR:-.}/tests/lib.sh"
b=$MS_BUILDDIR/tools
ms_tmpdir

# The table: "-x<TAB>--long" pairs, out of the man page's tbl source.
sed -n '/^\.SH OPTION LETTERS/,/^\.TE/p' "$MS_SRCDIR/man/memsift.7" |
	awk -F'\t' '/^\\-/ { gsub(/\\/, "", $1); gsub(/\\/, "", $2);
		n = split($1, s, ", "); split($2, l, ", ");
		for (i = 1; i <= n; i++) print s[i] "\t" l[i] }' > "$tmp/table"
[ "$(wc -l < "$tmp/table")" -ge 20 ] || ms_error "OPTION LETTERS: $(wc -l < "$tmp/table") letters read from memsift.7"
for src in "$MS_SRCDIR"/tools/*.c; do
	tool=$(basename "$src" .c)
	case $tool in test-hook|cli) continue ;; esac
	"$b/$tool" --help | grep -oE '^ -[a-zA-Z], --[a-z][a-z0-9-]*' | sed 's/^ //; s/, /\t/' > "$tmp/$tool.letters"
	[ -s "$tmp/$tool.letters" ] || ms_error "$tool: no short option in --help"
	while IFS=$'\t' read -r short long; do
		grep -qxF -e "$short"$'\t'"$long" "$tmp/table" ||
			ms_fail "$tool: $short is $long, but memsift(7) says $short is $(grep -F -e "$short"$'\t' "$tmp/table" | cut -f2)"
	done < "$tmp/$tool.letters"
done

# Old spellings, against the new ones.
leaker_start
pid=$LEAKER_PID
leaker_cmd malloc 3 4096 A
heap=$(awk '$NF == "[heap]" { split($1, a, "-"); print a[1]; exit }' /proc/"$pid"/maps)
[ -n "$heap" ] || ms_fail "the leaker has no [heap]"

once() # FILE TEXT: TEXT is said exactly once in FILE, and nothing else is
{
	[ "$(grep -cxF "$2" "$1")" = 1 ] && [ "$(wc -l < "$1")" = 1 ] ||
		ms_fail "want once \"$2\", got: $(cat "$1")"
}
"$b/regiondump" -p "$pid" "$heap" 8K -o "$tmp/old.dump" 2> "$tmp/err" > /dev/null ||
	ms_fail "regiondump -o: $(cat "$tmp/err")"
grep -vF "bytes to" "$tmp/err" > "$tmp/warn" || :
once "$tmp/warn" "regiondump: -o FILE (--output) is deprecated; use -w FILE (--write)"
"$b/regiondump" -p "$pid" "$heap" 8K -w "$tmp/new.dump" 2> "$tmp/err" > /dev/null || ms_fail "regiondump -w: $(cat "$tmp/err")"
grep -q "deprecated" "$tmp/err" && ms_fail "regiondump -w warned: $(cat "$tmp/err")"
cmp "$tmp/old.dump" "$tmp/new.dump" || ms_error "regiondump -o and -w dumped different bytes of an idle heap"
[ "$(stat -c %a "$tmp/old.dump")" = 600 ] && [ -f "$tmp/old.dump.json" ] || ms_error "regiondump -o: not a 0600 dump with its manifest"

"$b/mapsnap" -p "$pid" -i 1ms -n 2 -o "$tmp/series" 2> "$tmp/err" || ms_fail "mapsnap -n -o: $(cat "$tmp/err")"
[ "$(ls "$tmp/series")" = "0001.snap
0002.snap" ] || ms_fail "mapsnap -n 2 -o DIR: $(ls "$tmp/series")"
[ "$(grep -c deprecated "$tmp/err")" = 2 ] || ms_error "mapsnap: want two warnings, got: $(cat "$tmp/err")"

# mapswatch: -o LIST is columns, -n no headings, -b bytes; -o DIR and -n N old.
"$b/mapswatch" -p "$pid" --count 1 -o START,RSS -n -b > "$tmp/new" 2> "$tmp/err" || ms_fail "mapswatch: $(cat "$tmp/err")"
[ -s "$tmp/err" ] && ms_fail "mapswatch new letters warned: $(cat "$tmp/err")"
awk 'NF { n++ } END { exit !(n > 0) }' "$tmp/new" || ms_fail "mapswatch -o -n -b: no rows"
# The rows are "START RSS" in bytes: two fields, the second a plain number;
# the mappings are the process's.
awk '/^0x[0-9a-f]+ +[0-9]+$/ { ok++ } /^0x[0-9a-f]+ / && !/^0x[0-9a-f]+ +[0-9]+$/ { bad++ }
	END { exit !(ok > 0 && !bad) }' "$tmp/new" || ms_fail "mapswatch -o START,RSS -b: $(head -n 5 "$tmp/new")"
grep -q '^START' "$tmp/new" && ms_fail "mapswatch -n: headings printed"
while read -r start _; do
	grep -q "^${start#0x}-" /proc/"$pid"/maps || ms_error "mapswatch: $start is no mapping of $pid"
done < <(grep -E '^0x[0-9a-f]+ ' "$tmp/new")
"$b/mapswatch" -p "$pid" -n 1 -o "$tmp/w.d" > /dev/null 2> "$tmp/err" || ms_fail "mapswatch -n 1 -o DIR: $(cat "$tmp/err")"
[ -f "$tmp/w.d/0001.snap" ] || ms_error "mapswatch -o DIR kept no sample: $(ls "$tmp/w.d" 2>&1)"
[ "$(grep -c deprecated "$tmp/err")" = 2 ] || ms_error "mapswatch -n N -o DIR: want two warnings, got: $(cat "$tmp/err")"
"$b/mapswatch" -p "$pid" --count 1 -o RSS,NOPE > /dev/null 2> "$tmp/err" && ms_fail "mapswatch -o RSS,NOPE succeeded"
once "$tmp/err" 'mapswatch: --output: unknown column "NOPE"; see --help for the list'

# bytehist: -n N is --min-length N; oomreport: -t is --tasks.
head -c 4096 /dev/zero > "$tmp/z"; printf 'abcdefg\0abcdefghij\0' >> "$tmp/z"
"$b/bytehist" -s strings -n 9 "$tmp/z" > "$tmp/old" 2> "$tmp/err" || ms_fail "bytehist -n 9: $(cat "$tmp/err")"
once "$tmp/err" "bytehist: -n N is deprecated; use --min-length N: -n is --noheadings"
"$b/bytehist" -s strings --min-length 9 "$tmp/z" > "$tmp/new" || ms_fail "bytehist --min-length 9"
cmp -s "$tmp/old" "$tmp/new" || ms_error "bytehist -n 9 differs from --min-length 9"
grep -q abcdefghij "$tmp/new" && ! grep -q "abcdefg[^h]" "$tmp/new" || ms_error "bytehist --min-length 9: $(cat "$tmp/new")"
log=$MS_SRCDIR/tests/fixtures/oom/memcg-v1.dmesg
"$b/oomreport" -t "$log" > "$tmp/old" 2> "$tmp/err"; rc=$?
once "$tmp/err" "oomreport: -t is deprecated; use --tasks: -t is --top N in memsift's tools"
"$b/oomreport" --tasks "$log" > "$tmp/new"; [ $? = $rc ] || ms_fail "oomreport -t and --tasks exit differently"
cmp -s "$tmp/old" "$tmp/new" || ms_error "oomreport -t differs from --tasks"
exit 0
