#!/usr/bin/env python3
"""Writes valid scoring request bodies for a checkpoint: OUT/body-1.json and OUT/body-100.json.

    bench/score-bodies.py CHECKPOINT OUT

Instances are drawn from the checkpoint's own schema (known vocabulary tokens, numbers near the
training mean, full-length sequences), so every request is valid; the draws are seeded.
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
for name, count in (("1", 1), ("100", 100)):
    with open(os.path.join(out, f"body-{name}.json"), "w") as f:
        json.dump({"instances": [instance() for _ in range(count)]}, f)
