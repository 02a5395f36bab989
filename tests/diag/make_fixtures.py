#!/usr/bin/python3
"""Writes the small .npy files the diagnostic goldens load (tests/diag/npy/).

Run from anywhere: python3 tests/diag/make_fixtures.py.  The outputs are
committed; rerunning must reproduce them byte for byte (no randomness), so
the goldens never change because a fixture did.
"""
import os

import numpy as np

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "npy")


def save(name, array):
    np.save(os.path.join(HERE, name), array, allow_pickle=False)


def raw(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


def npy_header(text):
    """The version 1.0 preamble and text, padded to 64 bytes as numpy does."""
    text += " " * (63 - (10 + len(text)) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text.encode()


def main():
    os.makedirs(HERE, exist_ok=True)
    w = np.arange(4 * 1 * 3 * 3, dtype="<f4").reshape(4, 1, 3, 3) / 16
    save("w.npy", w)                                     # a good float weight [4,1,3,3]
    save("w_i8.npy", np.arange(-8, 8, dtype="|i1").reshape(4, 1, 2, 2))
    save("scales4.npy", np.array([0.01, 0.02, 0.03, 0.04], dtype="<f8"))
    save("bias_i64.npy", np.arange(4, dtype="<i8"))      # numpy's default int: unsupported
    # deep.npy: 1 x 70000 weights of 127: a linear whose int32 accumulator
    # can overflow on u8 input (70000 * 255 * 127 > 2^31)
    # a per-channel scale list holding NaN and inf (not writable as a literal)
    save("scales_nan.npy", np.array([0.1, np.nan, 0.1, np.inf], dtype="<f4"))
    save("deep.npy", np.full((1, 70000), 127, dtype="|i1"))
    save("w_f16.npy", w.astype("<f2"))                   # half precision: unsupported
    save("w_be.npy", w.astype(">f4"))                    # big-endian
    save("w_fortran.npy", np.asfortranarray(w.reshape(4, 9)))
    save("w_rank5.npy", np.zeros((1, 1, 1, 1, 2), dtype="<f4"))

    # The header of w.npy with the data cut short by 10 bytes.
    with open(os.path.join(HERE, "w.npy"), "rb") as f:
        good = f.read()
    raw("w_truncated.npy", good[:-10])
    # Not a .npy at all: a text file someone renamed.
    raw("w_text.npy", b"1.0, 2.0, 3.0\n")
    # A header whose shape claims 2^62 elements in a tiny file.
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4), }"
    header += " " * (63 - len(header) % 64) + "\n"
    raw("w_absurd.npy", b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode() + b"\0" * 16)
    # A header claiming 2^31 elements (past qcc's per-constant limit).
    raw("w_2g.npy", npy_header("{'descr': '|i1', 'fortran_order': False, 'shape': (2147483648,), }") + b"\0" * 16)
    # Malformed headers: not a dict; format version 4; a structured dtype.
    raw("w_bad_header.npy", npy_header("descr = '<f4', shape = (4, 1, 3, 3)") + good[128:])
    raw("w_v4.npy", b"\x93NUMPY\x04\x00" + good[8:])
    save("w_structured.npy", np.zeros(4, dtype=[("a", "<f4"), ("b", "<i4")]))
    save("w_empty.npy", np.zeros((4, 1, 0, 3), dtype="<f4"))
    raw("w_extra.npy", good + b"\0" * 8)                 # 8 bytes past the data
    # A header length (65535) running past the end of a 64-byte file.
    raw("w_huge_header.npy", b"\x93NUMPY\x01\x00\xff\xff" + b" " * 54)
    w_nan = w.copy()
    w_nan[2, 0, 1, 1] = np.nan
    save("w_nan.npy", w_nan)
    save("w_f8_big.npy", np.full((4, 1, 3, 3), 1e300, dtype="<f8"))
    save("b3.npy", np.array([1.0, 2.0, 3.0], dtype="<f4"))


if __name__ == "__main__":
    main()
