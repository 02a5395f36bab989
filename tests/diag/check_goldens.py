#!/usr/bin/python3
"""check_goldens.py -- the .err goldens agree with their .q sources.

Written apart from qcc's diag.c, from the format alone: for every
"FILE:L:C: KIND: ..." header of every tests/diag/*.err,
  - the next line is " %4d | " L and source line L (a tab as one space,
    a control byte or a byte that is not UTF-8 as '?'), or, for a line
    longer than 160 bytes, a window of it marked with "...";
  - the caret line puts '^' under column C (counted in characters), and
    its '~'s stay on the line.
So a golden cannot drift to a wrong line or column unnoticed; what the
message says is reviewed by hand.
"""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
HEAD = re.compile(r"^(?P<file>[^:]+\.q):(?P<line>\d+):(?P<col>\d+): (error|warning|note): ")


def shown(raw):
    """One line of source as diag.c promises to echo it."""
    out = []
    text = raw.decode("utf-8", "surrogateescape")
    for ch in text:
        o = ord(ch)
        if ch == "\t":
            out.append(" ")
        elif 0xDC80 <= o <= 0xDCFF or o < 0x20 or o == 0x7F:
            out.append("?")
        else:
            out.append(ch)
    return "".join(out)


def check(name):
    src = open(os.path.join(HERE, name + ".q"), "rb").read()
    lines = src.split(b"\n")
    if lines and lines[-1] == b"" and len(lines) > 1:
        lines.pop()
    err = open(os.path.join(HERE, name + ".err"), "rb").read().decode("utf-8").split("\n")
    problems = []
    for i, h in enumerate(err):
        m = HEAD.match(h)
        if not m:
            continue
        where = "%s.err:%d" % (name, i + 1)
        if m.group("file") != name + ".q":
            problems.append("%s: names %s" % (where, m.group("file")))
        ln, col = int(m.group("line")), int(m.group("col"))
        echo, caret = err[i + 1], err[i + 2]
        want_prefix = " %4d | " % ln
        if not echo.startswith(want_prefix):
            problems.append("%s: echo line %r does not start with %r" % (where, echo[:20], want_prefix))
            continue
        text = shown(lines[ln - 1].rstrip(b"\r")) if ln <= len(lines) else ""
        body = echo[len(want_prefix):]
        offset = 0                                  # characters of the line left out on the left
        if body.startswith("...") and not text.startswith("..."):
            core = body[3:]
            core = core[:-3] if core.endswith("...") else core
            offset = text.find(core)
            if offset <= 0 or len(text) <= 160:
                problems.append("%s: windowed echo is not a piece of line %d" % (where, ln))
                continue
            offset -= 3
        elif body.endswith("...") and text != body:
            if not text.startswith(body[:-3]) or len(text) <= 160:
                problems.append("%s: windowed echo is not the start of line %d" % (where, ln))
                continue
        elif body != text:
            problems.append("%s: echo %r is not source line %d %r" % (where, body[:60], ln, text[:60]))
            continue
        if not caret.startswith("      | "):
            problems.append("%s: no caret line" % where)
            continue
        mark = caret[len("      | "):]
        pos = len(mark) - len(mark.lstrip(" "))
        if mark.lstrip(" ")[:1] != "^" or pos + 1 + offset != col:
            problems.append("%s: caret at column %d, header says %d" % (where, pos + 1 + offset, col))
        if len(mark.rstrip("~")) != pos + 1 or len(mark) > len(body) + 1:
            problems.append("%s: caret line %r runs past the echoed line" % (where, mark[-20:]))
    return problems


def main():
    names = sorted(f[:-4] for f in os.listdir(HERE) if f.endswith(".err"))
    problems = [p for n in names for p in check(n)]
    for p in problems:
        print(p)
    print("%d goldens, %d problems" % (len(names), len(problems)))
    return 1 if problems or not names else 0


if __name__ == "__main__":
    sys.exit(main())
