#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The leaker itself: drive every command and check what it claims against the
# kernel's own view of the process (/proc/PID/maps, smaps, task, mem).  Every
# other test trusts the leaker's report, so this one must not.
# shellcheck source=../../lib.sh
. "$(dirname "$0")/../../lib.sh"

failures=0

bad()
{
	printf '%s: %s\n' "$ms_test_name" "$*" >&2
	failures=$((failures + 1))
}

note()
{
	printf '%s: note: %s\n' "$ms_test_name" "$*" >&2
}

hex()
{
	printf '0x%x' "$1"
}

# The /proc/PID/maps line whose range holds ADDR.  Bash arithmetic is signed
# 64-bit, so [vsyscall] up at 0xffffffffff600000 never matches; nothing we
# allocate lives there.
maps_line()
{
	local addr=$(($1)) range rest

	while read -r range rest; do
		if ((addr >= 0x${range%-*} && addr < 0x${range#*-})); then
			printf '%s %s\n' "$range" "$rest"
			return 0
		fi
	done <"/proc/$LEAKER_PID/maps"
	return 1
}

# check_map ADDR PERMS START END PATH: the maps line holding ADDR has PERMS and,
# where given (not "-"), starts at START, ends at END and names PATH.
check_map()
{
	local line range perms
	local -a f

	if ! line=$(maps_line "$1"); then
		bad "$(hex $(($1))): no maps line holds it"
		return
	fi
	read -r range perms _ <<<"$line"
	[ "$perms" = "$2" ] || bad "$(hex $(($1))): perms $perms, want $2 in: $line"
	[ "$3" = - ] || (((0x${range%-*}) == $3)) ||
		bad "$(hex $(($1))): mapping starts at ${range%-*}, want $(hex $(($3))) in: $line"
	[ "$4" = - ] || (((0x${range#*-}) == $4)) ||
		bad "$(hex $(($1))): mapping ends at ${range#*-}, want $(hex $(($4))) in: $line"
	if [ "$5" != - ]; then
		# The path is field 6 to the end and may hold spaces.
		read -r -a f <<<"$line"
		[ "${f[*]:5}" = "$5" ] || bad "$(hex $(($1))): path \"${f[*]:5}\", want \"$5\""
	fi
}

# Rss in kB of the mapping holding ADDR, from /proc/PID/smaps.
smaps_rss()
{
	local addr=$(($1)) key val in=0

	while read -r key val _; do
		case $key in
		*-*)	in=0
			((addr >= 0x${key%-*} && addr < 0x${key#*-})) && in=1 ;;
		Rss:)	[ $in = 1 ] && { echo "$val"; return 0; } ;;
		esac
	done <"/proc/$LEAKER_PID/smaps"
	echo none
}

# N bytes at ADDR in the leaker, as od prints them; od -j cannot be used, as it
# reads its way to the offset and /proc/PID/mem answers EIO below the first
# mapping, so dd seeks instead.
mem_read()
{
	dd if="/proc/$LEAKER_PID/mem" bs="$2" skip=$(($1)) count=1 \
		iflag=skip_bytes,fullblock status=none 2>/dev/null | od -An "-t$3" | tr -d ' \n'
}

check_byte()
{
	local got

	[ "$mem_ok" = 1 ] || return 0
	got=$(mem_read "$1" 1 x1)
	[ "$got" = "$2" ] || bad "byte at $(hex $(($1))): got \"$got\", want $2 ($3)"
}

check_u64()
{
	local got

	[ "$mem_ok" = 1 ] || return 0
	got=$(mem_read "$1" 8 x8)
	[ $((0x${got:-0})) -eq $(($2)) ] ||
		bad "u64 at $(hex $(($1))): got 0x$got, want $(hex $(($2))) ($3)"
}

# The JSON object of group ID from a fresh report; empty if the report has none.
report_group()
{
	leaker_cmd report
	report=$LEAKER_REPLY
	grep -o "{\"id\":$1,[^}]*}" <<<"$report"
}

json_num()
{
	sed -n "s/.*\"$2\":\([0-9][0-9]*\).*/\1/p" <<<"$1"
}

json_str()
{
	sed -n "s/.*\"$2\":\"\([^\"]*\)\".*/\1/p" <<<"$1"
}

json_addrs()
{
	sed -n 's/.*"addrs":\[\([^]]*\)\].*/\1/p' <<<"$1" | tr ',' '\n' | tr -d '"'
}

# check_json OBJ KEY WANT
check_json()
{
	local got

	got=$(json_num "$1" "$2")
	[ -n "$got" ] || got=$(json_str "$1" "$2")
	[ "$got" = "$3" ] || bad "report: \"$2\" is \"$got\", want \"$3\" in: $1"
}

leaker_start
[ "$(readlink -f "/proc/$LEAKER_PID/exe")" = "$(readlink -f "$MS_LEAKER")" ] ||
	ms_fail "ready $LEAKER_PID: that pid is not $MS_LEAKER"

# A fresh leaker's ELF header tells whether we may read its memory at all.
mem_ok=1
exe_base=$(awk -v exe="$(readlink -f "$MS_LEAKER")" '$6 == exe { print $1; exit }' \
	"/proc/$LEAKER_PID/maps")
exe_base=0x${exe_base%-*}
if [ "$(mem_read "$exe_base" 4 x1)" != 7f454c46 ]; then
	mem_ok=0
	note "/proc/$LEAKER_PID/mem unreadable here; memory contents left unchecked"
fi

# malloc: COUNT distinct, disjoint blocks, each in a writable mapping, filled.
leaker_cmd malloc 100 4096 0xa5
[ "$LEAKER_REPLY" = "ok id=1" ] || bad "malloc: reply \"$LEAKER_REPLY\", want \"ok id=1\""
g=$(report_group 1)
check_json "$g" kind malloc
check_json "$g" count 100
check_json "$g" size 4096
check_json "$g" fill 165
check_json "$g" bytes 409600
mapfile -t addrs < <(json_addrs "$g")
[ ${#addrs[@]} -eq 100 ] || bad "malloc 100: report lists ${#addrs[@]} addresses"
prev=0
while read -r a; do
	((a >= prev + 4096)) || bad "malloc: block $(hex "$a") overlaps the one at $(hex "$prev")"
	prev=$a
done < <(for a in "${addrs[@]}"; do echo $((a)); done | sort -n)
for a in "${addrs[@]}"; do
	check_map "$a" rw-p - - -
	check_byte "$a" a5 "first byte of malloc block"
	check_byte $((a + 4095)) a5 "last byte of malloc block"
done
heap_line=$(maps_line "${addrs[0]}")

leaker_cmd malloc 3 64 T
g=$(report_group 2)
check_json "$g" fill 84
check_byte "$(json_addrs "$g" | head -n 1)" 54 "fill T"

# mmap: resident, filled, named [anon:NAME] where the kernel can name it.
if leaker_try mmap 1M 0xa5 mstest; then
	a=$(leaker_field addr)
	check_map "$a" rw-p "$a" $((a + 1048576)) "[anon:mstest]"
	named=1
else
	named=0
	case $LEAKER_REPLY in
	*CONFIG_ANON_VMA_NAME*) ;;
	*) bad "mmap NAME: \"$LEAKER_REPLY\"" ;;
	esac
	if [ -r /proc/config.gz ] && zgrep -q '^CONFIG_ANON_VMA_NAME=y' /proc/config.gz; then
		bad "mmap NAME refused, yet this kernel has CONFIG_ANON_VMA_NAME=y"
	fi
	note "kernel cannot name anonymous memory ($(uname -r)); [anon:NAME] unchecked"
	leaker_cmd mmap 1M 0xa5
	a=$(leaker_field addr)
	check_map "$a" rw-p - - -
fi
mmap_id=$(leaker_field id)
mmap_addr=$a
[ "$(leaker_field size)" = 1048576 ] || bad "mmap 1M: reply \"$LEAKER_REPLY\""
rss=$(smaps_rss "$a")
[ "$rss" != none ] && ((rss >= 1024)) || bad "mmap 1M: Rss ${rss} kB, want all 1024 kB resident"
check_byte "$a" a5 "first byte of mmap"
check_byte $((a + 1048575)) a5 "last byte of mmap"
g=$(report_group "$mmap_id")
check_json "$g" addr "$a"
check_json "$g" size 1048576
[ $named = 0 ] || check_json "$g" name mstest

leaker_cmd mmap 5000
[ "$(leaker_field size)" = 8192 ] || bad "mmap 5000: reply \"$LEAKER_REPLY\", want size=8192"
check_byte "$(leaker_field addr)" 5a "default fill of mmap"
leaker_try mmap 4K 1 'bad[name]' && bad "mmap with a bad name: \"$LEAKER_REPLY\""

# reserve + commit: the VMA splits, rw-p exactly up to the committed size.
leaker_cmd reserve 64M
res_id=$(leaker_field id)
res=$(leaker_field addr)
[ "$(leaker_field size)" = 67108864 ] || bad "reserve 64M: reply \"$LEAKER_REPLY\""
check_map "$res" ---p - - -
check_map $((res + 67108863)) ---p - - -
leaker_cmd commit "$res_id" 1M
[ "$(leaker_field committed)" = 1048576 ] || bad "commit 1M: reply \"$LEAKER_REPLY\""
check_map "$res" rw-p - $((res + 1048576)) -
check_map $((res + 1048576)) ---p $((res + 1048576)) - -
check_map $((res + 67108863)) ---p - - -
check_byte "$res" 5a "default fill of commit"
leaker_cmd commit "$res_id" 2M 0x11
check_map "$res" rw-p - $((res + 2097152)) -
check_map $((res + 2097152)) ---p $((res + 2097152)) - -
check_byte $((res + 2097151)) 11 "commit fill"
g=$(report_group "$res_id")
check_json "$g" committed 2097152
leaker_try commit "$res_id" 65M && bad "commit past the reservation: \"$LEAKER_REPLY\""
leaker_try commit 1 1M && bad "commit of a malloc group: \"$LEAKER_REPLY\""

# struct: each record points at the tag literal and the named callback.
leaker_cmd struct 5
g=$(report_group "$(leaker_field id)")
check_json "$g" count 5
check_json "$g" record_size 64
tag=$(json_str "$g" tag)
cb=$(json_str "$g" callback)
exe=$(readlink -f "$MS_LEAKER")
check_map "$cb" r-xp - - "$exe"
check_map "$tag" r--p - - "$exe"
if [ "$mem_ok" = 1 ]; then
	got=$(dd if="/proc/$LEAKER_PID/mem" bs=22 skip=$((tag)) count=1 \
		iflag=skip_bytes status=none | tr '\0' '@')
	[ "$got" = "memsift-leaker-record@" ] || bad "tag at $tag reads \"$got\""
fi
if sym=$(nm "$MS_LEAKER" 2>/dev/null | awk '$3 == "leaker_record_callback" { print $1 }') &&
	[ -n "$sym" ]; then
	# A PIE's symbol is an offset from the load base; a fixed binary's is absolute.
	((cb == 0x$sym || cb == exe_base + 0x$sym)) ||
		bad "callback $cb is not leaker_record_callback (nm: 0x$sym, base $exe_base)"
else
	note "no nm: callback address checked by mapping only"
fi
n=0
for a in $(json_addrs "$g"); do
	n=$((n + 1))
	check_u64 "$a" "$tag" "record $n: tag"
	check_u64 $((a + 8)) "$cb" "record $n: callback"
	check_u64 $((a + 16)) "$n" "record $n: serial"
done
[ $n -eq 5 ] || bad "struct 5: report lists $n records"

# strdup: heap copies of a named literal in the binary's read-only data.
leaker_cmd strdup 3
g=$(report_group "$(leaker_field id)")
check_json "$g" count 3
check_json "$g" size 34
lit=$(json_str "$g" literal)
check_map "$lit" r--p - - "$exe"
n=0
for a in "$lit" $(json_addrs "$g"); do
	n=$((n + 1))
	[ "$mem_ok" = 1 ] || break
	got=$(dd if="/proc/$LEAKER_PID/mem" bs=34 skip=$((a)) count=1 \
		iflag=skip_bytes status=none | tr '\0' '@')
	[ "$got" = "memsift-leaker-config: retain=all@" ] || bad "strdup: $a reads \"$got\""
done
[ $n -eq 4 ] || [ "$mem_ok" != 1 ] || bad "strdup 3: report lists $((n - 1)) copies"

# thread: a live task of our process whose blocks sit in an arena of its own.
leaker_cmd thread 3 4096 0x43
thr_id=$(leaker_field id)
tid=$(leaker_field tid)
[ -d "/proc/$LEAKER_PID/task/$tid" ] && [ "$tid" != "$LEAKER_PID" ] ||
	bad "thread: tid $tid is not a thread of $LEAKER_PID: $(ls "/proc/$LEAKER_PID/task")"
g=$(report_group "$thr_id")
check_json "$g" tid "$tid"
check_json "$g" count 3
mapfile -t taddrs < <(json_addrs "$g")
[ ${#taddrs[@]} -eq 3 ] || bad "thread 3: report lists ${#taddrs[@]} addresses"
for a in "${taddrs[@]}"; do
	check_byte "$a" 43 "thread block"
done
case $heap_line in
*"[heap]")
	[ "$(maps_line "${taddrs[0]}")" != "$heap_line" ] ||
		bad "thread blocks share the main [heap]; no thread arena: $heap_line" ;;
esac

# mapfile: a path with spaces, shown whole; memfd: "/memfd:NAME (deleted)".
tmp=$(mktemp -d)
ms_at_exit rm -rf "$tmp"
file="$tmp/file with spaces.bin"
{ printf 'Q'; head -c 9999 /dev/zero | tr '\0' 'M'; } >"$file"
leaker_cmd mapfile "$file"
a=$(leaker_field addr)
[ "$(leaker_field size)" = 12288 ] || bad "mapfile of 10000 bytes: reply \"$LEAKER_REPLY\""
check_map "$a" r--s "$a" $((a + 12288)) "$file"
rss=$(smaps_rss "$a")
[ "$rss" = 12 ] || bad "mapfile: Rss $rss kB, want 12"
check_byte "$a" 51 "first byte of mapped file"
g=$(report_group "$(leaker_field id)")
check_json "$g" path "$file"
check_json "$g" file_size 10000
: >"$tmp/empty"
# A name JSON must escape, checked by a real JSON parser where there is one.
odd=$(printf '%s/q"uote\\back\ttab.bin' "$tmp")
echo odd >"$odd"
leaker_cmd mapfile "$odd"
odd_id=$(leaker_field id)
leaker_try mapfile "$tmp/empty" && bad "mapfile of an empty file: \"$LEAKER_REPLY\""
leaker_try mapfile "$tmp/absent" && bad "mapfile of a missing file: \"$LEAKER_REPLY\""

leaker_cmd memfd msfd 64K
a=$(leaker_field addr)
check_map "$a" rw-s "$a" $((a + 65536)) "/memfd:msfd (deleted)"
check_byte "$a" 5a "memfd fill"

# The report as a whole must be JSON a tool can load.
leaker_cmd report
if command -v python3 >/dev/null; then
	python3 - "$LEAKER_REPLY" "$odd_id" "$odd" <<-'EOF' || bad "report: ${LEAKER_REPLY:0:300}"
	import json, sys
	groups = {g["id"]: g for g in json.loads(sys.argv[1])["groups"]}
	got = groups[int(sys.argv[2])]["path"]
	if got != sys.argv[3]:
	    sys.exit("path %r, want %r" % (got, sys.argv[3]))
	EOF
else
	note "no python3: report not checked as JSON"
fi

# free: gone from the report and, for mappings, from the kernel's maps.
leaker_cmd free 1
[ -z "$(report_group 1)" ] || bad "free 1: group 1 still reported"
leaker_cmd free "$mmap_id"
line=$(maps_line "$mmap_addr") && bad "free $mmap_id: still mapped: $line"
leaker_cmd free "$res_id"
line=$(maps_line "$res") && bad "free $res_id: still mapped: $line"
leaker_try free 1 && bad "free of a freed group: \"$LEAKER_REPLY\""
leaker_cmd free "$thr_id"
[ -d "/proc/$LEAKER_PID/task/$tid" ] || bad "free $thr_id: thread $tid went away"

# Bad commands answer one error line each and change nothing.
leaker_cmd report
before=$LEAKER_REPLY
for c in bogus '' 'malloc 1' 'malloc x 1 1' 'malloc 1 1 256' 'malloc 0 1 1' 'mmap 0' \
	'mmap 1Q' 'reserve' 'commit 999 1M' 'free abc' 'free 999' 'report extra' \
	'struct' 'strdup' 'strdup 0' 'thread 1 1' 'memfd' 'mapfile'; do
	leaker_try "$c" && bad "\"$c\" was accepted: \"$LEAKER_REPLY\""
done
leaker_cmd report
[ "$LEAKER_REPLY" = "$before" ] || bad "failed commands changed the report"
leaker_cmd malloc 1 1 1
last=$(grep -o '"id":[0-9]*' <<<"$before" | tail -n 1)
[ "id=$(leaker_field id)" = "id=$((${last#*:} + 1))" ] ||
	bad "failed commands used up ids: $LEAKER_REPLY after $last"

leaker_stop

# EOF exits 0 too, parked threads and all, so a test that dies cleans up.
out=$(printf 'thread 1 64 1\nmalloc 1 1 1\n' | timeout 60 "$MS_LEAKER")
rc=$?
[ $rc -eq 0 ] || bad "leaker exited $rc on EOF after a thread"
[ "$(wc -l <<<"$out")" -eq 3 ] || bad "3 lines expected (ready + 2 replies), got: $out"

[ $failures -eq 0 ] || ms_error "$failures checks failed"
exit 0
