#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mapswatch --all --prom is safe for a fleet's Prometheus: one series per
# group of processes (by command name, cgroup or regex), never per pid; the
# groups summed as the processes' own smaps_rollup says; --top and --min-rss
# bound what is exported and memsift_groups_omitted says how much was left
# out.  With -p, the file goes when its process exits.  The alert rules of
# mapswatch(1) pass `promtool test rules`, each annotation quoting the rate
# of the series that fired, where promtool is installed.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
bin=$MS_BUILDDIR/tools
parse=$MS_SRCDIR/tests/tools/mapswatch/promparse.py

# Three services: two of svc-a holding 24 MiB each, one svc-b holding 8 MiB.
# --all sees every process of the machine: the names carry this test's pid,
# so another run of the suite beside this one is not counted in.
A=svc-a-$$ B=svc-b-$$
cp "$MS_LEAKER" "$tmp/$A"
cp "$MS_LEAKER" "$tmp/$B"
declare -A in out pidof
start() # NAME KEY: start tests/leaker as NAME, talk to it as KEY
{
	mkfifo "$tmp/$2.in" "$tmp/$2.out"
	"$tmp/$1" < "$tmp/$2.in" > "$tmp/$2.out" &
	ms_at_exit "kill $! 2>/dev/null"
	exec {in[$2]}> "$tmp/$2.in" {out[$2]}< "$tmp/$2.out"
	read -r _ pidof[$2] <&"${out[$2]}" || ms_fail "$1 did not start"
}
ask() # KEY COMMAND
{
	echo "$2" >&"${in[$1]}"
	read -r reply <&"${out[$1]}" || ms_fail "$1: no reply to $2"
	case $reply in ok*) ;; *) ms_fail "$1: $2: $reply" ;; esac
}
start "$A" a1
start "$A" a2
start "$B" b1
ask a1 "malloc 6144 4096 A"
ask a2 "malloc 6144 4096 A"
ask b1 "malloc 2048 4096 B"
rollup() { awk '/^Rss:/ { print $2 * 1024 }' "/proc/$1/smaps_rollup"; }

prom() # FILE OPTIONS...: one sample of every process, exported
{
	local f=$1
	shift
	"$bin/mapswatch" --all -i 10ms --count 2 --batch --prom "$f" "$@" > /dev/null 2> "$tmp/err" ||
		ms_fail "mapswatch --all --prom $*: $(cat "$tmp/err")"
	python3 "$parse" "$f" > "$f.samples" || ms_fail "$f does not parse"
	if command -v promtool > /dev/null; then
		promtool check metrics < "$f" > "$tmp/lint" 2>&1 || ms_fail "promtool check metrics: $(cat "$tmp/lint")"
	fi
}
prom "$tmp/comm.prom" --min-rss 0 --top 100000
a=$(( $(rollup "${pidof[a1]}") + $(rollup "${pidof[a2]}") ))
b=$(rollup "${pidof[b1]}")
python3 - "$tmp/comm.prom.samples" "$a" "$b" "$A" "$B" <<'PY' || ms_fail "grouped by comm: not the processes' sums"
import json, sys
s = [json.loads(l) for l in open(sys.argv[1])]
a, b = int(sys.argv[2]), int(sys.argv[3])
A, B = sys.argv[4], sys.argv[5]
assert not [x for x in s if "pid" in x["labels"]], "a pid label under --all"
def get(name, group):
    f = [x for x in s if x["name"] == name and x["labels"].get("group") == group]
    assert len(f) == 1 and f[0]["labels"]["by"] == "comm", (name, group, f)
    return f[0]["value"]
assert get("memsift_group_processes", A) == 2
assert get("memsift_group_processes", B) == 1
# Idle processes: what smaps_rollup said just after, within 1%.
assert abs(get("memsift_group_rss_bytes", A) - a) <= a / 100, (get("memsift_group_rss_bytes", A), a)
assert abs(get("memsift_group_rss_bytes", B) - b) <= b / 100, (get("memsift_group_rss_bytes", B), b)
assert get("memsift_group_growing_processes", A) == 0
PY

# --top 1: one group, the others counted as omitted.
prom "$tmp/top.prom" --min-rss 0 --top 1
python3 - "$tmp/top.prom.samples" <<'PY' || ms_fail "--top 1 exports more than one group"
import json, sys
s = [json.loads(l) for l in open(sys.argv[1])]
rss = [x for x in s if x["name"] == "memsift_group_rss_bytes"]
omitted = [x["value"] for x in s if x["name"] == "memsift_groups_omitted"]
assert len(rss) == 1 and omitted and omitted[0] >= 2, (rss, omitted)
PY
# --min-rss between the two: svc-a's 48 MiB stays, svc-b's 8 MiB goes.
prom "$tmp/min.prom" --min-rss 32M --top 100000
grep -q "group=\"$A\"" "$tmp/min.prom" || ms_error "--min-rss 32M: svc-a is missing"
grep -q "group=\"$B\"" "$tmp/min.prom" && ms_fail "--min-rss 32M: svc-b is exported"
# By regex: its group names the group; what it does not match is left out.
prom "$tmp/re.prom" --min-rss 0 --prom-by "regex:^svc-(.)-$$\$"
[ "$(grep -c '^memsift_group_processes{' "$tmp/re.prom")" = 2 ] ||
	ms_fail "by regex: not the two groups: $(grep '^memsift_group_processes' "$tmp/re.prom")"
grep -qx 'memsift_group_processes{by="regex",group="a"} 2' "$tmp/re.prom" ||
	ms_fail "by regex: group a is not the two svc-a: $(grep '^memsift_group_processes' "$tmp/re.prom")"
# By cgroup: the services' cgroup, as /proc/PID/cgroup names it: the memory
# controller's on a hybrid system, else the unified hierarchy's.
cg=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ { print $3 }' "/proc/${pidof[a1]}/cgroup")
[ -n "$cg" ] || cg=$(sed -n 's/^0:://p' "/proc/${pidof[a1]}/cgroup")
if [ -n "$cg" ]; then
	prom "$tmp/cg.prom" --min-rss 0 --top 100000 --prom-by cgroup
	n=$(grep -F "memsift_group_processes{by=\"cgroup\",group=\"$cg\"}" "$tmp/cg.prom" | awk '{ print $2 }')
	[ -n "$n" ] && [ "$n" -ge 3 ] || ms_error "by cgroup: $cg has ${n:-no} processes, not the 3 services at least"
fi
"$bin/mapswatch" --all --count 1 --batch --prom "$tmp/x.prom" --prom-by 'regex:(' > /dev/null 2> "$tmp/err" &&
	ms_fail "a bad --prom-by regex is taken"
grep -q "^mapswatch: --prom-by: \"(\": .* at offset 1$" "$tmp/err" || ms_error "bad regex: $(cat "$tmp/err")"

# -p: the file goes with its process.
gone() # PID: wait until it is a zombie or gone, as kill(1) leaves it
{
	while [ -d "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; do :; done
}
ms_hooked "$tmp/hook" '[ "$line" = "snapshot 1" ] && { kill '"${pidof[b1]}"'; gone '"${pidof[b1]}"'; }' \
	"$MS_HOOKED/mapswatch" -p "${pidof[b1]}" -i 10ms --count 5 --batch --prom "$tmp/b.prom" > /dev/null 2> "$tmp/err"
[ "$MS_RC" = 0 ] || ms_error "mapswatch -p: exit $MS_RC: $(cat "$tmp/err")"
[ -e "$tmp/b.prom" ] && ms_fail "the metrics of pid ${pidof[b1]} outlive it"
grep -q "^mapswatch: $tmp/b.prom removed: its metrics were of pid ${pidof[b1]}$" "$tmp/err" ||
	ms_fail "the removal is not said: $(cat "$tmp/err")"

# The man page's rules, under promtool: each alert quotes its own series' rate.
command -v promtool > /dev/null || ms_skip "no promtool to test the man page's rules with (apt-get install prometheus)"
sed -n '/^An alert\|^Alerts on a leak/,/^\.EE/p' "$MS_SRCDIR/man/mapswatch.1" | sed '1,/^\.EX/d; /^\.EE/d' |
	sed 's/\\-/-/g; s/\\e/\\/g' > "$tmp/rules.yml"
cat > "$tmp/test.yml" <<'YML'
rule_files: [rules.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'memsift_process_verdict{pid="10",comm="leaky",verdict="growing"}'
        values: '1x40'
      - series: 'memsift_process_rss_growth_bytes_per_second{pid="10",comm="leaky"}'
        values: '2048x40'
      - series: 'memsift_process_verdict{pid="20",comm="calm",verdict="growing"}'
        values: '0x40'
      - series: 'memsift_process_rss_growth_bytes_per_second{pid="20",comm="calm"}'
        values: '999999999x40'
      - series: 'memsift_group_growing_processes{by="comm",group="web"}'
        values: '3x40'
      - series: 'memsift_group_rss_growth_bytes_per_second{by="comm",group="web"}'
        values: '4096x40'
      - series: 'memsift_group_rss_growth_bytes_per_second{by="comm",group="db"}'
        values: '999999999x40'
      - series: 'memsift_sample_timestamp_seconds'
        values: '0x40'
    alert_rule_test:
      - eval_time: 35m
        alertname: MemoryGrowsWithNoSteadyState
        exp_alerts:
          - exp_labels: {severity: warning, pid: "10", comm: leaky, verdict: growing}
            exp_annotations:
              summary: "leaky (pid 10) grows with no steady state"
              description: "RSS grows at 2kiB/s; run leakhunt -p 10"
      - eval_time: 35m
        alertname: GroupMemoryGrowsWithNoSteadyState
        exp_alerts:
          - exp_labels: {severity: warning, by: comm, group: web}
            exp_annotations:
              summary: "3 web processes grow with no steady state"
              description: "together at 4kiB/s"
YML
(cd "$tmp" && promtool test rules test.yml) > "$tmp/out" 2>&1 ||
	ms_fail "promtool test rules: $(cat "$tmp/out"; cat "$tmp/rules.yml")"
exit 0
