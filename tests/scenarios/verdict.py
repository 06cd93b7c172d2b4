#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Check leakhunt's analysis.json (objects, clusters, verdict) against a
scenario's truth: the counters the program itself reported before and after
each test-hook line, as tests/scenarios/lib.sh logs them (LINE TAB BEFORE TAB
AFTER, each report "key=value ...").  The truth of a "delta" is what the
program did at the hook line "dump 1", between leakhunt's two dumps.

Every check prints one line, "ok: ..." or "FAIL: what: expected ...; got ...",
and the exit status is 1 if any failed, so a log shows every miss at once.

  --clause 'label=conf;name=on_reload;truth=conf;size=80|1040;line=svc.c:97-100'
      a verdict clause named (by prefix) NAME, or whose cluster is referred
      to by a cluster named NAME; also content=, shape= (a prefix), kind=
      (the name's name_kind) and minsize=
  --ratio conf/task      the two clauses' deltas, as the truths' ratio, within 15%
  --cluster 'label=C;bytes=C;total=conf;size=1040;referrer=CONFREC@16'
      the biggest cluster of one repeated character (or magic=, name=,
      content=), the same numbers as a clause, and the cluster referring to it
      (by magic or name) at that offset
"""
import argparse
import json
import re
import os
import sys

COUNT_TOL = 0.10
RATIO_TOL = 0.15

failures = 0


def ok(msg):
    print("ok: " + msg)


def fail(what, expected, got):
    global failures
    failures += 1
    print("FAIL: %s: expected %s; got %s" % (what, expected, got))


def load_hooks(path):
    hooks = []
    with open(path) as f:
        for raw in f:
            parts = raw.rstrip("\n").split("\t")
            if len(parts) != 3:
                continue
            hooks.append((parts[0], kv(parts[1]), kv(parts[2])))
    return hooks


def kv(s):
    out = {}
    for word in s.split():
        if "=" in word:
            k, v = word.split("=", 1)
            try:
                out[k] = int(v)
            except ValueError:
                out[k] = v
    return out


def truth(hooks, key):
    """What the program did to KEY at "dump 1", or (None, why)."""
    for line, before, after in hooks:
        if line == "dump 1":
            if key not in before or key not in after:
                return None, "no %s= in the program's report at \"dump 1\"" % key
            return after[key] - before[key], None
    seen = ", ".join(h[0] for h in hooks) or "none"
    return None, ("no hook line \"dump 1\" (leakhunt's second dump of what grew); "
                  "hook lines seen: %s" % seen)


def total(hooks, key):
    """What the program holds of KEY once "dump 1" is done, or (None, why)."""
    for line, _, after in hooks:
        if line == "dump 1":
            if key not in after:
                return None, "no %s= in the program's report after \"dump 1\"" % key
            return after[key], None
    return truth(hooks, key)


def within(got, want, tol):
    if isinstance(got, bool) or not isinstance(got, (int, float)) or not want:
        return False
    return abs(got - want) <= tol * abs(want)


def addr(x):
    """An address as analysis.json writes it ("0x..."), or None."""
    if isinstance(x, int):
        return x
    try:
        return int(str(x), 16)
    except ValueError:
        return None


def get(d, key):
    return d.get(key) if isinstance(d, dict) else None


def cluster_of(a, clause):
    cl = a.get("clusters")
    i = get(clause, "cluster")
    if isinstance(cl, list) and isinstance(i, int) and 0 <= i < len(cl):
        return cl[i]
    return None


def referrer_of(a, cluster):
    ref = get(cluster, "referrer")
    cl = a.get("clusters")
    i = get(ref, "cluster")
    if isinstance(cl, list) and isinstance(i, int) and 0 <= i < len(cl):
        return cl[i]
    return None


def describe(a, clause):
    c = cluster_of(a, clause) or {}
    bits = ["count=%s" % clause.get("count"), "delta=%s" % clause.get("delta"),
            "size=%s" % clause.get("size"), "content=%s" % clause.get("content"),
            "name=%s" % clause.get("name"), "share=%s" % clause.get("share"),
            "ratio=%s" % clause.get("ratio")]
    for k in ("magic", "fill", "shape", "name_kind", "file", "line"):
        if c.get(k) not in (None, 0, ""):
            bits.append("%s=%s" % (k, c.get(k)))
    r = referrer_of(a, c)
    if r:
        bits.append("referrer=%s@%s" % (r.get("name") or r.get("magic") or "?",
                                         get(c.get("referrer"), "offset")))
    return "{" + " ".join(bits) + "}"


def verdict_clauses(a):
    v = a.get("verdict")
    if not isinstance(v, dict):
        return None, "no \"verdict\" in analysis.json (top-level keys: %s)" % ", ".join(sorted(a))
    cl = v.get("clauses")
    if not isinstance(cl, list):
        return None, "no verdict.clauses list (verdict keys: %s)" % ", ".join(sorted(v))
    return cl, None


def named(a, clause, prefix):
    """The cluster that carries the name: the clause's own, or its referrer."""
    c = cluster_of(a, clause)
    for who in (c, referrer_of(a, c)):
        if who and str(who.get("name") or "").startswith(prefix):
            return who
    if str(clause.get("name") or "").startswith(prefix):
        return c or {}
    return None


def parse_spec(spec):
    out = {}
    for part in spec.split(";"):
        if part:
            k, _, v = part.partition("=")
            out[k] = v
    return out


def find_clause(a, clauses, spec):
    for i, c in enumerate(clauses):
        if not isinstance(c, dict):
            continue
        if "name" in spec and named(a, c, spec["name"]) is None:
            continue
        if "content" in spec and c.get("content") != spec["content"]:
            continue
        shape = str(get(cluster_of(a, c), "shape") or "")
        if "shape" in spec and not shape.startswith(spec["shape"]):
            continue
        if "shape_has" in spec and spec["shape_has"] not in shape:
            continue
        return i, c
    return None, None


def spec_truth(hooks, spec, label):
    """The truth of spec's "truth" key (a delta), failing if it is missing."""
    if "truth" not in spec:
        return None
    want, why = truth(hooks, spec["truth"])
    if want is None:
        fail("%s: the truth" % label, "the program's %s count at \"dump 1\"" % spec["truth"], why)
    elif want <= 0:
        fail("%s: the truth" % label, "the driver to leak at \"dump 1\"", "%s %+d" % (spec["truth"], want))
        want = None
    return want


def check_numbers(hooks, spec, label, obj, want, fallback=None):
    """delta, count, size of a clause (falling back on its cluster) or a cluster."""
    def field(k):
        v = obj.get(k)
        return get(fallback, k) if v is None else v

    if want:
        delta = field("delta")
        if within(delta, want, COUNT_TOL):
            ok("%s: delta %s is within 10%% of %d (%s at \"dump 1\")" % (label, delta, want, spec["truth"]))
        else:
            fail("%s: delta" % label, "%d (%s added at \"dump 1\") within 10%%" % (want, spec["truth"]), delta)
    if "total" in spec:
        have, why = total(hooks, spec["total"])
        count = field("count")
        if have is None:
            fail("%s: count" % label, "the program's %s total after \"dump 1\"" % spec["total"], why)
        elif within(count, have, COUNT_TOL):
            ok("%s: count %s is within 10%% of %d (%s held after \"dump 1\")" % (label, count, have, spec["total"]))
        else:
            fail("%s: count" % label, "%d (%s held after \"dump 1\") within 10%%" % (have, spec["total"]), count)
    size = field("size")
    if "size" in spec:
        sizes = [int(x) for x in spec["size"].split("|")]
        if size in sizes:
            ok("%s: size %s" % (label, size))
        else:
            fail("%s: size" % label, " or ".join(map(str, sizes)), size)
    if "minsize" in spec:
        if isinstance(size, int) and size >= int(spec["minsize"]):
            ok("%s: size %d >= %s" % (label, size, spec["minsize"]))
        else:
            fail("%s: size" % label, "at least " + spec["minsize"], size)
    if field("content") == "zero":
        fail("%s: content" % label, "not zero-filled memory", "zero")


def check_clause(a, hooks, spec, found):
    label = spec.get("label") or spec.get("name") or spec.get("shape") or "clause"
    ident = ", ".join("%s %s" % (k, spec[k]) for k in ("name", "content", "shape", "shape_has") if k in spec)
    clauses, why = verdict_clauses(a)
    want = spec_truth(hooks, spec, label)
    if clauses is None:
        fail("%s clause" % label, "a verdict clause with " + ident, why)
        return
    i, c = find_clause(a, clauses, spec)
    if c is None:
        fail("%s clause" % label, "a verdict clause with " + ident,
             "%d clauses: %s" % (len(clauses), "; ".join(describe(a, x) for x in clauses) or "none"))
        return
    found[label] = (i, c, want)
    ok("%s: clause %d with %s: %s" % (label, i, ident, describe(a, c)))
    check_numbers(hooks, spec, label, c, want, cluster_of(a, c))
    if "kind" in spec:
        who = named(a, c, spec.get("name", "")) or {}
        if who.get("name_kind") == spec["kind"]:
            ok("%s: name_kind %s" % (label, spec["kind"]))
        else:
            fail("%s: name_kind" % label, spec["kind"], who.get("name_kind"))
    if "offset" in spec:
        who = named(a, c, spec.get("name", "")) or {}
        if str(who.get("name_offset")) == spec["offset"]:
            ok("%s: the name is the word at offset %s" % (label, spec["offset"]))
        else:
            fail("%s: name_offset" % label, spec["offset"] + " (where the program's struct has it)",
                 who.get("name_offset"))
    if "line" in spec:
        check_line(a, c, spec, label)


def cluster_matches(a, c, spec):
    if "bytes" in spec:
        # One repeated character: a fill, or text made of that character alone.
        ch = spec["bytes"]
        shape = str(c.get("shape") or "")
        fill = addr(c.get("fill"))
        if fill != ord(ch) and not (shape and set(shape) == {ch}):
            return False
    for k in ("magic", "content"):
        if k in spec and c.get(k) != spec[k]:
            return False
    if "name" in spec and not str(c.get("name") or "").startswith(spec["name"]):
        return False
    return True


def check_cluster(a, hooks, spec):
    """A cluster (not necessarily a clause) and who refers to it."""
    label = spec.get("label") or "cluster"
    ident = ", ".join("%s %s" % (k, spec[k]) for k in ("bytes", "magic", "name", "content") if k in spec)
    want = spec_truth(hooks, spec, label)
    cl = a.get("clusters")
    if not isinstance(cl, list):
        fail("%s cluster" % label, "a cluster with " + ident, "no \"clusters\" list in analysis.json")
        return
    hits = [(i, c) for i, c in enumerate(cl) if isinstance(c, dict) and cluster_matches(a, c, spec)]
    if not hits:
        fail("%s cluster" % label, "a cluster with " + ident, "none among %d clusters" % len(cl))
        return
    # The biggest such cluster: stray look-alikes are few.
    i, c = max(hits, key=lambda h: h[1].get("count") or 0)
    ok("%s: cluster %d with %s: %s" % (label, i, ident, describe(a, {"cluster": i, **c})))
    check_numbers(hooks, spec, label, c, want)
    if "referrer" in spec:
        who, _, off = spec["referrer"].partition("@")
        r = referrer_of(a, c)
        roff = get(c.get("referrer"), "offset")
        if r and who in (r.get("magic"), r.get("name")) and str(roff) == off:
            ok("%s: referred to by the %s cluster at offset %s" % (label, who, off))
        else:
            fail("%s: referrer" % label, "the %s cluster, at offset %s" % (who, off),
                 "%s at offset %s" % ((r or {}).get("magic") or (r or {}).get("name") if r else None, roff))


def check_line(a, c, spec, label):
    fname, _, rng = spec["line"].partition(":")
    lo, _, hi = rng.partition("-")
    lo, hi = int(lo), int(hi or lo)
    who = named(a, c, spec.get("name", "")) or cluster_of(a, c) or {}
    f, line = who.get("file"), who.get("line")
    if f and os.path.basename(str(f)) == fname and isinstance(line, int) and lo <= line <= hi:
        ok("%s: %s:%d, within %s's lines %d-%d" % (label, fname, line, spec.get("name"), lo, hi))
    else:
        fail("%s: source line" % label, "%s:%d-%d (%s's definition)" % (fname, lo, hi, spec.get("name")),
             "%s:%s" % (f, line))
    text = str(get(a.get("verdict"), "text") or "")
    named_lines = [n for n in range(lo, hi + 1) if "%s:%d" % (fname, n) in text]
    if named_lines:
        ok("%s: the verdict's text names %s:%d" % (label, fname, named_lines[0]))
    else:
        fail("%s: the verdict's text" % label, "%s:LINE with LINE in %d-%d" % (fname, lo, hi), repr(text))


def check_ratio(spec, found, hooks):
    a_label, _, b_label = spec.partition("/")
    if a_label not in found or b_label not in found:
        fail("ratio %s" % spec, "both clauses found", "missing " +
             " and ".join(x for x in (a_label, b_label) if x not in found))
        return
    ia, ca, wa = found[a_label]
    ib, cb, wb = found[b_label]
    if not wa or not wb:
        fail("ratio %s" % spec, "the truth of both", "none (see above)")
        return
    want = wa / wb
    da, db = ca.get("delta"), cb.get("delta")
    got = da / db if isinstance(da, (int, float)) and isinstance(db, (int, float)) and db else None
    if within(got, want, RATIO_TOL):
        ok("ratio %s: %.2f, within 15%% of %.2f" % (spec, got, want))
    else:
        fail("ratio %s" % spec, "%.2f (%d : %d at \"dump 1\") within 15%%" % (want, wa, wb),
             "%s (deltas %s : %s)" % (got if got is None else round(got, 2), da, db))
    # The verdict's own "ratio": the first clause's growth over this one's.
    if ia == 0 and ca.get("ratio") is not None:
        fail("verdict ratio of %s" % a_label, "null, as the first clause", ca.get("ratio"))
    if ia == 0:
        r = cb.get("ratio")
        if within(r, want, RATIO_TOL):
            ok("verdict ratio of %s: %s" % (b_label, r))
        else:
            fail("verdict ratio of %s" % b_label, "%.2f within 15%%" % want, r)


def check_objects(a, args):
    o = a.get("objects")
    if not isinstance(o, dict):
        fail("objects", "an \"objects\" section", "none (top-level keys: %s)" % ", ".join(sorted(a)))
        return
    if args.allocator:
        if o.get("allocator") == args.allocator:
            ok("objects.allocator %s (%s)" % (args.allocator, o.get("evidence")))
        else:
            fail("objects.allocator", args.allocator, "%s (evidence: %s)" % (o.get("allocator"), o.get("evidence")))
    ranges = o.get("ranges") if isinstance(o.get("ranges"), list) else []
    for want in args.finder:
        finder, _, where = want.partition("@")
        if where:
            x = int(where, 16)
            hit = [r for r in ranges if addr(r.get("start")) is not None and addr(r.get("end")) is not None
                   and addr(r.get("start")) <= x < addr(r.get("end"))]
            finders = [r.get("finder") for r in hit]
            if finder in finders:
                ok("objects: %s is in a %s range" % (where, finder))
            else:
                fail("objects: the range holding %s" % where, "finder " + finder,
                     finders or "no range holds it (%d ranges)" % len(ranges))
        elif any(r.get("finder") == finder for r in ranges):
            ok("objects: a %s range" % finder)
        else:
            fail("objects.ranges", "a %s range" % finder, sorted({r.get("finder") for r in ranges}))
    for bad in args.no_finder:
        hit = [r for r in ranges if str(r.get("finder") or "").startswith(bad)]
        if hit:
            fail("objects.ranges", "no %s finder" % bad,
                 ", ".join("%s-%s %s" % (r.get("start"), r.get("end"), r.get("finder")) for r in hit))
        else:
            ok("objects: no range walked by a %s finder (%d ranges)" % (bad, len(ranges)))


def check_verdict(a, args):
    v = a.get("verdict")
    clauses, why = verdict_clauses(a)
    if clauses is None:
        fail("verdict", "a verdict with clauses", why)
        return
    if v.get("status") == "leaking":
        ok("verdict.status leaking")
    else:
        fail("verdict.status", "leaking", v.get("status"))
    text = str(v.get("text") or "")
    if args.report:
        first = None
        with open(args.report) as f:
            for line in f:
                if line.startswith("**Likely leaking:** "):
                    first = line.rstrip("\n")
                    break
        # A sentence may end the line with a full stop that the JSON leaves out,
        # and leakhunt's trace (growtrace) may add the code that first touched
        # the pages, which is not the analysis's.
        traced = re.match(r"(.*?)(, |; the first one's pages )first touched by .+, "
                          r"\d+% of the growth of .+\.$", first or "")
        if traced:
            first = traced.group(1) + "."
        if first in ("**Likely leaking:** " + text, "**Likely leaking:** " + text + "."):
            ok("report.md's verdict line is verdict.text")
        else:
            fail("report.md's verdict line", repr("**Likely leaking:** " + text), repr(first))
    for i, c in enumerate(clauses):
        cl = cluster_of(a, c) or {}
        if c.get("content") == "zero" or cl.get("fill") in ("0x00", "0x0"):
            fail("clause %d" % i, "no zero-filled headline", describe(a, c))
        if args.min_share is not None and c.get("name"):
            s = c.get("share")
            if not isinstance(s, (int, float)) or s < args.min_share:
                fail("clause %d's name" % i, "a name only where most objects carry it (share %.2f or more)" % args.min_share,
                     "%s with share %s" % (c.get("name"), s))
    if args.printed:
        # The issue: the verdict is "printed at the end of leakhunt's run",
        # on its standard output or its error.
        said = ""
        for path in args.printed:
            with open(path) as f:
                said += f.read()
        if text and text in said:
            ok("leakhunt printed the verdict")
        elif not text:
            fail("leakhunt's output", "the verdict's text, printed at the end of the run",
                 "an empty verdict.text")
        else:
            fail("leakhunt's output", "the verdict's text, printed at the end of the run",
                 repr(said.strip().splitlines()[-1] if said.strip() else ""))
    for word in args.not_in_text:
        if word.lower() in text.lower():
            fail("the verdict's text", "no mention of " + word, repr(text))
        else:
            ok("the verdict's text does not mention %s" % word)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--analysis", required=True)
    p.add_argument("--hooks", required=True)
    p.add_argument("--report")
    p.add_argument("--printed", action="append", default=[],
                   help="leakhunt's output (stdout, stderr), which must hold the verdict")
    p.add_argument("--allocator")
    p.add_argument("--clause", action="append", default=[])
    p.add_argument("--ratio", action="append", default=[])
    p.add_argument("--cluster", action="append", default=[])
    p.add_argument("--finder", action="append", default=[], help="FINDER or FINDER@ADDR")
    p.add_argument("--no-finder", action="append", default=[], help="no range's finder starts so")
    p.add_argument("--heap-walked", action="store_true", help="\"heap\" is not null")
    p.add_argument("--min-share", type=float, help="named clauses need this share")
    p.add_argument("--not-in-text", action="append", default=[])
    args = p.parse_args()

    with open(args.analysis) as f:
        a = json.load(f)
    hooks = load_hooks(args.hooks)

    v = a.get("verdict") if isinstance(a.get("verdict"), dict) else {}
    print("verdict: %s: %s" % (v.get("status"), v.get("text")))
    clauses, _ = verdict_clauses(a)
    for i, c in enumerate(clauses or []):
        print("  clause %d: %s" % (i, describe(a, c)))
    o = a.get("objects") if isinstance(a.get("objects"), dict) else {}
    print("objects: allocator=%s evidence=%s count=%s ranges=%s" % (
        o.get("allocator"), o.get("evidence"), o.get("count"),
        ", ".join("%s-%s:%s:%s" % (r.get("start"), r.get("end"), r.get("finder"), r.get("objects"))
                  for r in o.get("ranges") or [])))

    check_verdict(a, args)
    found = {}
    for spec in args.clause:
        check_clause(a, hooks, parse_spec(spec), found)
    for spec in args.ratio:
        check_ratio(spec, found, hooks)
    for spec in args.cluster:
        check_cluster(a, hooks, parse_spec(spec))
    if args.allocator or args.finder or args.no_finder:
        check_objects(a, args)
    if args.heap_walked:
        if a.get("heap") is not None:
            ok("the heap was walked")
        else:
            fail("heap", "a heap walk", "null")
    print("%d check%s failed" % (failures, "" if failures == 1 else "s"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
