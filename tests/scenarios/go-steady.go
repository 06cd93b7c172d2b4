// SPDX-License-Identifier: GPL-2.0-or-later
// go-steady: a Go service that does not leak, for leakhunt: each
// "work N" serves N requests, each making garbage (a decoded body, a
// rendered reply) and touching a bounded cache of at most CAP entries
// (the oldest evicted), then answers "ok live=L cache=C heap_alloc=H
// heap_inuse=I" with the runtime's own counts; "quit".  Run with
// "garbage" or "cache CAP" as its argument.
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

type entry struct {
	key  string
	body []byte
}

var (
	cache    = map[string]*entry{}
	order    []string
	capacity int
	served   int
	sink     int
)

func request(i int) {
	// Garbage: a request body, its fields, the reply; none kept.
	body := bytes.Repeat([]byte(fmt.Sprintf("field%d=value%d&", i%97, i)), 40+i%64)
	fields := strings.Split(string(body), "&")
	reply := strings.Join(fields[:len(fields)/2], ";")
	sink += len(reply)
	if capacity == 0 {
		return
	}
	key := "k" + strconv.Itoa(i)
	cache[key] = &entry{key, bytes.Repeat([]byte{'c'}, 4096)}
	order = append(order, key)
	for len(order) > capacity {
		delete(cache, order[0])
		order = order[1:]
	}
}

func main() {
	if len(os.Args) == 3 && os.Args[1] == "cache" {
		capacity, _ = strconv.Atoi(os.Args[2])
	}
	in := bufio.NewScanner(os.Stdin)
	fmt.Printf("ready %d\n", os.Getpid())
	for in.Scan() {
		f := strings.Fields(in.Text())
		switch {
		case len(f) == 2 && f[0] == "work":
			n, err := strconv.Atoi(f[1])
			if err != nil || n <= 0 {
				fmt.Println("error: work COUNT")
				continue
			}
			for i := 0; i < n; i++ {
				request(served)
				served++
			}
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			fmt.Printf("ok served=%d cache=%d heap_alloc=%d heap_inuse=%d\n", served, len(cache),
				ms.HeapAlloc, ms.HeapInuse)
		case len(f) == 1 && f[0] == "quit":
			fmt.Println("ok bye")
			return
		default:
			fmt.Println("error: unknown command")
		}
	}
}
