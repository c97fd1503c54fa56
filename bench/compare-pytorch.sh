#!/usr/bin/env bash
# dtrn against plain PyTorch (bench/pytorch/models.py) and torch-rechub on Census-Income:
# the same models, presets, batch size, Adam settings and thread count, measured back to
# back for every preset × model × {train, infer} × precision. Prints samples/s, the ratios
# and peak RSS. In each precision every side runs its own way: dtrn with --precision, PyTorch
# and torch-rechub fp32 or under torch.autocast("cpu", dtype=torch.bfloat16).
# With --rounds N, every preset × model × benchmark runs all sides and precisions N times in
# turn, and the ratios are taken within each round (sides measured seconds apart, so that a
# host whose speed drifts over minutes moves both) and reported as their median and range.
# A bf16 row also gives dtrn bf16 over fp32 torch-rechub and over fp32 dtrn, and the share
# of the bf16 peak next to that of the fp32 peak.
#
# Usage: bench/compare-pytorch.sh [--threads N] [--presets "rechub large"]
#          [--models "mmoe ple shared-bottom"] [--precisions "fp32 bf16"] [--seconds S]
#          [--repetitions R] [--rounds N] [--auc-epochs E] [--no-rechub] [--json FILE]
#
# PyTorch lives in a virtual environment (PYTORCH_VENV, default .build/pytorch-venv) made on
# first use with `pip install 'torch==2.13.0+cpu'` and `pip install torch-rechub==0.9.0`.
set -euo pipefail
cd "$(dirname "$0")/.."

threads=$(nproc)
presets="rechub large"
models="mmoe ple shared-bottom"
precisions="fp32 bf16"
seconds=2
repetitions=5
rounds=1
auc_epochs=""
rechub=1
json_out=""
while [ $# -gt 0 ]; do
    case "$1" in
        --threads) threads=$2; shift 2 ;;
        --presets) presets=$2; shift 2 ;;
        --models) models=$2; shift 2 ;;
        --precisions) precisions=$2; shift 2 ;;
        --seconds) seconds=$2; shift 2 ;;
        --repetitions) repetitions=$2; shift 2 ;;
        --rounds) rounds=$2; shift 2 ;;
        --auc-epochs) auc_epochs=$2; shift 2 ;;
        --no-rechub) rechub=0; shift ;;
        --json) json_out=$2; shift 2 ;;
        *) echo "unknown argument: $1 (see the usage at the top of $0)" >&2; exit 2 ;;
    esac
done

venv=${PYTORCH_VENV:-.build/pytorch-venv}
python="$venv/bin/python"
if ! "$python" -c 'import torch' 2>/dev/null; then
    echo "installing PyTorch into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q 'torch==2.13.0+cpu'
fi
if [ "$rechub" = 1 ] && ! "$python" -c 'import torch_rechub' 2>/dev/null; then
    echo "installing torch-rechub into $venv" >&2
    "$venv/bin/pip" install -q 'torch-rechub==0.9.0'
fi
make -s build >/dev/null

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
common=(--threads "$threads" --seconds "$seconds" --repetitions "$repetitions")
# Encode the data once on each side so that no measured process pays for (or keeps the
# memory of) parsing the CSV files.
.build/release/dtrn bench infer --data census-income --preset rechub --model mmoe --repetitions 1 --seconds 0.1 \
    --warmup-seconds 0 --json >/dev/null 2>&1
"$python" bench/pytorch/bench.py infer --repetitions 1 --seconds 0.1 --warmup-seconds 0 >/dev/null

implementations=(pytorch)
[ "$rechub" = 1 ] && implementations+=(torch-rechub)
# Other work on the cores distorts every number (PyTorch's OpenMP threads most of all):
# the load averages before and after tell whether the machine was quiet.
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
run=0
for preset in $presets; do
    for model in $models; do
        for benchmark in train infer; do
            extra=()
            [ "$benchmark" = train ] && [ -n "$auc_epochs" ] && extra=(--auc-epochs "$auc_epochs")
            for round in $(seq "$rounds"); do
                label="$preset $model $benchmark"
                [ "$rounds" -gt 1 ] && label+=" (round $round of $rounds)"
                echo "$label" >&2
                run=$((run + 1))
                stem="$tmp/$(printf %04d "$run")"
                for precision in $precisions; do
                    .build/release/dtrn bench "$benchmark" --data census-income --preset "$preset" --model "$model" \
                        --precision "$precision" "${common[@]}" "${extra[@]}" --json 2>/dev/null > "$stem-dtrn-$precision.json"
                    for implementation in "${implementations[@]}"; do
                        "$python" bench/pytorch/bench.py "$benchmark" --preset "$preset" --model "$model" \
                            --implementation "$implementation" --precision "$precision" "${common[@]}" "${extra[@]}" \
                            > "$stem-$implementation-$precision.json"
                    done
                done
            done
        done
    done
done

python3 - "$tmp" "$json_out" "$load_before" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY'
import statistics, sys
sys.path.insert(0, "bench")
from side_by_side import load_line, load_results, precisions_of, rate, ratio_width, rows_by_run, spread
folder, json_out, load_before, load_after = sys.argv[1:5]
results = load_results(folder, json_out)
rows = rows_by_run(results, lambda r: (r["preset"], r["model"], r["benchmark"]))
precisions = precisions_of(results)
others = [i for i in ("pytorch", "torch-rechub") if any(r["implementation"] == i for r in results)]
short = {"pytorch": "pytorch", "torch-rechub": "rechub"}
rounds = max(len(runs) for runs in rows.values())
width = ratio_width(rows)
# The ratio columns: (heading, other side's implementation, other side's precision or None for the row's own).
columns = [("÷" + short[i], i, None) for i in others]
if "bf16" in precisions and "fp32" in precisions:
    columns += [("÷" + short[i] + " fp32", i, "fp32") for i in others if i == "torch-rechub"] + [("÷dtrn fp32", "dtrn", "fp32")]
head = f"{'preset':7} {'model':13} {'bench':5} {'prec':4} {'dtrn/s':>9}" + "".join(f" {short[i] + '/s':>9}" for i in others)
head += "".join(f" {title:>{width}}" for title, _, _ in columns) + f" {'dtrn GF/s':>9} {'%fp32pk':>7} {'%bf16pk':>7}"
head += f" {'RSS MB':>7}" + "".join(f" {short[i][:7]:>7}" for i in others)
if any("testAUC" in r for r in results):
    head += "  test AUC (dtrn | " + " | ".join(short[i] for i in others) + ")"
print(head)
for (preset, model, benchmark), runs in rows.items():
    for precision in precisions:
        ours = [run[("dtrn", precision)] for run in runs]
        median_of = lambda implementation: statistics.median(rate(run[(implementation, precision)]) for run in runs)
        line = f"{preset:7} {model:13} {benchmark:5} {precision:4} {median_of('dtrn'):9.0f}"
        line += "".join(f" {median_of(i):9.0f}" for i in others)
        for _, implementation, against in columns:
            text = "" if against == precision else spread(
                [rate(run[("dtrn", precision)]) / rate(run[(implementation, against or precision)]) for run in runs])
            line += f" {text:>{width}}"
        gflops = statistics.median(r["gflops"] for r in ours)
        bf16_peak = ours[0].get("bf16PeakGflops")
        line += f" {gflops:9.1f} {100 * gflops / ours[0]['peakGflops']:7.1f}"
        line += f" {100 * gflops / bf16_peak:7.1f}" if bf16_peak else f" {'-':>7}"
        line += f" {max(r['peakResidentMegabytes'] for r in ours):7d}"
        line += "".join(f" {max(run[(i, precision)]['peakResidentMegabytes'] for run in runs):7d}" for i in others)
        if "testAUC" in ours[0]:
            fmt = lambda r: " ".join(f"{v:.4f}" for _, v in sorted(r.get("testAUC", {}).items()))
            line += "  " + " | ".join(fmt(r) for r in [ours[0]] + [runs[0][(i, precision)] for i in others])
        print(line)
print(f"samples/s: median over {rounds} round(s) of each side's median of {results[0]['repetitions']} runs of "
      f"{results[0]['secondsPerRepetition']} s, {results[0]['threads']} threads, batch {results[0]['batchSize']}; "
      f"÷ = dtrn's rate in the row's precision over the other's (in the row's precision unless named), "
      f"taken within each round (median, and range over the rounds)")
print(load_line(load_before, load_after))
PY
