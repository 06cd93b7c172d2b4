#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Two leaking families at 2:1 on glibc: between every two snapshots svc leaks
# 2,000 config records (magic CONFREC, callback on_reload, a 1 KiB 'C'
# payload) and 1,000 task records (TASKREC, on_task, 'T').  The verdict must
# give both, each named after its callback and source line, each growing by
# what svc leaked between leakhunt's two dumps (within 10%), at 2:1 (within
# 15%), and never lead with zero-filled memory.
. "${MS_SRCDIR:-.}/tests/scenarios/lib.sh"
scen_two_families glibc
exit 0
