// SPDX-License-Identifier: GPL-2.0-or-later
// go-buffers: the leak of the articles memsift comes from, in Go: 1 KiB
// buffers filled with one byte kept in a global [][]byte, driven over
// stdin ("leak C 2000" keeps 2000 more buffers of 'C'; "report" says how
// many of each it keeps; "heap" the runtime's own HeapAlloc; "quit").
// Run with GOGC=off or with the GC on.
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
)

var kept [][]byte

func count(b byte) int {
	n := 0
	for _, k := range kept {
		if k[0] == b {
			n++
		}
	}
	return n
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	fmt.Printf("ready %d\n", os.Getpid())
	for in.Scan() {
		f := strings.Fields(in.Text())
		switch {
		case len(f) == 3 && f[0] == "leak" && len(f[1]) == 1:
			n, err := strconv.Atoi(f[2])
			if err != nil || n <= 0 {
				fmt.Println("error: leak BYTE COUNT")
				continue
			}
			for i := 0; i < n; i++ {
				kept = append(kept, bytes.Repeat([]byte(f[1]), 1024))
			}
			fmt.Printf("ok %d\n", len(kept))
		case len(f) == 1 && f[0] == "report":
			fmt.Printf("ok C=%d T=%d\n", count('C'), count('T'))
		case len(f) == 1 && f[0] == "heap":
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			fmt.Printf("ok heap_alloc=%d\n", ms.HeapAlloc)
		case len(f) == 1 && f[0] == "quit":
			fmt.Println("ok bye")
			return
		default:
			fmt.Println("error: unknown command")
		}
	}
}
