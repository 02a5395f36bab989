#!/bin/sh
# run_golden.sh QCC CASE.q
# Compares qcc's IR dump for CASE.q (or the file its '# golden-of:' line
# names) with CASE.ir.  The dump options come
# from a "# qcc-flags: ..." line in CASE.q (default --dump-ir).
# To accept a deliberate format change: QCC_UPDATE_GOLDEN=1 ctest -L ir,
# then review the diff of the .ir files like any other change.
set -u
qcc=$1
dir=$(dirname "$2")
name=$(basename "$2" .q)
cd "$dir" || exit 2
flags=$(sed -n 's/^# qcc-flags: //p' "$name.q" | head -1)
# "# golden-of: PATH" dumps another .q (a sample) instead of this file
input=$(sed -n 's/^# golden-of: //p' "$name.q" | head -1)
[ -n "$input" ] || input=$name.q
[ -n "$flags" ] || flags=--dump-ir
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
# shellcheck disable=SC2086
if ! "$qcc" "$input" $flags > "$tmp"; then
	echo "qcc failed on $name.q"; exit 1
fi
if [ "${QCC_UPDATE_GOLDEN:-0}" = 1 ]; then
	cp "$tmp" "$name.ir"; exit 0
fi
diff -u "$name.ir" "$tmp"
