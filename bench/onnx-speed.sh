#!/usr/bin/env bash
# onnxruntime against dtrn scoring the same model on the same batch: for each model,
# `dtrn bench infer --export-onnx` writes the measured (untrained) model as ONNX and the test
# split's first batch with dtrn's scores; then every round times, in turn, `dtrn bench infer`
# and onnxruntime (scripts/onnx-check.py --seconds) at 1 and at 2 threads. Prints samples/s
# per side and thread count as the median over rounds, with the onnxruntime / dtrn ratio taken
# within each round (median and range), and onnxruntime's largest score difference from dtrn.
#
# Usage: bench/onnx-speed.sh [--rounds N] [--models "mmoe ple dtrn+mmoe"] [--batch-size B]
#          [--seconds S] [--json FILE]
#
# The data is the synthetic data (sequences of 20 behaviours) with default model sizes.
# onnxruntime comes from the venv .build/python-tools (scripts/install-python-tools).
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=5
models="mmoe ple dtrn+mmoe"
batch_size=1024
seconds=2
json_out=""
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) rounds=$2; shift 2 ;;
        --models) models=$2; shift 2 ;;
        --batch-size) batch_size=$2; shift 2 ;;
        --seconds) seconds=$2; shift 2 ;;
        --json) json_out=$2; shift 2 ;;
        *) echo "unknown argument: $1 (see the usage at the top of $0)" >&2; exit 2 ;;
    esac
done

python=.build/python-tools/bin/python
if ! "$python" -c 'import onnxruntime' 2>/dev/null; then
    echo "$python with onnxruntime is missing: run scripts/install-python-tools" >&2
    exit 1
fi
source scripts/openblas-env
swift build -c release --static-swift-stdlib --product dtrn >/dev/null
dtrn=.build/release/dtrn

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
data=(--data synthetic --synthetic-rows 2000 --synthetic-eval-rows "$batch_size" --batch-size "$batch_size")
model_args() {
    case "$1" in
        dtrn+*) echo "--model dtrn --backbone ${1#dtrn+}" ;;
        *) echo "--model $1" ;;
    esac
}
for model in $models; do
    # shellcheck disable=SC2046
    "$dtrn" bench infer "${data[@]}" $(model_args "$model") --threads 1 --repetitions 1 --seconds 0.1 \
        --warmup-seconds 0 --export-onnx "$tmp/$model" --json >/dev/null
done

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
results="$tmp/results.jsonl"
for round in $(seq "$rounds"); do
    for model in $models; do
        for threads in 1 2; do
            echo "round $round of $rounds: $model, $threads thread(s)" >&2
            # shellcheck disable=SC2046
            rate=$("$dtrn" bench infer "${data[@]}" $(model_args "$model") --threads "$threads" --repetitions 3 \
                --seconds "$seconds" --warmup-seconds 0.5 --json \
                | "$python" -c 'import json, sys; print(json.load(sys.stdin)["samplesPerSecond"]["median"])')
            onnx=$("$python" scripts/onnx-check.py "$tmp/$model/model.onnx" "$tmp/$model/case.json" \
                --seconds "$((seconds * 3))" --threads "$threads")
            "$python" -c 'import json, sys
report = json.loads(sys.argv[5])
print(json.dumps({"round": int(sys.argv[1]), "model": sys.argv[2], "threads": int(sys.argv[3]),
                  "dtrn": float(sys.argv[4]), "onnxruntime": int(sys.argv[6]) / report["secondsPerRun"],
                  "maxAbsDiff": max(report["maxAbsDiff"].values())}))' \
                "$round" "$model" "$threads" "$rate" "$onnx" "$batch_size" >> "$results"
        done
    done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

"$python" - "$results" "$batch_size" "$load_before" "$load_after" "$json_out" <<'PY'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
batch, before, after, out = sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
print(f"batch {batch}, synthetic data; load average before {before}, after {after}")
print(f"{'model':<12} {'threads':>7} {'dtrn samples/s':>15} {'onnxruntime samples/s':>22} {'ort/dtrn':>9} {'range':>13} {'max |diff|':>11}")
summary = []
for model in dict.fromkeys(r["model"] for r in rows):
    for threads in (1, 2):
        runs = [r for r in rows if r["model"] == model and r["threads"] == threads]
        ratios = [r["onnxruntime"] / r["dtrn"] for r in runs]
        entry = {"model": model, "threads": threads, "rounds": len(runs),
                 "dtrn": statistics.median(r["dtrn"] for r in runs),
                 "onnxruntime": statistics.median(r["onnxruntime"] for r in runs),
                 "ratio": statistics.median(ratios), "ratioMin": min(ratios), "ratioMax": max(ratios),
                 "maxAbsDiff": max(r["maxAbsDiff"] for r in runs)}
        summary.append(entry)
        print(f"{model:<12} {threads:>7} {entry['dtrn']:>15,.0f} {entry['onnxruntime']:>22,.0f} {entry['ratio']:>8.2f}x"
              f" {entry['ratioMin']:>5.2f}-{entry['ratioMax']:.2f}x {entry['maxAbsDiff']:>11.1e}")
if out:
    with open(out, "w") as f:
        json.dump({"batchSize": int(batch), "loadBefore": before, "loadAfter": after, "results": summary, "rounds": rows}, f, indent=1)
PY
