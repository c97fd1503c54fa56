#!/usr/bin/env bash
# The accuracy of bf16 matrix products against fp32: every configuration trained with each
# seed in both precisions (same data, weights and batches per seed), and the test AUC per
# task compared with the spread of fp32 over the seeds. bf16 is recommended for a
# configuration only where its mean test AUC of every task lies within fp32's seed range.
#
# Census-Income with the rechub and large presets (the --census-models), and DTRN on the
# built-in synthetic data at each task conflict of --conflicts.
#
# Usage: bench/precision-study.sh [--seeds "1 2 3"] [--epochs 5] [--threads N]
#          [--presets "rechub large"] [--census-models "mmoe ple shared-bottom"]
#          [--conflicts "0 1"] [--synthetic-rows N] [--json FILE]
# Environment: DTRN (the dtrn binary to run; default: build and run .build/release/dtrn).
set -euo pipefail
cd "$(dirname "$0")/.."

seeds="1 2 3"
epochs=5
threads=$(nproc)
presets="rechub large"
census_models="mmoe ple shared-bottom"
conflicts="0 1"
synthetic_rows=""
json_out=""
while [ $# -gt 0 ]; do
    case "$1" in
        --seeds) seeds=$2; shift 2 ;;
        --epochs) epochs=$2; shift 2 ;;
        --threads) threads=$2; shift 2 ;;
        --presets) presets=$2; shift 2 ;;
        --census-models) census_models=$2; shift 2 ;;
        --conflicts) conflicts=$2; shift 2 ;;
        --synthetic-rows) synthetic_rows=$2; shift 2 ;;
        --json) json_out=$2; shift 2 ;;
        *) echo "unknown argument: $1 (see the usage at the top of $0)" >&2; exit 2 ;;
    esac
done

if [ -z "${DTRN:-}" ]; then make -s build >/dev/null; fi
dtrn=${DTRN:-.build/release/dtrn}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run=0

# train LABEL ARGS...: one run per seed and precision; the test report of each is kept as
# $tmp/NNNN.json with the label, seed and precision added.
train() {
    local label=$1; shift
    for seed in $seeds; do
        for precision in fp32 bf16; do
            run=$((run + 1))
            local stem="$tmp/$(printf %04d "$run")"
            echo "$label, seed $seed, $precision" >&2
            "$dtrn" train "$@" --epochs "$epochs" --seed "$seed" --precision "$precision" \
                --threads "$threads" --out "$stem-run" --quiet --json > "$stem-report.json"
            python3 - "$stem-report.json" "$label" "$seed" "$precision" > "$stem.json" <<'PY'
import json, sys
path, label, seed, precision = sys.argv[1:5]
report = json.load(open(path))
print(json.dumps({"label": label, "seed": int(seed), "precision": precision,
                  "auc": {task["name"]: task["auc"] for task in report["tasks"]}}))
PY
            rm -rf "$stem-run" "$stem-report.json"
        done
    done
}

for preset in $presets; do
    for model in $census_models; do
        train "census-income $preset $model" --data census-income --preset "$preset" --model "$model"
    done
done
rows=()
[ -n "$synthetic_rows" ] && rows=(--synthetic-rows "$synthetic_rows")
for conflict in $conflicts; do
    train "synthetic conflict $conflict dtrn" --data synthetic --conflict "$conflict" --model dtrn "${rows[@]}"
done

python3 - "$tmp" "$json_out" "$epochs" <<'PY'
import glob, json, os, statistics, sys
folder, json_out, epochs = sys.argv[1:4]
runs = [json.loads(open(p).read()) for p in sorted(glob.glob(os.path.join(folder, "[0-9][0-9][0-9][0-9].json")))]
if json_out:
    json.dump(runs, open(json_out, "w"), indent=2, sort_keys=True)
table = {}
for r in runs:
    for task, auc in r["auc"].items():
        table.setdefault((r["label"], task), {}).setdefault(r["precision"], []).append(auc)
seeds = len({r["seed"] for r in runs})
print(f"{'configuration':34} {'task':18} {'fp32 mean':>9} {'fp32 range':>15} {'bf16 mean':>9} {'bf16 range':>15} {'Δ mean':>8}  in spread")
verdicts = {}
for (label, task), aucs in table.items():
    fp32, bf16 = aucs["fp32"], aucs["bf16"]
    inside = min(fp32) <= statistics.mean(bf16) <= max(fp32)
    verdicts.setdefault(label, []).append(inside)
    print(f"{label:34} {task:18} {statistics.mean(fp32):9.4f} {min(fp32):7.4f}–{max(fp32):.4f} "
          f"{statistics.mean(bf16):9.4f} {min(bf16):7.4f}–{max(bf16):.4f} {statistics.mean(bf16) - statistics.mean(fp32):+8.4f}  "
          f"{'yes' if inside else 'no'}")
print(f"test AUC of the best validation epoch within {epochs} epochs, {seeds} seeds per precision")
for label, inside in verdicts.items():
    print(f"{label}: bf16 {'recommended' if all(inside) else 'not recommended'}")
PY
