#!/usr/bin/env bash
# GEMM of dtrn (OpenBLAS from Debian) against NumPy's matmul, same shapes and thread
# count, measured back to back. Prints one line per shape and product with the ratio.
# Usage: bench/compare-gemm.sh [THREADS]
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:-$(nproc)}
make -s build >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
.build/release/dtrn bench kernels --threads "$threads" --json > "$tmp/dtrn.json"
# NumPy runs with its own BLAS at its best: without the core-type overrides some
# machines set for the system OpenBLAS.
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 bench/numpy_gemm.py --threads "$threads" > "$tmp/numpy.json"
python3 - "$tmp/dtrn.json" "$tmp/numpy.json" <<'PY'
import json, sys, statistics
ours = {(r["op"], r["m"], r["k"], r["n"]): r["gflops"] for r in json.load(open(sys.argv[1])) if r["op"].startswith("gemm")}
theirs = {(r["op"], r["m"], r["k"], r["n"]): r["gflops"] for r in json.load(open(sys.argv[2]))}
ratios = []
print(f"{'op':8} {'m':>5} {'k':>4} {'n':>4} {'dtrn GF/s':>10} {'numpy GF/s':>11} {'ratio':>6}")
for key in sorted(ours):
    if key in theirs:
        r = ours[key] / theirs[key]
        ratios.append(r)
        print(f"{key[0]:8} {key[1]:5} {key[2]:4} {key[3]:4} {ours[key]:10.1f} {theirs[key]:11.1f} {r:6.2f}")
print(f"shapes: {len(ratios)}  median ratio {statistics.median(ratios):.2f}  min {min(ratios):.2f}  max {max(ratios):.2f}")
PY
