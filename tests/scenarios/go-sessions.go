// SPDX-License-Identifier: GPL-2.0-or-later
// go-sessions: a leak of *Session kept in a global slice, each session
// holding a *Profile and its expiry callback, as the third Go
// program.  "leak N" keeps N more sessions; "stats" says how many are
// kept, their size and the runtime's HeapAlloc; "quit".
package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"unsafe"
)

type Profile struct {
	Visits [6]int64
	Owner  *Session
}

type Session struct {
	ID      int64
	User    string
	Profile *Profile
	Expire  func(*Session)
	Touched int64
}

var sessions []*Session

//go:noinline
func expireSession(s *Session) { s.Touched = -1 }

func main() {
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
				s := &Session{ID: int64(len(sessions)), User: "guest", Expire: expireSession}
				s.Profile = &Profile{Owner: s}
				sessions = append(sessions, s)
			}
			fmt.Printf("ok %d\n", len(sessions))
		case len(f) == 1 && f[0] == "stats":
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			fmt.Printf("ok kept=%d session=%d profile=%d heap_alloc=%d\n", len(sessions),
				unsafe.Sizeof(Session{}), unsafe.Sizeof(Profile{}), ms.HeapAlloc)
		case len(f) == 1 && f[0] == "quit":
			fmt.Println("ok bye")
			return
		default:
			fmt.Println("error: unknown command")
		}
	}
}
