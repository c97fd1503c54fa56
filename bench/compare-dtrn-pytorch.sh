#!/usr/bin/env bash
# dtrn's DTRN against DTRN in plain PyTorch (bench/pytorch/dtrn_model.py) on dtrn's default
# synthetic data: the same model (parameter count and FLOPs), batch size, Adam settings and
# thread count, measured back to back for every backbone × {train, infer} × precision. In each
# precision every side runs its own way: dtrn with --precision, PyTorch fp32 or under
# torch.autocast("cpu", dtype=torch.bfloat16). Prints samples/s of both, dtrn ÷ PyTorch in the
# same precision, dtrn bf16 ÷ dtrn fp32, dtrn's share of the fp32 peak and (bf16 rows) of the
# bf16 peak, and peak RSS.
# With --rounds N, every backbone × benchmark runs both sides and all precisions N times in
# turn, and the ratios are taken within each round (sides measured seconds apart, so that a host
# whose speed drifts over minutes moves both) and reported as their median and range.
#
# Usage: bench/compare-dtrn-pytorch.sh [--threads N] [--backbones "towers mmoe"]
#          [--precisions "fp32 bf16"] [--seconds S] [--repetitions R] [--rounds N] [--json FILE]
#
# PyTorch lives in a virtual environment (PYTORCH_VENV, default .build/pytorch-venv) made on
# first use with `pip install 'torch==2.13.0+cpu' numpy`. Both sides read the same rows: dtrn
# generates them in its process, the PyTorch side from the store `dtrn data generate --out
# data-cache/pytorch/synthetic-store` writes (made here once, before anything is measured).
set -euo pipefail
cd "$(dirname "$0")/.."

threads=$(nproc)
backbones="towers"
precisions="fp32 bf16"
seconds=2
repetitions=5
rounds=1
json_out=""
while [ $# -gt 0 ]; do
    case "$1" in
        --threads) threads=$2; shift 2 ;;
        --backbones) backbones=$2; shift 2 ;;
        --precisions) precisions=$2; shift 2 ;;
        --seconds) seconds=$2; shift 2 ;;
        --repetitions) repetitions=$2; shift 2 ;;
        --rounds) rounds=$2; shift 2 ;;
        --json) json_out=$2; shift 2 ;;
        *) echo "unknown argument: $1 (see the usage at the top of $0)" >&2; exit 2 ;;
    esac
done

venv=${PYTORCH_VENV:-.build/pytorch-venv}
python="$venv/bin/python"
if ! "$python" -c 'import torch, numpy' 2>/dev/null; then
    echo "installing PyTorch into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q 'torch==2.13.0+cpu' numpy
fi
make -s build >/dev/null

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
common=(--threads "$threads" --seconds "$seconds" --repetitions "$repetitions")
store=data-cache/pytorch/synthetic-store
# Write the store once, so that no measured process pays for generating it.
[ -f "$store/manifest.json" ] || .build/release/dtrn data generate --out "$store" >/dev/null

# Other work on the cores distorts every number (PyTorch's OpenMP threads most of all):
# the load averages before and after tell whether the machine was quiet.
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
run=0
for backbone in $backbones; do
    for benchmark in train infer; do
        for round in $(seq "$rounds"); do
            label="dtrn-$backbone $benchmark"
            [ "$rounds" -gt 1 ] && label+=" (round $round of $rounds)"
            echo "$label" >&2
            run=$((run + 1))
            stem="$tmp/$(printf %04d "$run")"
            for precision in $precisions; do
                .build/release/dtrn bench "$benchmark" --data synthetic --model dtrn --backbone "$backbone" \
                    --precision "$precision" "${common[@]}" --json 2>/dev/null > "$stem-dtrn-$precision.json"
                "$python" bench/pytorch/dtrn_bench.py "$benchmark" --backbone "$backbone" --store "$store" \
                    --precision "$precision" "${common[@]}" > "$stem-pytorch-$precision.json"
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
rows = rows_by_run(results, lambda r: (r["model"], r["benchmark"]))
parameters = {}
for r in results:
    parameters.setdefault(r["model"], {})[r["implementation"]] = r["parameters"]
for model, counts in parameters.items():
    if len(set(counts.values())) > 1:
        print(f"warning: {model} parameters differ: {counts}", file=sys.stderr)
precisions = precisions_of(results)
rounds = max(len(runs) for runs in rows.values())
width = ratio_width(rows)
both = "bf16" in precisions and "fp32" in precisions
head = f"{'model':12} {'bench':5} {'prec':4} {'dtrn/s':>9} {'pytorch/s':>9} {'÷pytorch':>{width}}"
head += f" {'÷dtrn fp32':>{width}}" if both else ""
head += f" {'dtrn GF/s':>9} {'%fp32pk':>7} {'%bf16pk':>7} {'RSS MB':>7} {'pytorch':>7}"
print(head)
for (model, benchmark), runs in rows.items():
    for precision in precisions:
        ours = [run[("dtrn", precision)] for run in runs]
        median_of = lambda implementation: statistics.median(rate(run[(implementation, precision)]) for run in runs)
        line = f"{model:12} {benchmark:5} {precision:4} {median_of('dtrn'):9.0f} {median_of('pytorch'):9.0f}"
        line += f" {spread([rate(run[('dtrn', precision)]) / rate(run[('pytorch', precision)]) for run in runs]):>{width}}"
        if both:
            text = "" if precision == "fp32" else spread([rate(run[("dtrn", "bf16")]) / rate(run[("dtrn", "fp32")]) for run in runs])
            line += f" {text:>{width}}"
        gflops = statistics.median(r["gflops"] for r in ours)
        line += f" {gflops:9.1f} {100 * statistics.median(r['peakFraction'] for r in ours):7.1f}"
        line += (f" {100 * statistics.median(r['bf16PeakFraction'] for r in ours):7.1f}"
                 if ours[0].get("bf16PeakFraction") is not None else f" {'-':>7}")
        line += f" {max(r['peakResidentMegabytes'] for r in ours):7d}"
        line += f" {max(run[('pytorch', precision)]['peakResidentMegabytes'] for run in runs):7d}"
        print(line)
first = results[0]
print(f"samples/s: median over {rounds} round(s) of each side's median of {first['repetitions']} runs of "
      f"{first['secondsPerRepetition']} s, {first['threads']} threads, batch {first['batchSize']}; "
      f"÷ = dtrn's rate over PyTorch's in the row's precision (÷dtrn fp32: dtrn bf16 over dtrn fp32), "
      f"taken within each round (median, and range over the rounds); GFLOP/s and peak shares count the "
      f"dense products ({first['flopsPerSample'] / 1e6:.2f} MFLOP per sample in the first row, sequences at their padded length)")
print(load_line(load_before, load_after))
PY
