// SPDX-License-Identifier: GPL-2.0-or-later
// go-nonpie: a Go program's code sits at 0x401000 (go build makes no PIE
// on amd64), where ordinary integers fall.  It keeps a map[int]int whose
// 10,000 values are spread over its own code, and 3,000 copies of a
// function's entry (as a code pointer is kept), and says where its code
// lies and how many of the integers are a function's entry by chance.
// "quit" ends it.
package main

import (
	"bufio"
	"fmt"
	"os"
	"reflect"
	"runtime"
)

var (
	ints    = map[int]int{}
	entries []uintptr
)

//go:noinline
func onEvent() int { return len(ints) * 3 }

func main() {
	entry := reflect.ValueOf(onEvent).Pointer()
	lo := int(entry) &^ 0xfff
	span := 256 << 10
	same := 0
	for i := 0; i < 10000; i++ {
		v := lo + int(uint64(i)*2654435761%uint64(span))
		ints[i] = v
		if f := runtime.FuncForPC(uintptr(v)); f != nil && f.Entry() == uintptr(v) {
			same++
		}
	}
	// One backing array: no garbage copies of the entry from append's growth.
	entries = make([]uintptr, 0, 3000)
	for i := 0; i < 3000; i++ {
		entries = append(entries, entry)
	}
	fmt.Printf("ready %d\n", os.Getpid())
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		switch in.Text() {
		case "report":
			fmt.Printf("ok ints=10000 same=%d entry=%#x name=%s lo=%#x span=%d\n", same, entry,
				runtime.FuncForPC(entry).Name(), lo, span)
		case "quit":
			fmt.Println("ok bye")
			return
		default:
			fmt.Println("error: unknown command")
		}
	}
}
