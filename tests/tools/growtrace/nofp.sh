#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# split.sh on the target built -O2 -fomit-frame-pointer: the stacks still
# reach leak_a and leak_b through Debian's libc memset (CFI, not frame
# pointers).
MS_GROW=grow-O2 exec bash "${MS_SRCDIR:-.}/tests/tools/growtrace/split.sh"
