#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mapswatch --gctrace - on a live pipe from a Go service that keeps running:
# SIGTERM (table) or SIGINT (-J) ends the read, and the verdict covers every
# GC the program printed before it was signalled.  The program runs its GCs
# on request and answers with its own runtime.MemStats.NumGC once they are
# printed, so the test waits for its reply, never for a time.
. "${MS_SRCDIR:-.}/tests/lib.sh"
ms_tmpdir
mw=$MS_BUILDDIR/tools/mapswatch

command -v go > /dev/null || ms_skip "no go to build the traced program (apt-get install golang-go)"
command -v python3 > /dev/null || ms_skip "no python3 to read the JSON (apt-get install python3)"
cat > "$tmp/svc.go" <<'GO'
package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strconv"
)

var kept [][]byte

// "gc N": keep 1 MiB more and collect, N times; then "ok NUMGC LIVEMIB".
func main() {
	in := bufio.NewScanner(os.Stdin)
	fmt.Println("ready")
	for in.Scan() {
		n, err := strconv.Atoi(in.Text())
		if err != nil {
			fmt.Println("error", err)
			continue
		}
		for i := 0; i < n; i++ {
			b := make([]byte, 1<<20)
			for j := range b {
				b[j] = 'L'
			}
			kept = append(kept, b)
			runtime.GC()
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		fmt.Println("ok", ms.NumGC, len(kept))
	}
}
GO
export GOCACHE=$tmp/gocache GO111MODULE=off
(cd "$tmp" && go build -o svc svc.go) || ms_fail "go build svc.go"

# run SIGNAL OUT [mapswatch options]: the service's stderr through a fifo
# into mapswatch; 12 GCs asked for; NUMGC of the reply in $numgc.
run()
{
	local sig=$1 out=$2 reply mwpid
	shift 2
	rm -f "$tmp/pipe"
	mkfifo "$tmp/pipe" || ms_fail "mkfifo"
	"$mw" "$@" --gctrace - < "$tmp/pipe" > "$out" 2> "$tmp/mw.err" &
	mwpid=$!
	coproc SVC { GODEBUG=gctrace=1 exec "$tmp/svc" 2> "$tmp/pipe"; }
	ms_at_exit "kill $SVC_PID 2>/dev/null"
	read -r reply <&"${SVC[0]}" && [ "$reply" = ready ] || ms_fail "the Go service did not start"
	echo 12 >&"${SVC[1]}"
	read -r reply <&"${SVC[0]}" || ms_fail "the Go service did not answer"
	set -- $reply
	[ "$1" = ok ] || ms_error "the Go service: $reply"
	numgc=$2
	kill "-$sig" "$mwpid"
	wait "$mwpid" || ms_fail "mapswatch --gctrace - ended by SIG$sig: exit $?: $(cat "$tmp/mw.err")"
	# The service outlives the watch: it still answers.
	echo 0 >&"${SVC[1]}"
	read -r reply <&"${SVC[0]}" || ms_fail "the Go service died with the watch"
	kill "$SVC_PID"
}

run TERM "$tmp/table"
grep -q "^standard input: live heap after GC grows with no steady state, .* over $numgc GCs .*stopped by a signal" "$tmp/table" ||
	ms_fail "SIGTERM: no verdict over the $numgc GCs the service made: $(tail -n 2 "$tmp/table")"
# One row per GC, the last being the service's own count.
rows=$(grep -cE '^ *[0-9]+ ' "$tmp/table")
[ "$rows" -eq "$numgc" ] || ms_error "SIGTERM: $rows rows for $numgc GCs"

run INT "$tmp/json" -J
python3 - "$tmp/json" "$numgc" <<'PY' || ms_fail "SIGINT -J: the verdict does not match the service"
import json, sys
j, numgc = json.load(open(sys.argv[1])), int(sys.argv[2])
assert j["stopped"] is True, j
assert [g["gc"] for g in j["gcs"]] == list(range(1, numgc + 1)), j["gcs"]
# Each GC the service forced keeps 1 MiB more: the live heap rises with it.
lives = [g["live"] for g in j["gcs"] if g["forced"]]
assert len(lives) >= 10 and lives[-1] - lives[0] >= (len(lives) - 2) << 20, lives
assert j["verdict"] == "grows with no steady state", j["verdict"]
PY
exit 0
