"""Checks an exported ONNX model against expected scores.

Usage: onnx-check.py MODEL.onnx CASE.json [--repeat N]

CASE.json: {"inputs": {name: {"dtype": "int64"|"float32", "shape": [...], "values": [...]}},
            "expected": {task: [...]}}  (expected may be empty)
Runs onnx.checker.check_model(full_check=True), scores the inputs with onnxruntime and prints
JSON: {"maxAbsDiff": {task: float}, "outputs": {task: [...]}, "secondsPerRun": float}.
"""
import json
import sys
import time

import numpy as np
import onnx
import onnxruntime as ort


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    model_path, case_path = argv[1], argv[2]
    repeat = int(argv[argv.index("--repeat") + 1]) if "--repeat" in argv else 1
    onnx.checker.check_model(onnx.load(model_path), full_check=True)
    with open(case_path) as f:
        case = json.load(f)
    feeds = {name: np.array(t["values"], dtype=t["dtype"]).reshape(t["shape"])
             for name, t in case["inputs"].items()}
    session = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    results = session.run(names, feeds)
    start = time.perf_counter()
    for _ in range(repeat - 1):
        session.run(names, feeds)
    seconds = (time.perf_counter() - start) / max(repeat - 1, 1)
    outputs = dict(zip(names, results))
    diffs = {}
    for task, expected in case.get("expected", {}).items():
        got = outputs[task].astype(np.float64).reshape(-1)
        want = np.array(expected, dtype=np.float64).reshape(-1)
        if got.shape != want.shape:
            print(f"{task}: {got.shape[0]} scores, expected {want.shape[0]}", file=sys.stderr)
            return 1
        diffs[task] = float(np.max(np.abs(got - want))) if want.size else 0.0
    print(json.dumps({"maxAbsDiff": diffs, "secondsPerRun": seconds,
                      "outputs": {k: v.reshape(-1).tolist() for k, v in outputs.items()}}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
