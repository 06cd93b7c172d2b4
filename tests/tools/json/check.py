#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""check.py DOC FIRST [RAW...]

DOC is JSON as RFC 8259 has it: UTF-8 throughout, no raw control byte in a
string, read by Python's own json module.  It is one object whose first
member is FIRST.  For each file RAW, which holds a string's bytes as /proc
gives them (a path, a comm), some string value of DOC is exactly those bytes
as memsift documents write them: UTF-8 kept, and any byte that is no UTF-8
as the character of its value (ms_json_str, output.h).  Exit 1 on the first
document that fails, saying why.
"""
import codecs
import json
import sys


def per_byte(err):
    return "".join(chr(b) for b in err.object[err.start:err.end]), err.end


codecs.register_error("memsift-bytes", per_byte)


def strings(v):
    if isinstance(v, str):
        yield v
    elif isinstance(v, dict):
        for x in v.values():
            yield from strings(x)
    elif isinstance(v, list):
        for x in v:
            yield from strings(x)


def main():
    path, first, raws = sys.argv[1], sys.argv[2], sys.argv[3:]
    data = open(path, "rb").read()
    try:
        # Strict: a byte that is no UTF-8, or a raw control character in a
        # string, fails here rather than reaching a script that reads it.
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        print(f"{path}: not valid JSON: {e}")
        return 1
    if not isinstance(doc, dict) or next(iter(doc), None) != first:
        print(f"{path}: the first member is {next(iter(doc), None)!r}, not {first!r}"
              if isinstance(doc, dict) else f"{path}: not an object")
        return 1
    found = set(strings(doc))
    for raw in raws:
        want = open(raw, "rb").read().decode("utf-8", "memsift-bytes")
        if want not in found:
            near = [s for s in found if want[-4:] in s]
            print(f"{path}: no string {want!r} (of {raw}); near: {near[:3]!r}")
            return 1
    return 0


sys.exit(main())
