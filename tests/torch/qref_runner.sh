#!/bin/sh
# Model runner backed by the numpy reference, for developing/validating
# tests/torch/compare_torch.py before (or independently of) qcc:
#   tests/torch/qref_runner.sh NET.q --in in.bin --out out.bin
# e.g.  compare_torch.py --sample lenet \
#           --runner "tests/torch/qref_runner.sh samples/lenet/lenet.q"
here=$(dirname "$0")
exec /usr/bin/python3 "$here/../../tools/qref.py" "$@"
