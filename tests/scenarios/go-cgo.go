// SPDX-License-Identifier: GPL-2.0-or-later
// go-cgo: a cgo program (linked by gcc, its C parts with DWARF of their
// own) that keeps records holding the entry of a Go function, for the
// test that Go code gets its Go file and line.  "keep N" keeps N more;
// "report" says how many, the entry's address, and the file and line the
// runtime itself gives for it (runtime.FuncForPC); "quit".
package main

/*
static int twice(int x) { return 2 * x; }
*/
import "C"

import (
	"bufio"
	"fmt"
	"os"
	"reflect"
	"runtime"
	"strconv"
	"strings"
)

type Rec struct {
	Tag   string
	Entry uintptr
	Fn    func() int
}

var kept []*Rec

//go:noinline
func handle() int { return int(C.twice(C.int(len(kept)))) }

func main() {
	entry := reflect.ValueOf(handle).Pointer()
	in := bufio.NewScanner(os.Stdin)
	fmt.Printf("ready %d\n", os.Getpid())
	for in.Scan() {
		f := strings.Fields(in.Text())
		switch {
		case len(f) == 2 && f[0] == "keep":
			n, err := strconv.Atoi(f[1])
			if err != nil || n <= 0 {
				fmt.Println("error: keep COUNT")
				continue
			}
			for i := 0; i < n; i++ {
				kept = append(kept, &Rec{Tag: "cgo-record", Entry: entry, Fn: handle})
			}
			fmt.Printf("ok %d\n", len(kept))
		case len(f) == 1 && f[0] == "report":
			file, line := runtime.FuncForPC(entry).FileLine(entry)
			fmt.Printf("ok kept=%d entry=%#x file=%s line=%d first=%#x\n", len(kept), entry, file, line,
				reflect.ValueOf(kept[0]).Pointer())
		case len(f) == 1 && f[0] == "quit":
			fmt.Println("ok bye")
			return
		default:
			fmt.Println("error: unknown command")
		}
	}
}
