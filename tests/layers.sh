#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The layers HACKING.md writes down, checked (`make check-layers`, and part
# of `make check`):
#  - no include cycle between the library's modules;
#  - the library uses no tool helper (tools/cli.h) and never prints or
#    exits: it returns an error and leaves a message in the context;
#  - tools include the public headers only, never lib/'s private ones;
#  - /proc/PID paths are built in procfs.c alone;
#  - every lib/ file is in HACKING.md's module map;
#  - every symbol the library exports has the ms_ prefix.
# Every violation is listed, not only the first.
. "${MS_SRCDIR:-.}/tests/lib.sh"
lib=$(cd "$MS_BUILDDIR" && pwd)/lib/libmemsift.a
cd "$MS_SRCDIR" || ms_fail "no source tree at $MS_SRCDIR"
python3 - "$lib" <<'PY' || ms_fail "the layers are broken (above)"
import glob, os, re, subprocess, sys

bad = []
def src(f):
    # Comments and string literals out, so a comment naming printf() is no call.
    s = open(f).read()
    s = re.sub(r'/\*.*?\*/', lambda m: '\n' * m.group(0).count('\n'), s, flags=re.S)
    s = re.sub(r'//[^\n]*', '', s)
    return s

def module(path):
    # A module is a public header's name; lib/hunt-report.c, lib/symbol-go.c and
    # lib/hunt-private.h belong to the module whose header they serve.
    b = os.path.basename(path).rsplit('.', 1)[0]
    while b not in headers and '-' in b:
        b = b.rsplit('-', 1)[0]
    return b

headers = {os.path.basename(h)[:-2] for h in glob.glob('include/memsift/*.h')}
deps = {}
for f in sorted(glob.glob('lib/*.[ch]') + glob.glob('include/memsift/*.h')):
    m = module(f)
    for inc in re.findall(r'#include\s*[<"](?:memsift/)?([a-z0-9-]+)\.h[>"]', src(f)):
        if inc in headers and inc != m:
            deps.setdefault(m, set()).add((inc, f))

# Include cycles between modules.
def cycle_from(start):
    stack, seen = [(start, [start])], set()
    while stack:
        n, path = stack.pop()
        for d, _ in deps.get(n, ()):
            if d == start:
                return path + [d]
            if d not in seen:
                seen.add(d)
                stack.append((d, path + [d]))
cycles = set()
for m in deps:
    c = cycle_from(m)
    if c:
        cycles.add(' -> '.join(c[c.index(min(c[:-1])):-1] + c[:c.index(min(c[:-1]))] + [min(c[:-1])]))
for c in sorted(cycles):
    bad.append('include cycle between modules: ' + c)

# The library: no tool helpers, no printing to the terminal, no exiting.
calls = re.compile(r'(?<![\w>.])(printf|puts|perror|exit|_exit|abort|err|errx|warn|warnx|vwarn|verr)\s*\(|'
                   r'\bf(?:printf|puts)\s*\(\s*std(?:out|err)\b')
for f in sorted(glob.glob('lib/*.[ch]') + glob.glob('include/memsift/*.h')):
    s = src(f)
    if re.search(r'#include\s*[<"](?:memsift/|\.\./tools/)?cli\.h[>"]', s):
        bad.append(f + ': the library includes the tools\' helpers (tools/cli.h)')
    for n, line in enumerate(s.split('\n'), 1):
        m = calls.search(line)
        if m:
            bad.append('%s:%d: the library prints or exits: %s' % (f, n, line.strip()))
        if re.search(r'"/proc/%', line) and os.path.basename(f) != 'procfs.c':
            bad.append('%s:%d: a /proc/PID path built outside procfs.c (use ms_procfs_path)' % (f, n))

# The tools: public headers and their own helpers (cli.h) only.
for f in sorted(glob.glob('tools/*.c')):
    for inc in re.findall(r'#include\s*"([^"]+)"', src(f)):
        if inc not in ('config.h', 'cli.h'):
            bad.append('%s: includes "%s"; tools use <memsift/*.h> and "cli.h" only' % (f, inc))

# HACKING.md's module map names every lib/ file.
hacking = open('HACKING.md').read()
for f in sorted(glob.glob('lib/*.[ch]')):
    if not re.search(r'(?<![\w-])' + re.escape(os.path.basename(f)) + r'(?![\w-])', hacking):
        bad.append(f + ': not in HACKING.md\'s module map')

# Exported symbols.
lib = sys.argv[1]
if os.path.exists(lib):
    out = subprocess.run(['nm', '-g', '--defined-only', lib], capture_output=True, text=True).stdout
    for line in out.split('\n'):
        p = line.split()
        if len(p) == 3 and not p[2].startswith('ms_') and not p[2].startswith('__'):
            bad.append('%s exports %s: library symbols take the ms_ prefix' % (os.path.basename(lib), p[2]))
else:
    bad.append(lib + ': not built')

for b in bad:
    print(b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
exit 0
