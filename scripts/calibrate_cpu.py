#!/usr/bin/python3
"""CPU cost model: fit or check the platform's cpu.cost.kernels against measured layers.

Each DIR is a project that `htvm profile --target rv32 --profile individual` ran (profile.json:
every layer's measured instructions; report.json: the compiler's modeled cycles and, per CPU
node, the terms the cost model counts). `scripts/bench_network.sh --keep DIR` leaves one per
model and conf; `scripts/check_cpu_model.sh` makes them for the test.

  calibrate_cpu.py fit DIR...    least-squares fit (relative error, non-negative coefficients) of
                                 the formula platform/cost_model.h states; prints the
                                 "kernels" object for the platform file and the fit's errors.
  calibrate_cpu.py check [--tolerance 0.15] [--min-share S] [--max-error E] DIR...
                                 compares report.json's modeled cycles of every CPU layer with the
                                 measured ones and prints the worst; exits 1 if fewer than the share
                                 S of the layers (default: all) are within the tolerance, or any is
                                 off by more than E.

Only layers that have code of their own count (a chain's members run inside its root's loop).
"""
import argparse, collections, glob, json, os, sys

import numpy as np

CONV = ("conv2d", "qconv2d", "analog_conv2d")
DENSE = ("dense", "qdense")
# What the fit may use per kind (the rest stay 0): enough to follow each kernel's loop structure,
# few enough to be determined by the real models' layers.
FEATURES = {"conv": ["call", "mac", "block_load", "output", "row"], "dense": ["call", "mac", "output"],
            "relayout": ["call", "element", "row", "byte"], "other": ["call", "element", "row"],
            "chain": ["call", "row"], "fused": ["element"], "fused/relayout": ["element", "byte"]}
TERM = {"call": "calls", "mac": "macs", "block_load": "block_loads", "output": "outputs",
        "element": "elements", "row": "rows", "byte": "bytes"}


def family(kind):
    if kind == "chain":
        return "chain"
    if kind.startswith("fused/"):
        return "fused/relayout" if kind.startswith("fused/relayout/") else "fused"
    op = kind.split("/")[0]
    return "conv" if op in CONV else "dense" if op in DENSE else "relayout" if op == "relayout" else "other"


def layers(dirs):
    """Every CPU layer with code: (dir, node, measured, modeled, {(kind, coefficient): term})."""
    out = []
    for d in dirs:
        prof = json.load(open(os.path.join(d, "profile.json")))
        rep = json.load(open(os.path.join(d, "report.json")))
        nodes = rep["layers"]
        members = collections.defaultdict(list)
        for l in nodes:
            if l.get("storage") == "fused":
                members[l["fused_into"]].append(l)
        for p in prof["layers"]:
            l = nodes[p["index"]]
            if l.get("core") != "cpu" or l["function"] is None:
                continue
            if l["name"] != p["node"]:
                sys.exit("%s: profile.json and report.json disagree on layer %d" % (d, p["index"]))
            x = collections.Counter()
            chain = members.get(l["output"]["name"], [])
            root = l["modeled"]["cost_terms"]
            if chain:
                x[("chain", "call")] += 1
                x[("chain", "row")] += root["rows"]
                for t in [root] + [m["modeled"]["cost_terms"] for m in chain]:
                    for c in FEATURES[family("fused/" + t["kind"])]:
                        x[("fused/" + t["kind"], c)] += t[TERM[c]]
            else:
                for c in FEATURES[family(root["kind"])]:
                    x[(root["kind"], c)] += root[TERM[c]]
            out.append(dict(dir=d, node=l["name"], index=p["index"], kind=root["kind"], chain=len(chain),
                            measured=p["measured_cycles"], modeled=l["modeled"]["cycles"], x=x))
    return out


def nnls(a, b, iters=20000):
    """min |a x - b| over x >= 0: projected gradient on scaled columns, then exact on the support."""
    s = np.sqrt((a * a).sum(0))
    s[s == 0] = 1
    a = a / s
    x = np.zeros(a.shape[1])
    step = 1 / np.linalg.norm(a, 2) ** 2
    for _ in range(iters):
        x = np.maximum(0, x - step * (a.T @ (a @ x - b)))
    support = x > 0
    for _ in range(a.shape[1]):
        xs, *_ = np.linalg.lstsq(a[:, support], b, rcond=None)
        if (xs >= 0).all():
            x = np.zeros_like(x)
            x[support] = xs
            break
        support[np.where(support)[0][xs < 0]] = False
    return x / s


def report(rows, predicted, tolerance, title):
    y = np.array([r["measured"] for r in rows], float)
    err = (predicted - y) / y
    bad = np.abs(err) > tolerance
    print("%s: %d CPU layers in %d projects; |error| max %.1f%%, mean %.1f%%; %d beyond %.0f%%"
          % (title, len(rows), len({r["dir"] for r in rows}), 100 * np.max(np.abs(err)),
             100 * np.mean(np.abs(err)), bad.sum(), 100 * tolerance))
    print("  %8s %10s %10s  %-28s %s" % ("error", "modeled", "measured", "kind", "project / node"))
    for i in np.argsort(-np.abs(err))[:12]:
        r = rows[i]
        kind = r["kind"] + (" +%d fused" % r["chain"] if r["chain"] else "")
        print("  %+7.1f%% %10d %10d  %-28s %s / %s" % (100 * err[i], predicted[i], y[i], kind,
                                                     os.path.basename(r["dir"].rstrip("/")), r["node"]))
    return bad.sum()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["fit", "check"])
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("--tolerance", type=float, default=0.15)
    ap.add_argument("--min-share", type=float, default=1.0)
    ap.add_argument("--max-error", type=float, default=float("inf"))
    ap.add_argument("--source", default="", help="fit: the kernels' \"source\" text")
    a = ap.parse_args()
    dirs = [d for pattern in a.dirs for d in sorted(glob.glob(pattern))
            if os.path.exists(os.path.join(d, "profile.json"))]
    if not dirs:
        sys.exit("calibrate_cpu: no profiled project among " + " ".join(a.dirs))
    rows = layers(dirs)
    if a.mode == "check":
        modeled = np.array([r["modeled"] for r in rows], float)
        bad = report(rows, modeled, a.tolerance, "modeled vs measured")
        y = np.array([r["measured"] for r in rows], float)
        worst = np.max(np.abs(modeled - y) / y)
        share = 1 - bad / len(rows)
        ok = share >= a.min_share and worst <= a.max_error
        print("%s: %.1f%% of the layers within %.0f%% (required %.1f%%), largest error %.1f%% (allowed %s)"
              % ("pass" if ok else "FAIL", 100 * share, 100 * a.tolerance, 100 * a.min_share, 100 * worst,
                 "any" if a.max_error == float("inf") else "%.0f%%" % (100 * a.max_error)))
        sys.exit(0 if ok else 1)
    cols = sorted({c for r in rows for c in r["x"]})
    m = np.array([[r["x"].get(c, 0) for c in cols] for r in rows], float)
    y = np.array([r["measured"] for r in rows], float)
    coef = nnls(m / y[:, None], np.ones(len(rows)))
    report(rows, m @ coef, a.tolerance, "fit")
    kernels = {"source": a.source} if a.source else {}
    for (kind, c), v in zip(cols, coef):
        kernels.setdefault(kind, {})[c] = round(float(v), 3)
    print(json.dumps(kernels, indent=None).replace("}, ", "},\n "))


if __name__ == "__main__":
    main()
