#!/usr/bin/env python3
"""Writes valid scoring request bodies for a checkpoint: OUT/body-1.json and OUT/body-100.json
for POST /v1/score, and OUT/v2-body-1.json and OUT/v2-body-100.json with the same instances for
the KServe v2 POST /v2/models/<name>/infer.

    bench/score-bodies.py CHECKPOINT OUT

Instances are drawn from the checkpoint's own schema (known vocabulary tokens, numbers near the
training mean, full-length sequences), so every request is valid; the draws are seeded. The v2
bodies carry raw rows (one BYTES column per feature, sequences joined by their separator) when
the checkpoint encodes raw values, else the model's tensors (ids and numbers as they are,
sequences as INT64 [N, length]).
"""
import json, os, random, sys
path, out = sys.argv[1], sys.argv[2]
if not os.path.exists(os.path.join(path, "checkpoint.json")):
    path = os.path.join(path, json.load(open(os.path.join(path, "run.json")))["best"])
state = json.load(open(os.path.join(path, "checkpoint.json")))
schema, encoder = state["schema"], state.get("encoder")
rng = random.Random(7)
def tokens(index):
    return encoder["vocabularies"][index]["tokens"] or ["unseen"]
def instance():
    row = {}
    for i, field in enumerate(schema["categorical"]):
        row[field["name"]] = rng.choice(tokens(encoder["categorical"][i]["vocabulary"])) if encoder \
            else rng.randrange(2, max(3, field["vocabularySize"]))
    for i, field in enumerate(schema["numeric"]):
        t = encoder["numeric"][i]["transform"] if encoder else {"mean": 0.0, "standardDeviation": 1.0}
        row[field["name"]] = round(rng.gauss(t["mean"], t["standardDeviation"]), 4)
    for i, field in enumerate(schema["sequences"]):
        row[field["name"]] = [rng.choice(tokens(encoder["sequences"][i]["vocabulary"])) if encoder
                              else str(rng.randrange(2, max(3, field["vocabularySize"]))) for _ in range(field["maxLength"])]
    return row
def text(value):
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
def v2_body(instances):
    n = len(instances)
    if encoder:
        separators = {field["name"]: encoder["sequences"][i].get("separator")
                      for i, field in enumerate(schema["sequences"])}
        def joined(name, items):  # without a separator a sequence's raw text is one item
            return separators[name].join(items) if separators[name] else items[-1]
        names = [f["name"] for f in schema["categorical"] + schema["numeric"] + schema["sequences"]]
        inputs = [{"name": name, "datatype": "BYTES", "shape": [n],
                   "data": [joined(name, row[name]) if name in separators else text(row[name]) for row in instances]}
                  for name in names]
    else:
        inputs = [{"name": f["name"], "datatype": "INT64", "shape": [n], "data": [row[f["name"]] for row in instances]}
                  for f in schema["categorical"]]
        inputs += [{"name": f["name"], "datatype": "FP32", "shape": [n], "data": [row[f["name"]] for row in instances]}
                   for f in schema["numeric"]]
        inputs += [{"name": f["name"], "datatype": "INT64", "shape": [n, f["maxLength"]],
                    "data": [int(item) for row in instances for item in row[f["name"]]]} for f in schema["sequences"]]
    return {"inputs": inputs}
for name, count in (("1", 1), ("100", 100)):
    instances = [instance() for _ in range(count)]
    with open(os.path.join(out, f"body-{name}.json"), "w") as f:
        json.dump({"instances": instances}, f)
    with open(os.path.join(out, f"v2-body-{name}.json"), "w") as f:
        json.dump(v2_body(instances), f)
