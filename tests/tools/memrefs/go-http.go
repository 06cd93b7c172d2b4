// SPDX-License-Identifier: GPL-2.0-or-later
// go-http: the articles' Go leak, an HTTP handler that keeps every
// request's 10000-byte buffer of 'a' in a global slice, for
// tests/tools/memrefs.  Driven over stdin: "leak N" sends N requests to
// its own server, "report" says how many buffers it keeps and where the
// global is, "quit".  Each reply is one line, after the work is done.
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
)

var requests [][]byte

func handler(w http.ResponseWriter, r *http.Request) {
	requests = append(requests, bytes.Repeat([]byte("a"), 10000))
	fmt.Fprintf(w, "%d\n", len(requests))
}

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/leak", handler)
	go http.Serve(ln, mux)
	url := "http://" + ln.Addr().String() + "/leak"
	// One connection at a time: the handler runs on one goroutine after another.
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}}
	in := bufio.NewScanner(os.Stdin)
	fmt.Printf("ready %d\n", os.Getpid())
	for in.Scan() {
		f := strings.Fields(in.Text())
		switch {
		case len(f) == 2 && f[0] == "leak":
			n, err := strconv.Atoi(f[1])
			if err != nil || n <= 0 {
				fmt.Println("error: leak COUNT")
				continue
			}
			for i := 0; i < n; i++ {
				resp, err := client.Get(url)
				if err != nil {
					fmt.Println("error:", err)
					os.Exit(1)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			fmt.Printf("ok %d\n", len(requests))
		case len(f) == 1 && f[0] == "report":
			fmt.Printf("ok count=%d global=%p array=%p\n", len(requests), &requests, &requests[0])
		case len(f) == 1 && f[0] == "quit":
			fmt.Println("ok bye")
			return
		default:
			fmt.Println("error: unknown command")
		}
	}
}
