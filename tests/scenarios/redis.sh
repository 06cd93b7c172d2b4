#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# redis-server, Debian's, on jemalloc: the test starts its own instance on a
# free loopback port (no persistence, its own directory) and, between every
# two snapshots, SETs 20,000 new keys whose values are distinct 100-byte
# strings "value:<n>:<hex>".  The truth is redis's own DBSIZE.  leakhunt must
# name jemalloc, give a text clause for the values counting the keys added
# between its two dumps, and never blame a name that few objects carry (such
# as stray pointers into libcrypto).
#
# A value is not bare text: redis keeps it as an sds string, a 3-byte header
# (length, capacity, type) before the characters, so the test looks for its
# shape "value:#:" inside the cluster's shape rather than at its start.  With
# its NUL that is 104 bytes, which jemalloc serves from its 112-byte class
# (classes 16 bytes apart from 64 to 128).
. "${MS_SRCDIR:-.}/tests/scenarios/lib.sh"
scen_init
command -v redis-server > /dev/null || ms_skip "no redis-server (apt-get install redis-server)"
command -v redis-cli > /dev/null || ms_skip "no redis-cli to drive it (apt-get install redis-tools)"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir "$tmp/redis"
coproc REDIS { exec redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
	--dir "$tmp/redis" --logfile '' --daemonize no --supervised no 2>&1; }
redis_pid=$REDIS_PID
exec {redis_log}<&"${REDIS[0]}"
ms_at_exit "redis-cli -p $port shutdown nosave >/dev/null 2>&1; kill $redis_pid 2>/dev/null; wait $redis_pid 2>/dev/null"
# Its log says when it listens: wait for that line, not for a while.
ready=
while IFS= read -r -t 60 -u "$redis_log" line; do
	printf 'redis: %s\n' "$line" >&2
	case $line in *"Ready to accept connections"*) ready=1; break ;; esac
done
[ -n "$ready" ] || ms_fail "redis-server on port $port never said \"Ready to accept connections\""
# The rest of its log is drained, so redis never blocks on a full pipe.
cat <&"$redis_log" > "$tmp/redis.log" &

alloc=$(redis-cli -p "$port" info memory | tr -d '\r' | sed -n 's/^mem_allocator://p')
case $alloc in
jemalloc*) ;;
*) ms_skip "this redis-server allocates with \"$alloc\", not jemalloc" ;;
esac
grep -q 'libjemalloc\.so' "/proc/$redis_pid/maps" || printf 'redis: jemalloc built in, not mapped as a library\n' >&2
SCEN_PID=$redis_pid

redis_report()
{
	local n

	n=$(redis-cli -p "$port" dbsize) || ms_fail "redis-cli dbsize failed"
	printf 'dbsize=%s\n' "$n"
}

# 20,000 SETs of new keys, in one pipelined batch of RESP.
drive_redis()
{
	local start out

	start=$(redis-cli -p "$port" dbsize) || ms_fail "redis-cli dbsize failed"
	out=$(python3 - "$start" 20000 <<'PY' | redis-cli -p "$port" --pipe 2>&1
import hashlib, sys
start, n = int(sys.argv[1]), int(sys.argv[2])
out = []
for i in range(start, start + n):
    k = "key:%d" % i
    h = hashlib.sha256(k.encode()).hexdigest()
    v = ("value:%d:%s%s" % (i, h, h))[:100]
    out.append("*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(k), k, len(v), v))
sys.stdout.write("".join(out))
PY
) || ms_fail "redis-cli --pipe failed: $out"
	case $out in
	*"errors: 0, replies: 20000"*) ;;
	*) ms_fail "redis-cli --pipe: $out" ;;
	esac
}
scen_hunt redis_report drive_redis -i 20ms --count 12
scen_check --allocator jemalloc --no-finder glibc --min-share 0.5 --not-in-text libcrypto \
	--clause "label=values;content=text;shape_has=value:#:;truth=dbsize;total=dbsize;size=112" ||
	ms_fail "the verdict does not match the keys redis stored (see above)"
exit 0
