# SPDX-License-Identifier: GPL-2.0-or-later
# The same on an ordinary process: the leaker as it starts, about 25 mappings.
BENCH_MMAPS=0
. "$(dirname "${BASH_SOURCE[0]}")/snapshot.sh"
BENCH_DESC="Snapshot of an ordinary process (the leaker as started): mapsnap vs cat of /proc/PID/smaps and pmap -X."
