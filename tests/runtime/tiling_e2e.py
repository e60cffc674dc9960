#!/usr/bin/python3
"""tiling_e2e.py: tiled accelerator layers end to end, through generated C and the simulator.

Seeded random single-layer (and conv + residual-add) Quantlib-style models, built with the
generators of tests/gen (qlnets.py, goldens from the independent evaluate.py, never from htvm),
are compiled for a DIANA whose activation L1s are 8 KiB and whose digital weight memory is
8 KiB, so that most layers must be tiled (rows with halos and border pads, output channels, and
columns where the layout allows), and verified with `htvm verify`: the generated program runs on
the simulator, whose bounds and race checks abort on any L1 overflow or double-buffering hazard,
and its outputs must equal the goldens bit for bit. Each case's report.json must show the layer
on an accelerator; the run fails if too few cases were actually tiled.

    tiling_e2e.py --htvm BUILD/htvm --out DIR [--cases N] [--seed S] [-v]
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "gen"))

import evaluate  # noqa: E402
from qlgraph import Degenerate  # noqa: E402
from qlnets import finish, start  # noqa: E402

L1_BYTES = 8192
WEIGHT_BYTES = 8192


def small_platform(path):
    with open(os.path.join(ROOT, "platforms", "diana.json")) as f:
        p = json.load(f)
    p["name"] = "diana_small_l1"
    for a in p["accelerators"]:
        a["l1"]["activation_bytes"] = {"value": L1_BYTES, "assumed": True,
                                       "note": "tiling_e2e: shrunk so that layers must be tiled"}
    p["accelerators"][0]["l1"]["weight_bytes"] = {"value": WEIGHT_BYTES, "assumed": True,
                                                  "note": "tiling_e2e: shrunk to force channel tiles"}
    with open(path, "w") as f:
        json.dump(p, f, indent=2)


def mult4(rng, lo, hi):
    """A size in [lo, hi] that is a multiple of 4 (element counts must be, for the accelerators)."""
    return int(rng.integers(lo // 4, hi // 4 + 1)) * 4


def random_case(rng, i):
    """(kind, params, conf): the layer to build and the conf that puts it on its accelerator."""
    kind = ["conv", "conv", "conv", "dw", "dense", "residual", "analog", "conv_cols"][i % 8]
    k = int(rng.choice([1, 3, 5, 7]))
    s = int(rng.integers(1, 3))
    if kind == "conv":
        return kind, dict(cin=int(rng.integers(2, 28)), cout=int(rng.integers(8, 48)),
                          hw=(mult4(rng, 8, 32), mult4(rng, 8, 48)), k=(k, k), stride=(s, s)), "digital"
    if kind == "conv_cols":  # kernel width 1: no left pad, so column tiles are possible
        return "conv", dict(cin=int(rng.integers(8, 40)), cout=int(rng.integers(16, 48)),
                            hw=(mult4(rng, 4, 8), mult4(rng, 64, 120)), k=(k, 1), stride=(1, 1)), "digital"
    if kind == "dw":
        c = int(rng.integers(4, 40))
        return kind, dict(cin=c, cout=c, group=c, hw=(mult4(rng, 16, 32), mult4(rng, 16, 48)), k=(k, k),
                          stride=(s, s)), "digital"
    if kind == "dense":
        return kind, dict(nin=mult4(rng, 100, 480), nout=[mult4(rng, 40, 200) for _ in range(2)]), "digital"
    if kind == "residual":
        return kind, dict(c=int(rng.integers(4, 24)), hw=(mult4(rng, 12, 28), mult4(rng, 16, 40))), "digital"
    return kind, dict(cin=int(rng.integers(4, 40)), cout=int(rng.integers(8, 64)),
                      hw=(mult4(rng, 8, 24), mult4(rng, 8, 32)), k=(k, k), stride=(s, s)), "analog"


def build(name, kind, p, rng):
    if kind in ("conv", "dw"):
        g, x = start(name, rng, (p["cin"],) + p["hw"], {})
        y = g.conv(x, p["cout"], p["k"], stride=p["stride"], group=p.get("group", 1), relu=bool(rng.integers(2)))
    elif kind == "dense":
        g, x = start(name, rng, (p["nin"],), {})
        y = x
        for n in p["nout"]:
            y = g.gemm(y, n, relu=bool(rng.integers(2)))
    elif kind == "residual":
        g, x = start(name, rng, (p["c"],) + p["hw"], {})
        a = g.conv(x, p["c"], (3, 3))
        y = g.add(x, a, relu=bool(rng.integers(2)))
    else:
        g, x = start(name, rng, (p["cin"],) + p["hw"], {})
        y = g.analog_conv(x, p["cout"], p["k"], stride=p["stride"], relu=bool(rng.integers(2)))
    return finish(g, rng, y, {})


def write_case(out, name, kind, p, seed):
    import onnx

    for attempt in range(20):
        rng = np.random.default_rng([seed, attempt])
        try:
            g = build(name, kind, p, rng)
            break
        except Degenerate:
            continue
    else:
        raise RuntimeError("%s: every attempt was degenerate" % name)
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "model.onnx")
    onnx.save(g.model(), path)
    x = g.values["input"]
    y = evaluate.evaluate_samples(onnx.load(path), x)
    np.save(os.path.join(d, "inputs.npy"), x)
    np.save(os.path.join(d, "outputs.npy"), y)
    return d


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--htvm", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--cases", type=int, default=30)
    ap.add_argument("--seed", type=int, default=20240612)
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args(argv)
    os.makedirs(a.out, exist_ok=True)
    platform = os.path.join(a.out, "diana_small_l1.json")
    small_platform(platform)
    help_text = subprocess.run([a.htvm, "verify", "--help"], capture_output=True, text=True).stdout
    schedules = ["ours", "htvm"] if "--schedule" in help_text else ["ours"]

    rng = np.random.default_rng(a.seed)
    failures, tiled, offloaded, runs = [], 0, 0, 0
    t0 = time.time()
    for i in range(a.cases):
        kind, p, conf = random_case(rng, i)
        name = "tile_%02d_%s" % (i, kind)
        d = write_case(a.out, name, kind, p, a.seed + i)
        schedule = schedules[i % len(schedules)]
        proj = os.path.join(d, "build_" + schedule)
        shutil.rmtree(proj, ignore_errors=True)  # a fresh project each run (htvm refuses foreign dirs)
        cmd = [a.htvm, "verify", os.path.join(d, "model.onnx"), "--inputs", os.path.join(d, "inputs.npy"),
               "--outputs", os.path.join(d, "outputs.npy"), "--platform", platform, "--conf", conf, "-o", proj]
        if len(schedules) > 1:
            cmd += ["--schedule", schedule]
        r = subprocess.run(cmd, capture_output=True, text=True)
        runs += 1
        report = {}
        try:
            with open(os.path.join(proj, "report.json")) as f:
                report = json.load(f)
        except OSError:
            pass
        layers = [l for l in report.get("layers", []) if l.get("core", "cpu") != "cpu"]
        n_tiled = sum(1 for l in layers if l.get("modeled", {}).get("tiles", 1) > 1)
        offloaded += bool(layers)
        tiled += n_tiled > 0
        summary = "; ".join("%s: %s" % (l["op"], l["modeled"].get("tiling", "?")) for l in layers)
        if r.returncode != 0:
            failures.append(name)
            print("FAIL %s (%s, %s, schedule %s): exit %d\n%s%s" % (name, p, conf, schedule, r.returncode,
                                                                    r.stdout[-2000:], r.stderr[-2000:]))
        elif a.verbose:
            print("ok   %-22s %-8s %s" % (name, schedule, summary or "all on cpu"))
    print("tiling_e2e: %d cases, %d bit-exact, %d with accelerator layers, %d tiled (L1 %d B, weights %d B) "
          "in %.0f s" % (runs, runs - len(failures), offloaded, tiled, L1_BYTES, WEIGHT_BYTES, time.time() - t0))
    if failures:
        print("failed: " + ", ".join(failures))
        return 1
    if tiled < runs * 2 // 3:
        print("too few cases were tiled (%d of %d): the generator no longer exercises tiling" % (tiled, runs))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
