// SPDX-License-Identifier: GPL-2.0-or-later
// leaker-go: the Go counterpart of leaker.c, for memsift's tests: a Go
// program that keeps objects of a named, pointer-bearing type alive on
// command, so a tool can be checked against a real Go heap.
//
// It reads one command per line on stdin and answers each with one line on
// stdout once the work is done, so a test waits by reading, never sleeping:
//
//	records COUNT   keep COUNT new *Record objects   -> ok count=TOTAL
//	report          one JSON line: pid, how many records are kept, the
//	                first record's address, and the addresses a record's
//	                words point at (its type descriptor, its tag string's
//	                bytes, its function value)
//	quit            answer "ok bye" and exit 0 (EOF: exit 0)
//
// It starts by printing "ready PID", as leaker.c does, so tests/lib.sh's
// leaker_start drives either.
//
// Every Record holds its tag (a literal), a pointer to the record before it,
// itself as an interface value (so a word points at the type descriptor of
// *main.Record) and a function value.
package main

import (
	"bufio"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
	"unsafe"
)

// Record is what the leaker keeps: every pointer-bearing kind of field.
type Record struct {
	Tag    string
	Prev   *Record
	Self   interface{}
	Handle func() int
	Serial uint64
}

const recordTag = "memsift-go-leaker-record"

var kept []*Record

//go:noinline
func recordHandle() int { return len(kept) }

func newRecord(prev *Record, serial uint64) *Record {
	r := &Record{Tag: recordTag, Prev: prev, Handle: recordHandle, Serial: serial}
	r.Self = r
	return r
}

// eface is how the runtime lays out an interface{}: type word, data word.
type eface struct {
	typ, data unsafe.Pointer
}

func report() string {
	if len(kept) == 0 {
		return fmt.Sprintf(`{"pid":%d,"count":0}`, os.Getpid())
	}
	r := kept[0]
	typ := (*eface)(unsafe.Pointer(&r.Self)).typ
	tag := (*reflect.StringHeader)(unsafe.Pointer(&r.Tag)).Data
	fn := *(*uintptr)(unsafe.Pointer(&r.Handle))
	return fmt.Sprintf(`{"pid":%d,"count":%d,"first":"%#x","record_size":%d,`+
		`"type":"%#x","type_name":"%T","tag":"%#x","tag_text":%q,"func":"%#x"}`,
		os.Getpid(), len(kept), uintptr(unsafe.Pointer(r)), unsafe.Sizeof(*r),
		uintptr(typ), r.Self, tag, r.Tag, fn)
}

func run(line string) string {
	f := strings.Fields(line)
	switch {
	case len(f) == 2 && f[0] == "records":
		n, err := strconv.ParseUint(f[1], 10, 32)
		if err != nil || n == 0 {
			return "error: records: usage: records COUNT"
		}
		var prev *Record
		if len(kept) > 0 {
			prev = kept[len(kept)-1]
		}
		for i := uint64(0); i < n; i++ {
			prev = newRecord(prev, uint64(len(kept))+1)
			kept = append(kept, prev)
		}
		return fmt.Sprintf("ok count=%d", len(kept))
	case len(f) == 1 && f[0] == "report":
		return report()
	case len(f) == 0:
		return "error: empty command"
	}
	return fmt.Sprintf("error: unknown command %q", f[0])
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	out := bufio.NewWriter(os.Stdout)
	fmt.Fprintf(out, "ready %d\n", os.Getpid())
	out.Flush()
	for in.Scan() {
		reply := "ok bye"
		if strings.TrimSpace(in.Text()) != "quit" {
			reply = run(in.Text())
		}
		fmt.Fprintln(out, reply)
		// A reader of the pipe must never wait for a reply left in our buffer.
		if out.Flush() != nil {
			os.Exit(1)
		}
		if reply == "ok bye" {
			return
		}
	}
}
