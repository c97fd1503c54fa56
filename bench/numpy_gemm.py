#!/usr/bin/env python3
"""NumPy's matmul on the GEMM shapes of `dtrn bench kernels`, as the same JSON rows.

Usage: numpy_gemm.py [--threads N] [--min-seconds S]
The thread count must be fixed before NumPy loads its BLAS, so this script sets the
OpenBLAS/OMP thread variables itself and then imports NumPy.
"""
import argparse
import json
import os
import time

parser = argparse.ArgumentParser()
parser.add_argument("--threads", type=int, default=os.cpu_count())
parser.add_argument("--min-seconds", type=float, default=0.05)
parser.add_argument("--m", type=int, nargs="*", default=[512, 1024, 4096])
parser.add_argument("--sizes", type=int, nargs="*", default=[64, 128, 256, 512])
args = parser.parse_args()
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(args.threads)

import numpy as np  # noqa: E402


def seconds_per_call(fn):
    fn()
    calls = 1
    while True:
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed >= args.min_seconds / 4 or calls > 1 << 20:
            calls = max(1, int(calls * args.min_seconds / max(elapsed, 1e-9)))
            break
        calls *= 4
    samples = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        samples.append((time.perf_counter() - start) / calls)
    return sorted(samples)[len(samples) // 2]


rows = []
for m in args.m:
    for k in args.sizes:
        for n in args.sizes:
            x = np.random.rand(m, k).astype(np.float32)
            w = np.random.rand(k, n).astype(np.float32)
            dy = np.random.rand(m, n).astype(np.float32)
            products = {
                "gemm": lambda: np.matmul(x, w),
                "gemm_dx": lambda: np.matmul(dy, w.T),
                "gemm_dw": lambda: np.matmul(x.T, dy),
            }
            for op, fn in products.items():
                t = seconds_per_call(fn)
                rows.append({"op": op, "m": m, "k": k, "n": n, "threads": args.threads,
                             "seconds": t, "gflops": 2 * m * n * k / t / 1e9})
print(json.dumps(rows, indent=1))
