#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# contrib/systemd/memsift-mapswatch.service: systemd-analyze verify passes
# it (with ExecStart pointed at the built mapswatch), and its command line
# is one mapswatch takes: run for one sample, it writes the metrics file
# the unit names, grouped, with no pid label.
. "${MS_SRCDIR:-.}/tests/lib.sh"
unit=$MS_SRCDIR/contrib/systemd/memsift-mapswatch.service
ms_tmpdir
[ -r "$unit" ] || ms_error "no unit at $unit"
cmd=$(sed -n 's/^ExecStart=//p' "$unit")
[ -n "$cmd" ] || ms_fail "the unit has no ExecStart"
case $cmd in /usr/bin/mapswatch\ *) ;; *) ms_fail "ExecStart is not /usr/bin/mapswatch: $cmd" ;; esac
exe=$(cd "$MS_BUILDDIR/tools" && pwd)/mapswatch
# Its own command, run once, into a directory of ours.
set -- ${cmd#/usr/bin/mapswatch }
args=()
for a; do
	case $a in /var/lib/prometheus/node-exporter/*) a=$tmp/${a##*/} ;; esac
	args+=("$a")
done
"$exe" "${args[@]}" -n 1 > /dev/null 2> "$tmp/err" || ms_fail "the unit's command fails: $(cat "$tmp/err")"
[ -s "$tmp/memsift.prom" ] || ms_error "the unit's command wrote no metrics"
grep -q '^memsift_group_rss_bytes{by="comm",group=' "$tmp/memsift.prom" || ms_error "no grouped series"
grep -q 'pid=' "$tmp/memsift.prom" && ms_fail "a pid label in the fleet's metrics"

command -v systemd-analyze > /dev/null || ms_skip "no systemd-analyze to verify the unit with"
mkdir -p "$tmp/man/man1"
ln -s "$(cd "$MS_SRCDIR/man" && pwd)/mapswatch.1" "$tmp/man/man1/mapswatch.1"
sed "s|^ExecStart=/usr/bin/mapswatch|ExecStart=$exe|" "$unit" > "$tmp/memsift-mapswatch.service"
MANPATH=$tmp/man systemd-analyze verify "$tmp/memsift-mapswatch.service" > "$tmp/out" 2>&1 ||
	ms_fail "systemd-analyze verify: $(cat "$tmp/out")"
[ ! -s "$tmp/out" ] || ms_error "systemd-analyze verify warns: $(cat "$tmp/out")"
exit 0
