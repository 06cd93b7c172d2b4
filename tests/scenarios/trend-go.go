// SPDX-License-Identifier: GPL-2.0-or-later

// A Go program for the label tests: it fills a heap of its own, says
// "ready PID" and holds it until stdin closes or says "quit".
package main

import (
	"bufio"
	"fmt"
	"os"
)

var keep [][]byte

func main() {
	for i := 0; i < 64; i++ {
		b := make([]byte, 64<<10)
		for j := range b {
			b[j] = 'g'
		}
		keep = append(keep, b)
	}
	fmt.Printf("ready %d\n", os.Getpid())
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		if in.Text() == "quit" {
			break
		}
		fmt.Printf("ok held=%d\n", len(keep))
	}
	fmt.Println("ok bye")
}
