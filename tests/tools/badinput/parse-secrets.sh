#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A file given by mistake (~/.pgpass, a .env) is refused by its place (file,
# line, byte offset), never quoted: a secret planted in each shape of bad
# input appears in no message of mapsdiff or mapswatch --plot.
. "${MS_SRCDIR:-.}/tests/lib.sh"
mapsdiff=$MS_BUILDDIR/tools/mapsdiff
mapswatch=$MS_BUILDDIR/tools/mapswatch
good=$MS_FIXTURES/pmap/leaker-after.smaps
pmapx=$MS_FIXTURES/pmap/leaker-after.pmap-x
ms_tmpdir
secret=Sw0rdfish-7fa3c9
n=0

# plant NAME CONTENT...: write a bad input holding the secret.
plant()
{
	local f=$tmp/$1
	shift
	printf '%s\n' "$@" > "$f"
	grep -q "$secret" "$f" || ms_error "$f: the secret was not planted"
	files+=("$f")
}
files=()
plant pgpass "db.example.com:5432:app:app:$secret"
plant env "PASSWORD=$secret"
plant lone "$secret"
plant field "$secret: 4 kB"
plant after-mapping "7f00-8000 rw-p 00000000 00:00 0" "password=$secret"
plant in-value "7f00-8000 rw-p 00000000 00:00 0" "Rss: $secret kB"
plant in-range "7f00-$secret rw-p 00000000 00:00 0"
plant in-perms "7f00-8000 $secret 00000000 00:00 0"
plant in-device "7f00-8000 rw-p 00000000 $secret 0"
plant snapshot "# memsift snapshot 1" "# pid: 1" "7f00-8000 rw-p 00000000 00:00 0" "$secret"
plant snapshot-header "# memsift snapshot 1" "#$secret" "7f00-8000 rw-p 00000000 00:00 0"
# pmap -x output with the secret in a row's columns and after the totals.
sed "5s/^[0-9a-f]*/$secret/" "$pmapx" > "$tmp/pmap-address"; files+=("$tmp/pmap-address")
sed "7s/ rw--- / $secret /" "$pmapx" > "$tmp/pmap-mode"; files+=("$tmp/pmap-mode")
{ cat "$pmapx"; echo "$secret"; } > "$tmp/pmap-after"; files+=("$tmp/pmap-after")
{ head -n 2 "$pmapx"; echo "$secret"; } > "$tmp/pmap-row"; files+=("$tmp/pmap-row")
for f in "$tmp"/pmap-*; do grep -q "$secret" "$f" || ms_fail "$f: the secret was not planted"; done

for f in "${files[@]}"; do
	rc=0
	"$mapsdiff" "$f" "$good" > /dev/null 2> "$tmp/err" || rc=$?
	[ "$rc" = 2 ] || ms_error "mapsdiff ${f##*/}: exit $rc, want 2 ($(cat "$tmp/err"))"
	[ "$(wc -l < "$tmp/err")" = 1 ] || ms_error "mapsdiff ${f##*/}: not one line: $(cat "$tmp/err")"
	grep -q "^mapsdiff: $f[:]" "$tmp/err" || ms_error "mapsdiff ${f##*/}: the file is not named: $(cat "$tmp/err")"
	grep -q "Sw0rd" "$tmp/err" && ms_fail "mapsdiff ${f##*/}: the secret is quoted: $(cat "$tmp/err")"
	mkdir -p "$tmp/series"
	cp "$good" "$tmp/series/0001.snap"
	cp "$f" "$tmp/series/0002.snap"
	rc=0
	"$mapswatch" --plot "$tmp/p.svg" "$tmp/series" > /dev/null 2> "$tmp/err" || rc=$?
	[ "$rc" = 1 ] || ms_error "mapswatch --plot with ${f##*/}: exit $rc, want 1 ($(cat "$tmp/err"))"
	grep -q "Sw0rd" "$tmp/err" && ms_fail "mapswatch --plot ${f##*/}: the secret is quoted: $(cat "$tmp/err")"
	n=$((n + 1))
done
[ "$n" = 15 ] || ms_error "$n inputs tried, want 15"
exit 0
