// SPDX-License-Identifier: GPL-2.0-or-later
// go-service: the HTTP service of the articles memsift comes from: each
// request to /leak appends bytes.Repeat([]byte("a"), 10000) to a global
// slice.  Driven over stdin so a test never sleeps: "get N" makes N
// requests to itself over HTTP and answers once they are served;
// "stats" says how many buffers the slice holds and the runtime's own
// count of live heap bytes (runtime.MemStats.HeapAlloc, just after a
// collection); "quit".
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
)

var (
	mu   sync.Mutex
	kept [][]byte
)

func leak(w http.ResponseWriter, r *http.Request) {
	mu.Lock()
	kept = append(kept, bytes.Repeat([]byte("a"), 10000))
	n := len(kept)
	mu.Unlock()
	fmt.Fprintf(w, "%d\n", n)
}

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	http.HandleFunc("/leak", leak)
	go http.Serve(ln, nil)
	url := "http://" + ln.Addr().String() + "/leak"
	in := bufio.NewScanner(os.Stdin)
	fmt.Printf("ready %d\n", os.Getpid())
	for in.Scan() {
		f := strings.Fields(in.Text())
		switch {
		case len(f) == 2 && f[0] == "get":
			n, err := strconv.Atoi(f[1])
			if err != nil || n <= 0 {
				fmt.Println("error: get COUNT")
				continue
			}
			for i := 0; i < n; i++ {
				resp, err := http.Get(url)
				if err != nil {
					fmt.Println("error:", err)
					break
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			fmt.Println("ok")
		case len(f) == 1 && f[0] == "stats":
			// The HTTP requests leave megabytes of garbage: a GC between
			// this count and the test's dump would free it and make the
			// dump disagree with the count.  Collect it now, so HeapAlloc
			// is the live heap a later dump finds.
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			mu.Lock()
			fmt.Printf("ok kept=%d heap_alloc=%d\n", len(kept), ms.HeapAlloc)
			mu.Unlock()
		case len(f) == 1 && f[0] == "quit":
			fmt.Println("ok bye")
			return
		default:
			fmt.Println("error: unknown command")
		}
	}
}
