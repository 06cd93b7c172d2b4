#!/usr/bin/env bash
# tests/fuzz/run.sh [SECONDS [TARGET...]]: run each libFuzzer target for
# SECONDS (default 30), seeded from tests/fixtures, after `make fuzz`.
# A crash leaves its input in tests/fuzz/crash-* and fails the run; turn it
# into a regression test before fixing it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
secs=${1:-30}
shift || :
builddir=${MS_BUILDDIR:-$top/build}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(maps pmap snapshot parse)

for t in "${targets[@]}"; do
	exe=$builddir/tests/fuzz/fuzz-$t
	[ -x "$exe" ] || { echo "run.sh: $exe not built; run make fuzz in $builddir" >&2; exit 2; }
	corpus=$(mktemp -d)
	case $t in
	parse) printf '%s\n' 4242 0x7f3a1c000000 131072K 0xc000000000+128M 1m30s "1 2,3" > "$corpus/seed" ;;
	*) find "$top/tests/fixtures/smaps" "$top/tests/fixtures/pmap" "$top/tests/fixtures/bad" -type f \
		! -name '*.report' -exec cp {} "$corpus/" \; ;;
	esac
	echo "== fuzz-$t for ${secs}s"
	"$exe" -max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048 -artifact_prefix="$here/crash-$t-" \
		"$corpus" 2>&1 | grep -E '^(#[0-9]+ +DONE|Done|==[0-9]+==ERROR|SUMMARY)' || :
	rm -rf "$corpus"
	if ls "$here"/crash-"$t"-* >/dev/null 2>&1; then
		echo "fuzz-$t: crash, input kept in $(ls "$here"/crash-"$t"-*)" >&2
		exit 1
	fi
done
