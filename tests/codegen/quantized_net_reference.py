#!/usr/bin/env python3
"""Independent pure-Python evaluation of the integer network built in
codegen_project_test.cpp (QuantizedNetworkCompilesAndRuns), written from the op definitions
(zero-padded grouped conv with int32 accumulation, arithmetic shift, clip, numpy-style add,
global sum, floor(fl32(x) / 64), dense with trans_b=1). Prints the expected outputs of both
samples; the test pins them. Run: python3 tests/codegen/quantized_net_reference.py"""
import struct, math
def weights(n, seed): return [((i*37 + seed*11) % 15) - 7 for i in range(n)]
def conv(x, C, H, W, w, M, KH, KW, b, s, p, g):
    OH = (H + p[0] + p[2] - KH)//s[0] + 1; OW = (W + p[1] + p[3] - KW)//s[1] + 1
    Cg = C//g; Mg = M//g
    out = []
    for m in range(M):
        cb = (m//Mg)*Cg
        for oh in range(OH):
            for ow in range(OW):
                acc = 0
                for c in range(Cg):
                    for kh in range(KH):
                        for kw in range(KW):
                            ih = oh*s[0]-p[0]+kh; iw = ow*s[1]-p[1]+kw
                            if 0 <= ih < H and 0 <= iw < W:
                                acc += x[((cb+c)*H+ih)*W+iw] * w[((m*Cg+c)*KH+kh)*KW+kw]
                out.append(acc + (b[m] if b else 0))
    return out, OH, OW
def clip(v, lo, hi): return [min(max(a, lo), hi) for a in v]
def run(x):
    q = [int(a) for a in clip(x, -128, 127)]
    a1, H, W = conv(q, 3, 16, 16, weights(216, 1), 8, 3, 3, weights(8, 2), (2,2), (1,1,1,1), 1)
    r1 = clip([a >> 4 for a in a1], -128, 127)
    a2, _, _ = conv(r1, 8, 8, 8, weights(72, 3), 8, 3, 3, None, (1,1), (1,1,1,1), 8)
    r2 = clip([a >> 3 for a in a2], -128, 127)
    a3, _, _ = conv(r2, 8, 8, 8, weights(64, 4), 8, 1, 1, None, (1,1), (0,0,0,0), 1)
    r3 = clip([a >> 3 for a in a3], -128, 127)
    res = [a + b for a, b in zip(r3, r1)]
    rc = clip(res, -128, 127)
    gs = [sum(rc[c*64:(c+1)*64]) for c in range(8)]
    pd = [math.floor(struct.unpack('f', struct.pack('f', float(a)))[0] / 64.0) for a in gs]
    wf = weights(80, 5); bf = weights(10, 6)
    return [sum(pd[k]*wf[m*8+k] for k in range(8)) + bf[m] for m in range(10)]
inp = [float((i*7919 % 301) - 150) for i in range(2*768)]
exp = run(inp[:768]) + run(inp[768:])
print(exp)
