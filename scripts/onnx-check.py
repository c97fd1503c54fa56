#!/usr/bin/env python3
"""Checks an exported ONNX model: onnx.checker (full check), then onnxruntime on given inputs
against expected per-task scores. Prints one line per task with the max absolute difference
and exits non-zero when any exceeds the tolerance.

Usage: onnx-check.py MODEL.onnx CASE.json [--tolerance 1e-5]
CASE.json: {"inputs": {name: flat list}, "batch": N, "expected": {task: [N floats]}}
"""
import argparse
import json
import sys

import numpy as np
import onnx
import onnxruntime


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("case")
    parser.add_argument("--tolerance", type=float, default=1e-5)
    args = parser.parse_args()
    onnx.checker.check_model(onnx.load(args.model), full_check=True)
    with open(args.case) as f:
        case = json.load(f)
    session = onnxruntime.InferenceSession(args.model, providers=["CPUExecutionProvider"])
    feeds = {}
    for spec in session.get_inputs():
        dtype = np.int64 if spec.type == "tensor(int64)" else np.float32
        shape = [case["batch"]] + [d for d in spec.shape[1:]]
        feeds[spec.name] = np.asarray(case["inputs"][spec.name], dtype=dtype).reshape(shape)
    names = [o.name for o in session.get_outputs()]
    outputs = session.run(names, feeds)
    worst = 0.0
    for name, value in zip(names, outputs):
        expected = np.asarray(case["expected"][name], dtype=np.float32)
        diff = float(np.max(np.abs(value.astype(np.float64) - expected))) if expected.size else 0.0
        worst = max(worst, diff)
        print(f"{name}: max abs diff {diff:.3g}")
    return 0 if worst <= args.tolerance else 1


if __name__ == "__main__":
    sys.exit(main())
