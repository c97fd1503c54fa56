"""Checks an exported ONNX model against expected scores, and times onnxruntime on it.

Usage:
  onnx-check.py MODEL.onnx CASE.json [--repeat N | --seconds S] [--threads T]
  onnx-check.py --raw CASES.json [--repeat N | --seconds S] [--threads T]

CASE.json: {"inputs": {name: {"dtype": "int64"|"float32", "shape": [...], "values": [...]}},
            "expected": {task: [...]}}  (expected may be empty)
Runs onnx.checker.check_model(full_check=True), scores the inputs with onnxruntime and prints
JSON: {"maxAbsDiff": {task: float}, "outputs": {task: [...]}, "secondsPerRun": float}.

--raw: CASES.json is a list of {"label", "model": MODEL.onnx, "sidecar": SIDECAR.json,
"rows": ROWS.jsonl, "expected": {task: [...]}}. Each case's raw rows (one JSON object per
line, as `dtrn predict` reads them) are encoded with the sidecar alone (sidecar_encoder.py),
checked and scored as above; prints a JSON list of the reports, in case order, each with its
label and the encoded "inputs" (name: flat values). A row the sidecar's rules refuse is an error naming the case, row and feature.

--repeat N times N - 1 further runs after the first; --seconds S runs for at least S seconds;
secondsPerRun is their mean. --threads T sets onnxruntime's intra-op threads (default: its own).
"""
import json
import os
import sys
import time

import numpy as np
import onnx
import onnxruntime as ort

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sidecar_encoder import EncodingError, encode_rows  # noqa: E402


def option(argv, name, kind, default):
    return kind(argv[argv.index(name) + 1]) if name in argv else default


def score(model_path, feeds, expected, repeat, seconds, threads):
    """The report of one model on `feeds`: checker, outputs, differences, time per run."""
    onnx.checker.check_model(onnx.load(model_path), full_check=True)
    settings = ort.SessionOptions()
    if threads:
        settings.intra_op_num_threads = threads
        settings.inter_op_num_threads = 1
    session = ort.InferenceSession(model_path, settings, providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    results = session.run(names, feeds)
    runs = 0
    start = time.perf_counter()
    while runs < repeat - 1 or time.perf_counter() - start < seconds:
        session.run(names, feeds)
        runs += 1
    elapsed = time.perf_counter() - start
    outputs = dict(zip(names, results))
    diffs = {}
    for task, want in expected.items():
        got = outputs[task].astype(np.float64).reshape(-1)
        want = np.array(want, dtype=np.float64).reshape(-1)
        if got.shape != want.shape:
            raise ValueError(f"{task}: {got.shape[0]} scores, expected {want.shape[0]}")
        diffs[task] = float(np.max(np.abs(got - want))) if want.size else 0.0
    return {"maxAbsDiff": diffs, "secondsPerRun": elapsed / max(runs, 1),
            "outputs": {k: v.reshape(-1).tolist() for k, v in outputs.items()}}


def read_rows(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip(" \t\r\n")]


def main(argv):
    repeat = option(argv, "--repeat", int, 1)
    seconds = option(argv, "--seconds", float, 0.0)
    threads = option(argv, "--threads", int, 0)
    try:
        if "--raw" in argv:
            with open(argv[argv.index("--raw") + 1]) as f:
                cases = json.load(f)
            reports = []
            for case in cases:
                with open(case["sidecar"]) as f:
                    sidecar = json.load(f)
                try:
                    feeds = encode_rows(sidecar, read_rows(case["rows"]))
                except EncodingError as error:
                    raise ValueError(f"{case.get('label', case['rows'])}: {error}") from None
                report = score(case["model"], feeds, case.get("expected", {}), repeat, seconds, threads)
                report["label"] = case.get("label", case["model"])
                report["inputs"] = {name: values.reshape(-1).tolist() for name, values in feeds.items()}
                reports.append(report)
            print(json.dumps(reports))
            return 0
        if len(argv) < 3 or argv[1].startswith("--"):
            print(__doc__, file=sys.stderr)
            return 2
        with open(argv[2]) as f:
            case = json.load(f)
        feeds = {name: np.array(t["values"], dtype=t["dtype"]).reshape(t["shape"])
                 for name, t in case["inputs"].items()}
        print(json.dumps(score(argv[1], feeds, case.get("expected", {}), repeat, seconds, threads)))
        return 0
    except ValueError as error:
        print(f"onnx-check.py: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
