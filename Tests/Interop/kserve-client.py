#!/usr/bin/env python3
"""Talks to `dtrn serve` with the Triton client over the KServe v2 HTTP protocol.

Checks liveness, readiness and the model's metadata, scores rows with one infer call and
compares the scores with a `dtrn predict` output (at most 1e-6 apart), then checks that an
unknown model is refused. Rows come in one of two forms:

  --form raw     a CSV file with a header; every column is sent as a BYTES [N] tensor of
                 the original values (the server encodes them with the checkpoint);
  --form tensor  a JSON Lines file of ids and numbers; the model's tensors are built from
                 the metadata: INT64 [N] ids, FP32 [N] numbers, INT64 [N, length]
                 sequences left-padded with 0.

Exits with status 1 and a message on any mismatch.
"""
import argparse
import csv
import json
import sys

import numpy as np
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException


def fail(message):
    print(f"kserve-client: {message}", file=sys.stderr)
    sys.exit(1)


def raw_inputs(path):
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    columns = list(rows[0].keys()) if rows else []
    inputs = []
    for column in columns:
        tensor = httpclient.InferInput(column, [len(rows)], "BYTES")
        tensor.set_data_from_numpy(np.array([row[column] for row in rows], dtype=object), binary_data=False)
        inputs.append(tensor)
    return inputs, len(rows)


def tensor_inputs(path, metadata):
    with open(path) as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    inputs = []
    for spec in metadata["inputs"]:
        name, datatype, shape = spec["name"], spec["datatype"], spec["shape"]
        values = [row.get(name) for row in rows]
        if len(shape) == 2:
            length = shape[1]
            padded = []
            for items in values:
                kept = [int(item) for item in (items or [])][-length:]
                padded.append([0] * (length - len(kept)) + kept)
            array = np.array(padded, dtype=np.int64).reshape(len(rows), length)
        elif datatype == "INT64":
            array = np.array([int(value or 0) for value in values], dtype=np.int64)
        else:
            array = np.array([float(value or 0) for value in values], dtype=np.float32)
        tensor = httpclient.InferInput(name, list(array.shape), datatype)
        tensor.set_data_from_numpy(array, binary_data=False)
        inputs.append(tensor)
    return inputs, len(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="host:port of dtrn serve")
    parser.add_argument("--model", required=True, help="the served model's name")
    parser.add_argument("--rows", required=True, help="the rows to score")
    parser.add_argument("--form", choices=["raw", "tensor"], required=True)
    parser.add_argument("--expected", required=True, help="dtrn predict's CSV output for the rows")
    args = parser.parse_args()

    client = httpclient.InferenceServerClient(url=args.url)
    if not client.is_server_live():
        fail("the server is not live")
    if not client.is_server_ready():
        fail("the server is not ready")
    if not client.is_model_ready(args.model):
        fail(f"model {args.model} is not ready")
    metadata = client.get_model_metadata(args.model)
    if metadata["name"] != args.model:
        fail(f"metadata names model {metadata['name']}, not {args.model}")

    with open(args.expected, newline="") as handle:
        reader = csv.reader(handle)
        tasks = next(reader)
        expected = np.array([[float(value) for value in row] for row in reader], dtype=np.float64)
    outputs = [output["name"] for output in metadata["outputs"]]
    if outputs != tasks:
        fail(f"metadata outputs {outputs}, predict wrote {tasks}")

    if args.form == "raw":
        inputs, count = raw_inputs(args.rows)
    else:
        inputs, count = tensor_inputs(args.rows, metadata)
    requested = [httpclient.InferRequestedOutput(task, binary_data=False) for task in tasks]
    result = client.infer(args.model, inputs, outputs=requested, request_id="kserve-client")
    response = result.get_response()
    if response.get("model_version") != metadata["versions"][0]:
        fail(f"answered by version {response.get('model_version')}, metadata lists {metadata['versions']}")
    served = np.stack([result.as_numpy(task).astype(np.float64) for task in tasks], axis=1)
    if served.shape != expected.shape or served.shape[0] != count:
        fail(f"served scores of shape {served.shape}, predict wrote {expected.shape} for {count} rows")
    difference = float(np.max(np.abs(served - expected))) if count else 0.0
    if difference > 1e-6:
        fail(f"served scores differ from predict's by up to {difference}")

    try:
        client.infer(args.model + "-missing", inputs, outputs=requested)
        fail("an unknown model was scored")
    except InferenceServerException as error:
        if "no model" not in str(error):
            fail(f"an unknown model was refused with {error}")

    print(f"kserve-client: {count} rows, {len(tasks)} outputs ({args.form}), max difference {difference:g}")


if __name__ == "__main__":
    main()
