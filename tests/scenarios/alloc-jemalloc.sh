#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The two families at 2:1 (families.sh) with svc run with LD_PRELOAD of libjemalloc:
# leakhunt must name jemalloc as the allocator, never walk its memory as a
# (broken) glibc heap, and give the same clauses as on glibc.
. "${MS_SRCDIR:-.}/tests/scenarios/lib.sh"
scen_two_families jemalloc
exit 0
