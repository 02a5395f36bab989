#!/bin/sh
# run_diag.sh QCC CASE.q
# Runs qcc on a bad input from inside tests/diag and checks:
#   - stderr equals CASE.err exactly (caret lines included);
#   - the exit status is CASE.status's number (default 1);
#   - an existing -o target is left byte-identical and no header or
#     temporary file is left behind.
set -u
qcc=$1
dir=$(dirname "$2")
name=$(basename "$2" .q)
cd "$dir" || exit 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
want_status=1
[ -f "$name.status" ] && want_status=$(cat "$name.status")
printf 'precious: must survive a failed compile\n' > "$tmp/out.c"
cp "$tmp/out.c" "$tmp/out.c.orig"
"$qcc" "$name.q" -o "$tmp/out.c" > "$tmp/stdout" 2> "$tmp/stderr"
status=$?
fail=0
if [ "$status" != "$want_status" ]; then
	echo "exit status $status, want $want_status"; fail=1
fi
if ! diff -u "$name.err" "$tmp/stderr"; then
	echo "stderr differs from $name.err (above: - expected, + actual)"; fail=1
fi
if ! cmp -s "$tmp/out.c" "$tmp/out.c.orig"; then
	echo "the existing output file was modified"; fail=1
fi
left=$(ls "$tmp" | grep -v -x -e out.c -e out.c.orig -e stdout -e stderr)
if [ -n "$left" ]; then
	echo "files left behind: $left"; fail=1
fi
exit $fail
