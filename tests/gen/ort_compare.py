#!/usr/bin/python3
"""ort_compare.py: ONNX Runtime versus evaluate.py on the generated corpus and the real models.

Called by ort_check (which installs onnxruntime-node first). For every generated case under
each CORPUS_DIR and every real model under MODELS_DIR, runs the inputs one sample at a time through
ONNX Runtime (ort_run.js) and compares with evaluate.py bit for bit; for generated cases it also
checks that outputs.npy is what evaluate.py gives. Prints one line per model and a final line
'N passed, M failed'; exits 1 on any failure.

    /usr/bin/python3 tests/gen/ort_compare.py --corpus DIR [--corpus DIR2 ...] [--models SHARED_MODELS_DIR]
"""

import argparse
import glob
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import evaluate  # noqa: E402


def collect(corpus, models):
    """(label, model path, inputs, reference outputs from the files or None)."""
    jobs = []
    for c in corpus or []:
        prefix = os.path.basename(os.path.normpath(c))
        for d in sorted(glob.glob(os.path.join(c, "*", "model.onnx"))):
            case = os.path.dirname(d)
            jobs.append((prefix + "/" + os.path.basename(case), d, np.load(os.path.join(case, "inputs.npy")),
                         np.load(os.path.join(case, "outputs.npy"))))
    if models:
        for m in sorted(glob.glob(os.path.join(models, "**", "*.onnx"), recursive=True)):
            data = os.path.join(os.path.dirname(m), "testdata")
            if os.path.exists(os.path.join(data, "inputs.npy")):
                jobs.append(("real/" + os.path.relpath(m, models), m, np.load(os.path.join(data, "inputs.npy")),
                             np.load(os.path.join(data, "outputs_this_onnx.npy"))))
    return jobs


def model_input_shape(model):
    inits = {t.name for t in model.graph.initializer}
    vi = [i for i in model.graph.input if i.name not in inits][0]
    return [d.dim_value for d in vi.type.tensor_type.shape.dim]


def same_bits(a, b):
    return a.dtype == b.dtype == np.float32 and a.shape == b.shape and \
        np.array_equal(a.view(np.uint32), b.view(np.uint32))


def main(argv=None):
    p = argparse.ArgumentParser(description="Cross-checks evaluate.py against ONNX Runtime.")
    p.add_argument("--corpus", action="append",
                   help="a generated corpus directory (quantlib_cases.py or op_coverage.py --out); repeatable")
    p.add_argument("--models", help="shared/models/quantlib")
    p.add_argument("--node", default="node")
    args = p.parse_args(argv)
    jobs = collect(args.corpus, args.models)
    if not jobs:
        print("nothing to check", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory(prefix="ort_check_") as tmp:
        argv_node, prepared = [], []
        for i, (label, path, x, ref) in enumerate(jobs):
            model = onnx.load(path)
            shape = model_input_shape(model)
            want = evaluate.evaluate_samples(model, x)
            n = x.shape[0] if list(x.shape) != shape else 1
            fin, fout = os.path.join(tmp, "%d.in" % i), os.path.join(tmp, "%d.out" % i)
            np.ascontiguousarray(x, dtype="<f4").tofile(fin)
            argv_node += [path, fin, ",".join(map(str, shape)), fout]
            prepared.append((label, want, ref, n, fout))
        rc = subprocess.call([args.node, os.path.join(HERE, "ort_run.js")] + argv_node)
        if rc not in (0, 1):
            print("ort_run.js failed with exit code %d" % rc, file=sys.stderr)

        passed = failed = 0
        for label, want, ref, n, fout in prepared:
            problems = []
            if not os.path.exists(fout):
                problems.append("no output from ONNX Runtime")
            else:
                got = np.fromfile(fout, dtype="<f4")
                if got.size != want.size:
                    problems.append("ONNX Runtime gave %d values, evaluate.py %d" % (got.size, want.size))
                else:
                    got = got.reshape(want.shape)
                    if not same_bits(got, want):
                        rows = (got != want).reshape(n, -1).any(axis=1)
                        problems.append("ONNX Runtime and evaluate.py differ on %d/%d samples (max |diff| %g)"
                                        % (rows.sum(), n, np.abs(got.astype(np.float64) - want).max()))
            if not same_bits(want, ref.astype(np.float32, copy=False).reshape(want.shape)):
                problems.append("evaluate.py differs from the stored outputs")
            if problems:
                failed += 1
                print("FAIL %s: %s" % (label, "; ".join(problems)))
            else:
                passed += 1
                print("ok   %s (%d samples)" % (label, n))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
