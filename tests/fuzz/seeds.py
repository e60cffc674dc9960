#!/usr/bin/python3
"""seeds.py: writes the seed corpora of the fuzz targets (tests/fuzz/fuzz_*.cpp).

    /usr/bin/python3 tests/fuzz/seeds.py --out DIR [--models ../shared/models/quantlib]

DIR/compile   the real models (every *.onnx under --models and models/), small generated
              Quantlib-style cases (tests/gen/quantlib_cases.py: one of each kind of layer), and
              the bad-input corpus (tests/gen/bad_inputs.py, bad and good)
DIR/npy       the real sample files of one model folder each, hand-made edge cases of the format
              (version 2 and 3, float64, Fortran order, a scalar, an empty array)
DIR/platform  platforms/*.json, and DIR/platform.dict: their keys and string values as a
              libFuzzer dictionary (tests/fuzz/npy.dict is the npy target's, written by hand)
plus the committed regression corpus (tests/fuzz/corpus/<target>) copied into each. Generated
seeds stay out of git (they are large and derived); the script is deterministic, so the fuzz runs
that start from it are too.
"""

import argparse
import glob
import json
import os
import shutil
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "gen"))

# Small generated cases, one per kind of layer and configuration the compiler handles: mutating a
# model of a few kB reaches the passes far more often per second than mutating a 1 MB real one.
GEN_CASES = ["conv_relu_s1_k3x3", "dw_relu_s2_k3x3", "dense_relu", "residual_relu",
             "head_gap_5x5", "flatten_dense", "analog_conv_relu", "analog_residual", "random_net_0",
             "dscnn_first_conv", "conv_group_4", "fanout_skip"]


def npy_bytes(descr, shape, payload, fortran=False, major=1):
    dims = "".join("%d, " % d for d in shape).rstrip(" ") if len(shape) != 1 else "%d," % shape[0]
    header = "{'descr': '%s', 'fortran_order': %s, 'shape': (%s), }" % (
        descr, "True" if fortran else "False", dims)
    len_bytes = 2 if major == 1 else 4
    while (8 + len_bytes + len(header) + 1) % 64:
        header += " "
    header += "\n"
    size = struct.pack("<H" if major == 1 else "<I", len(header))
    return b"\x93NUMPY" + bytes([major, 0]) + size + header.encode() + payload


def npy_seeds():
    f4 = lambda *v: struct.pack("<%df" % len(v), *v)
    f8 = lambda *v: struct.pack("<%dd" % len(v), *v)
    return {
        "f4_2x3.npy": npy_bytes("<f4", (2, 3), f4(1, 2, 3, 4, 5, -6.5)),
        "f4_v2.npy": npy_bytes("<f4", (3,), f4(1, 2, 3), major=2),
        "f4_v3.npy": npy_bytes("<f4", (1, 2), f4(7, 8), major=3),
        "f8_2x2.npy": npy_bytes("<f8", (2, 2), f8(0.5, -1, 2, 1e30)),
        "f4_fortran.npy": npy_bytes("<f4", (2, 3), f4(1, 4, 2, 5, 3, 6), fortran=True),
        "scalar.npy": npy_bytes("<f4", (), f4(3)),
        "empty.npy": npy_bytes("<f4", (0, 4), b""),
    }


def json_words(j):
    """Every key and string value of a JSON document."""
    if isinstance(j, dict):
        return set(j) | set().union(*(json_words(v) for v in j.values()))
    if isinstance(j, list):
        return set().union(*(json_words(v) for v in j)) if j else set()
    return {j} if isinstance(j, str) and len(j) < 40 else set()


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", required=True)
    p.add_argument("--models", default=os.path.join(ROOT, "..", "shared", "models", "quantlib"))
    args = p.parse_args(argv)
    out = {t: os.path.join(args.out, t) for t in ("compile", "npy", "platform")}
    for d in out.values():
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
    counts = {t: 0 for t in out}

    def add(target, name, data):
        write(os.path.join(out[target], name), data)
        counts[target] += 1

    models = sorted(glob.glob(os.path.join(args.models, "**", "*.onnx"), recursive=True))
    models += sorted(glob.glob(os.path.join(ROOT, "models", "**", "*.onnx"), recursive=True))
    if not models:
        sys.exit("seeds.py: no models under %s" % args.models)
    for m in models:
        rel = os.path.relpath(m, os.path.dirname(os.path.dirname(m)))
        with open(m, "rb") as f:
            add("compile", "real_" + rel.replace(os.sep, "_"), f.read())
    import quantlib_cases
    for case in GEN_CASES:
        g, _ = quantlib_cases.build(case)
        add("compile", "gen_%s.onnx" % case, g.model().SerializeToString())
    import bad_inputs
    bad, good = bad_inputs.build_all()
    for kind, files in (("bad", bad), ("good", good)):
        for name, data in sorted(files.items()):
            add("compile", "%s_%s.onnx" % (kind, name), data)

    for d in sorted({os.path.dirname(m) for m in glob.glob(os.path.join(args.models, "**", "input.npy"),
                                                           recursive=True)}):
        tag = os.path.relpath(d, args.models).replace(os.sep, "_")
        for name in ("input.npy", "output.npy", os.path.join("testdata", "input_0.npy")):
            if os.path.exists(os.path.join(d, name)):
                with open(os.path.join(d, name), "rb") as f:
                    add("npy", "real_%s_%s" % (tag, os.path.basename(name)), f.read())
    for name, data in npy_seeds().items():
        add("npy", name, data)

    words = set()
    for plat in sorted(glob.glob(os.path.join(ROOT, "platforms", "*.json"))):
        with open(plat, "rb") as f:
            data = f.read()
        add("platform", os.path.basename(plat), data)
        words |= json_words(json.loads(data))
    with open(os.path.join(args.out, "platform.dict"), "w") as f:
        for w in sorted(words):
            f.write("%s\n" % json.dumps(json.dumps(w)))

    for target in out:
        corpus = os.path.join(HERE, "corpus", target)
        for name in sorted(os.listdir(corpus)) if os.path.isdir(corpus) else []:
            with open(os.path.join(corpus, name), "rb") as f:
                add(target, "corpus_" + name, f.read())
    print("seeds: " + ", ".join("%s %d" % (t, counts[t]) for t in out) + " in " + args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
