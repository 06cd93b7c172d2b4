#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A text leak: between every two snapshots svc keeps 3,000 access-log lines,
# each different ("GET /api/v2/1000042?tenant=acme&trace=<hex> HTTP/1.1 200
# 87ms").  The verdict must say text, give the lines' shape with digit and hex
# runs folded to '#', and count the lines logged between the two dumps.
. "${MS_SRCDIR:-.}/tests/scenarios/lib.sh"
scen_init
svc_build glibc
svc_start
drive_text()
{
	leaker_cmd log 3000
}
scen_hunt svc_report drive_text -i 20ms --count 12
# 72- or 73-byte lines and their NUL: one glibc chunk size.
scen_check --allocator glibc --min-share 0.5 \
	--clause "label=log;content=text;shape=GET /api/v2/#?tenant=acme&trace=#;truth=log;total=log;size=$(( (74 + 8 + 15) / 16 * 16 ))" ||
	ms_fail "the verdict does not match the lines svc logged (see above)"
leaker_stop
exit 0
