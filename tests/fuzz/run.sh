#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/fuzz/run.sh [SECONDS [TARGET...]]: run each libFuzzer target for
# SECONDS (default 30), seeded from tests/fixtures and from small dumps of
# this script's own shell (its glibc heap, raw and as an ELF core, with
# regiondump's manifests), after `make` and `make fuzz`.
# A crash leaves its input in tests/fuzz/TARGET-crash-* and fails the run; turn it
# into a regression test before fixing it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
secs=${1:-30}
shift || :
builddir=${MS_BUILDDIR:-$top/build}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(maps pmap snapshot parse manifest core hist heapwalk redact oom gctrace objects goheap refs pprof)

# Real dumps to seed from: bash's [heap] (a glibc main heap), best effort.
dumps=$(mktemp -d)
trap 'rm -rf "$dumps"' EXIT
seed_dumps()
{
	local rd=$builddir/tools/regiondump heap
	[ -x "$rd" ] || return 0
	heap=$(awk '$NF == "[heap]" { sub(/-.*/, "", $1); print $1; exit }' /proc/$$/maps)
	[ -n "$heap" ] || return 0
	"$rd" -p $$ "0x$heap" 48K -w "$dumps/heap.dump" 2>/dev/null || :
	"$rd" -p $$ "0x$heap" 8K --format core -w "$dumps/heap.core" 2>/dev/null || :
	"$rd" -p $$ --mapping "0x$heap" -w "$dumps/mapping.dump" 2>/dev/null || :
	rm -f "$dumps/mapping.dump"
	printf '{ "start": "0x%s", "length": 4096 }\n' "$heap" > "$dumps/single.json"
	printf '{ "ranges": [ { "start": "0x1000", "length": 4096 }, { "start": 8192, "size": 16 } ] }\n' \
		> "$dumps/ranges.json"
}
seed_dumps

for t in "${targets[@]}"; do
	exe=$builddir/tests/fuzz/fuzz-$t
	[ -x "$exe" ] || { echo "run.sh: $exe not built; run make fuzz in $builddir" >&2; exit 2; }
	corpus=$(mktemp -d)
	case $t in
	parse) printf '%s\n' 4242 0x7f3a1c000000 131072K 0xc000000000+128M 1m30s "1 2,3" > "$corpus/seed" ;;
	manifest) cp "$dumps"/*.json "$corpus/" 2>/dev/null || : ;;
	core|refs) cp "$dumps"/*.core "$corpus/" 2>/dev/null || : ;;
	# It writes its own seeds: a heap its model walks, for each binary it makes.
	goheap) MS_FUZZ_SEED_DIR=$corpus "$exe" -runs=0 "$corpus" >/dev/null 2>&1 || : ;;
	heapwalk|objects) cp "$dumps"/heap.dump "$corpus/" 2>/dev/null || : ;;
	redact) cp "$dumps"/heap.dump "$corpus/" 2>/dev/null || :
		printf 'x pass=hunter CANARY-00ff Authorization: Bearer abcdefgh12 password="s3cret"\n-----BEGIN PRIVATE KEY-----\nMIIB+/=\n-----END PRIVATE KEY-----\n' \
			> "$corpus/seed" ;;
	hist) cp "$dumps"/*.dump "$dumps"/*.core "$corpus/" 2>/dev/null || :
		cp "$top/tests/fixtures/smaps/go-heap.smaps" "$top/tests/fixtures/bad/garbage.bin" "$corpus/" ;;
	oom) find "$top/tests/fixtures/oom" -type f ! -name README ! -name '*.sh' \
		-exec cp {} "$corpus/" \; ;;
	gctrace) find "$top/tests/fixtures/gctrace" -type f -name '*.gctrace' -exec cp {} "$corpus/" \; ;;
	*) find "$top/tests/fixtures/smaps" "$top/tests/fixtures/pmap" "$top/tests/fixtures/bad" -type f \
		! -name '*.report' -exec cp {} "$corpus/" \; ;;
	esac
	# Small inputs where a run's cost grows with its length and the code
	# has no state past a few KiB (the redaction window, bytehist's blocks).
	case $t in
	redact|hist) maxlen=4096 ;;
	*) maxlen=65536 ;;
	esac
	echo "== fuzz-$t for ${secs}s"
	"$exe" -max_total_time="$secs" -max_len=$maxlen -rss_limit_mb=2048 -artifact_prefix="$here/$t-" \
		"$corpus" 2>&1 | grep -E '^(#[0-9]+[[:space:]]+DONE|Done|==[0-9]+==ERROR|SUMMARY)' || :
	rm -rf "$corpus"
	# libFuzzer names what it keeps TARGET-crash-*, -leak-*, -timeout-*, -oom-*.
	if ls "$here/$t"-*-* >/dev/null 2>&1; then
		echo "fuzz-$t: failed, input kept in $(ls "$here/$t"-*-*)" >&2
		exit 1
	fi
done
