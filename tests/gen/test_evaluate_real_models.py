#!/usr/bin/python3
"""test_evaluate_real_models.py: evaluate.py must reproduce the real exported models exactly.

For every ONNX file under SHARED_MODELS_DIR (the quantlib folder of shared/models), runs
testdata/inputs.npy through evaluate.py and compares with testdata/outputs_this_onnx.npy bit for
bit. Prints one line per model and exits 1 on any mismatch (2 when no model is found).

    /usr/bin/python3 tests/gen/test_evaluate_real_models.py SHARED_MODELS_DIR
"""

import glob
import os
import sys
import time

import numpy as np
import onnx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import evaluate  # noqa: E402


def check_model(path):
    """Returns (ok, message) for one model file."""
    data = os.path.join(os.path.dirname(path), "testdata")
    x = np.load(os.path.join(data, "inputs.npy"))
    want = np.load(os.path.join(data, "outputs_this_onnx.npy"))
    got = evaluate.evaluate_samples(onnx.load(path), x)
    if got.dtype != np.float32 or got.shape != want.shape:
        return False, "got %s %s, want %s %s" % (got.dtype, got.shape, want.dtype, want.shape)
    # Compare bit patterns: exact equality, and -0.0 differs from 0.0.
    bad = np.flatnonzero((got.view(np.uint32) != want.view(np.uint32)).reshape(len(x), -1).any(axis=1))
    if len(bad):
        i = bad[0]
        d = np.abs(got[i].astype(np.float64) - want[i]).max()
        return False, "%d/%d samples differ; first: sample %d, max |diff| %g" % (len(bad), len(x), i, d)
    return True, "%d samples exact" % len(x)


def main(argv):
    if len(argv) != 2:
        print("usage: %s SHARED_MODELS_DIR" % argv[0], file=sys.stderr)
        return 2
    models = sorted(glob.glob(os.path.join(argv[1], "**", "*.onnx"), recursive=True))
    models = [m for m in models if os.path.exists(os.path.join(os.path.dirname(m), "testdata", "inputs.npy"))]
    if not models:
        print("no models with testdata/inputs.npy under %s" % argv[1], file=sys.stderr)
        return 2
    failed = 0
    for m in models:
        t0 = time.time()
        try:
            ok, msg = check_model(m)
        except evaluate.EvalError as e:
            ok, msg = False, "evaluator error: %s" % e
        failed += not ok
        print("%-4s %s: %s (%.1fs)" % ("ok" if ok else "FAIL", os.path.relpath(m, argv[1]), msg, time.time() - t0))
    print("%d passed, %d failed" % (len(models) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
