// SPDX-License-Identifier: GPL-2.0-or-later

// A Go target for growtrace's tests: two functions that leak on command,
// answering each command on stdout once done with their own byte counts.
//
//	mix N   3N 64 KiB slices kept, each by leakA or leakB drawn at random,
//	        two to one (in no fixed order, which a sampling period could alias with)
//	quit
package main

import (
	"bufio"
	"fmt"
	"math/rand"
	"os"
)

const block = 64 << 10

var kept [][]byte
var bytesA, bytesB int

//go:noinline
func fill(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = 'a'
	}
	kept = append(kept, b)
	return b
}

//go:noinline
func leakA(n int) {
	for i := 0; i < n; i++ {
		fill(block)
	}
	bytesA += n * block
}

//go:noinline
func leakB(n int) {
	for i := 0; i < n; i++ {
		fill(block)
	}
	bytesB += n * block
}

func main() {
	fmt.Printf("ready %d\n", os.Getpid())
	rng := rand.New(rand.NewSource(15))
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		var n int
		line := in.Text()
		if _, err := fmt.Sscanf(line, "mix %d", &n); err == nil {
			for n *= 3; n > 0; n-- {
				if rng.Intn(3) > 0 {
					leakA(1)
				} else {
					leakB(1)
				}
			}
		} else if line == "quit" {
			fmt.Println("ok bye")
			return
		} else {
			fmt.Println("error unknown command")
			continue
		}
		fmt.Printf("ok a=%d b=%d\n", bytesA, bytesB)
	}
}
