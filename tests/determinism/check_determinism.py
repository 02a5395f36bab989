#!/usr/bin/python3
"""qcc's outputs depend on the .q and its flags only.

  check_determinism.py --qcc build/qcc --work DIR NET.q...

Every output qcc writes -- the C file and header of every target (also
with -O0 and --contract=pytorch), the separate weights file, --stats-json,
--dot, and the stdout of --dump-ir, --dump-after=all, --stats and
--stats=json -- must be byte-identical across these runs of the same
command line:

  abs      the .q by absolute path, from an empty directory
  again    the same command once more (a second run)
  in-dir   from the .q's directory, the .q by its bare name
  root     from the source tree's root, a relative path, relative -o
  up       from a directory deep under DIR, a ../../.. path to the .q, and
           the outputs a further two directories down
  locale   as abs, with LC_ALL/LANG=de_DE.UTF-8 (whose decimal point is a
           comma), TZ elsewhere and a different umask

Outputs also go to a different directory in each run, so a path in the
output would show as a difference; and no output may contain the absolute
directory of the .q, the source tree or DIR.  The German locale is compiled
into DIR with localedef when the system has none; the check that it took
effect (decimal_point is ',') is part of the test.

Exits 1 on any difference.
"""
import argparse
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TARGETS = ["c", "avx2", "avx512vnni", "neon"]
LOCALE = "de_DE.UTF-8"


def run(cmd, cwd, env=None):
    r = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True)
    if r.returncode != 0:
        sys.stderr.write("FAILED (status %d) in %s: %s\n%s" % (r.returncode, cwd, " ".join(cmd),
                                                             r.stderr.decode(errors="replace")))
        sys.exit(1)
    return r.stdout


def german_env(work):
    """An environment whose LC_ALL is a German locale that really loads."""
    env = dict(os.environ, LC_ALL=LOCALE, LANG=LOCALE, LC_NUMERIC=LOCALE, TZ="Pacific/Kiritimati")
    probe = subprocess.run(["locale", "-k", "decimal_point"], env=env, capture_output=True, text=True)
    if 'decimal_point=","' not in probe.stdout:
        locpath = os.path.join(work, "locale")
        os.makedirs(locpath, exist_ok=True)
        if not os.path.isdir(os.path.join(locpath, LOCALE)):
            r = subprocess.run(["localedef", "-i", "de_DE", "-f", "UTF-8", os.path.join(locpath, LOCALE)],
                               capture_output=True, text=True)
            if r.returncode not in (0, 1):  # 1: warnings only, the locale is written
                sys.stderr.write("localedef failed:\n%s%s" % (r.stdout, r.stderr))
                sys.exit(1)
        env["LOCPATH"] = locpath
        probe = subprocess.run(["locale", "-k", "decimal_point"], env=env, capture_output=True, text=True)
    if 'decimal_point=","' not in probe.stdout:
        sys.stderr.write("cannot load the %s locale (locale -k decimal_point: %r %r)\n"
                         % (LOCALE, probe.stdout, probe.stderr))
        sys.exit(1)
    return env


def outputs(qcc, q_arg, cwd, out_dir, env=None):
    """Runs every qcc mode once; returns {artefact name: bytes}.  out_dir is
    as qcc is given it (relative to cwd or absolute)."""
    got = {}
    od = os.path.join(cwd, out_dir)
    os.makedirs(od, exist_ok=True)
    for t in TARGETS:
        run([qcc, q_arg, "-o", os.path.join(out_dir, "%s.c" % t), "--target=" + t], cwd, env)
        for ext in (".c", ".h"):
            got[t + ext] = open(os.path.join(od, t + ext), "rb").read()
    o = os.path.join(out_dir, "sep.c")
    run([qcc, q_arg, "-o", o, "--weights=separate", "--static-arena", "--trace-layers",
         "--stats-json=" + os.path.join(out_dir, "sep.json"), "--dot", os.path.join(out_dir, "sep.dot")], cwd, env)
    for f in ("sep.c", "sep.h", "sep_weights.c", "sep.json", "sep.dot"):
        got[f] = open(os.path.join(od, f), "rb").read()
    run([qcc, q_arg, "-o", os.path.join(out_dir, "o0.c"), "-O0", "--dot",
         os.path.join(out_dir, "parse.dot"), "--dot-after=parse"], cwd, env)
    run([qcc, q_arg, "-o", os.path.join(out_dir, "pt.c"), "--contract=pytorch", "--target=avx2"], cwd, env)
    for f in ("o0.c", "parse.dot", "pt.c", "pt.h"):
        got[f] = open(os.path.join(od, f), "rb").read()
    for flags in (["--dump-ir"], ["--dump-after=all", "-O0"], ["--stats"], ["--stats=json"]):
        got["stdout of " + " ".join(flags)] = run([qcc, q_arg] + flags, cwd, env)
    return got


def check_net(qcc, q, work, german):
    q = os.path.abspath(q)
    qdir, qname = os.path.split(q)
    name = os.path.splitext(qname)[0]
    base = os.path.join(work, name)
    shutil.rmtree(base, ignore_errors=True)
    empty = os.path.join(base, "empty")
    deep = os.path.join(base, "deep", "er", "still")
    for d in (empty, deep):
        os.makedirs(d)
    runs = {
        "abs": outputs(qcc, q, empty, os.path.join(base, "out_abs")),
        "again": outputs(qcc, q, empty, os.path.join(base, "out_again")),
        "in-dir": outputs(qcc, qname, qdir, os.path.join(base, "out_in_dir")),
        "root": outputs(qcc, os.path.relpath(q, ROOT), ROOT, os.path.relpath(os.path.join(base, "out_root"), ROOT)),
        "up": outputs(qcc, os.path.relpath(q, deep), deep, os.path.join("x", "y")),
    }
    old = os.umask(0o077)
    try:
        runs["locale"] = outputs(qcc, q, empty, os.path.join(base, "out_locale"), german)
    finally:
        os.umask(old)
    ref = runs["abs"]
    bad = 0
    for what, got in runs.items():
        for art, data in got.items():
            if data != ref[art]:
                a, b = ref[art].splitlines(), data.splitlines()
                k = next((i for i in range(min(len(a), len(b))) if a[i] != b[i]), min(len(a), len(b)))
                print("DIFFERENT %s: %s (run '%s' vs 'abs'), first at line %d:\n  abs: %r\n  %s: %r"
                      % (qname, art, what, k + 1, a[k] if k < len(a) else b"<end>", what,
                         b[k] if k < len(b) else b"<end>"))
                bad += 1
    leaks = [p.encode() for p in {qdir, ROOT, os.path.abspath(work), os.getcwd()}]
    for art, data in ref.items():
        if not data:
            print("EMPTY %s: %s" % (qname, art))
            bad += 1
        for p in leaks:
            if p in data:
                print("ABSOLUTE PATH %s: %s contains %s" % (qname, art, p.decode()))
                bad += 1
    if not bad:
        print("%s: %d outputs x %d runs (%s) byte-identical, no absolute path"
              % (qname, len(ref), len(runs), ", ".join(runs)))
    return bad


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--qcc", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("nets", nargs="+")
    args = ap.parse_args()
    qcc = os.path.abspath(args.qcc)
    work = os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)
    german = german_env(work)
    bad = sum(check_net(qcc, q, work, german) for q in args.nets)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
