#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A strict reader of the Prometheus text exposition format (0.0.4).

Reads FILE, fails with "FILE:LINE: what" on anything the format does not
allow, and prints the samples as JSON lines: {"name", "labels", "value"}.
Stricter than Prometheus itself where that catches writer bugs: every family
has exactly one HELP and one TYPE line before its samples, a family's
samples are contiguous, and no series appears twice.
"""
import json
import math
import re
import sys

NAME = re.compile(r'[a-zA-Z_:][a-zA-Z0-9_:]*')
LABEL = re.compile(r'[a-zA-Z_][a-zA-Z0-9_]*')
TYPES = {'counter', 'gauge', 'histogram', 'summary', 'untyped'}


class Bad(Exception):
    pass


def value(text):
    if text in ('NaN', '+Inf', '-Inf'):
        return {'NaN': math.nan, '+Inf': math.inf, '-Inf': -math.inf}[text]
    if not re.fullmatch(r'-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?', text):
        raise Bad('bad value "%s"' % text)
    return float(text)


def labels(s, i):
    """Parse {a="b",...} from s[i] == '{'; return (dict, index after '}')."""
    out = {}
    i += 1
    while True:
        if s[i] == '}':
            return out, i + 1
        m = LABEL.match(s, i)
        if not m:
            raise Bad('bad label name at column %d' % (i + 1))
        name = m.group(0)
        if name.startswith('__'):
            raise Bad('reserved label name "%s"' % name)
        if name in out:
            raise Bad('label "%s" twice' % name)
        i = m.end()
        if s[i:i + 2] != '="':
            raise Bad('expected =" after label "%s"' % name)
        i += 2
        v = []
        while True:
            c = s[i]
            if c == '"':
                i += 1
                break
            if c == '\\':
                e = s[i + 1]
                if e not in '\\"n':
                    raise Bad('bad escape \\%s in label "%s"' % (e, name))
                v.append({'\\': '\\', '"': '"', 'n': '\n'}[e])
                i += 2
                continue
            v.append(c)
            i += 1
        out[name] = ''.join(v)
        if s[i] == ',':
            i += 1
        elif s[i] != '}':
            raise Bad('expected , or } after label "%s"' % name)


def parse(text):
    if text and not text.endswith('\n'):
        raise Bad('no newline at the end')
    help_, type_, done, seen = {}, {}, set(), set()
    current = None
    samples = []
    for no, line in enumerate(text.split('\n')[:-1], 1):
        try:
            if line.startswith('#'):
                parts = line.split(' ', 3)
                if len(parts) >= 3 and parts[1] in ('HELP', 'TYPE'):
                    name = parts[2]
                    if not NAME.fullmatch(name):
                        raise Bad('bad metric name "%s"' % name)
                    if name in done or (current and name != current and name in type_):
                        raise Bad('%s: %s after its samples' % (name, parts[1]))
                    table = help_ if parts[1] == 'HELP' else type_
                    if name in table:
                        raise Bad('%s: second %s line' % (name, parts[1]))
                    rest = parts[3] if len(parts) > 3 else ''
                    if parts[1] == 'TYPE' and rest not in TYPES:
                        raise Bad('%s: unknown type "%s"' % (name, rest))
                    if parts[1] == 'HELP' and re.search(r'\\[^\\n]', rest.replace('\\\\', '')):
                        raise Bad('%s: bad escape in HELP' % name)
                    table[name] = rest
                    if current and current != name:
                        done.add(current)
                    current = name
                continue
            if not line.strip():
                raise Bad('blank line')
            m = NAME.match(line)
            if not m:
                raise Bad('bad metric name')
            name = m.group(0)
            i = m.end()
            lab = {}
            if i < len(line) and line[i] == '{':
                lab, i = labels(line, i)
            if line[i:i + 1] != ' ':
                raise Bad('expected a space before the value')
            fields = line[i + 1:].split(' ')
            if len(fields) not in (1, 2):
                raise Bad('expected a value and at most a timestamp')
            v = value(fields[0])
            if len(fields) == 2 and not re.fullmatch(r'-?\d+', fields[1]):
                raise Bad('bad timestamp')
            if name not in type_ or name not in help_:
                raise Bad('%s: sample before its HELP and TYPE' % name)
            if name in done or (current != name):
                raise Bad('%s: samples not together' % name)
            key = (name, tuple(sorted(lab.items())))
            if key in seen:
                raise Bad('%s%s: the same series twice' % (name, lab))
            seen.add(key)
            samples.append({'name': name, 'labels': lab, 'value': v})
        except (Bad, IndexError) as e:
            raise Bad('%d: %s' % (no, e if isinstance(e, Bad) else 'unexpected end of line'))
    return samples


def main():
    path = sys.argv[1]
    try:
        raw = open(path, 'rb').read()
        try:
            text = raw.decode('utf-8')
        except UnicodeDecodeError as e:
            raise Bad('0: not UTF-8 (%s)' % e)
        for s in parse(text):
            print(json.dumps(s))
    except Bad as e:
        print('%s:%s' % (path, e), file=sys.stderr)
        sys.exit(1)


if __name__ == '__main__':
    main()
