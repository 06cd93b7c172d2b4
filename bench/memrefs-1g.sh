# SPDX-License-Identifier: GPL-2.0-or-later
# bench/memrefs.sh on about 1 GiB of heap.
MEMREFS_BENCH_SCALE=10
# shellcheck source=/dev/null
. "$top/bench/memrefs.sh"
