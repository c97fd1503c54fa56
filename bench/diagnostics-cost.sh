#!/usr/bin/env bash
# What gradient-conflict diagnostics cost in training speed: `dtrn train` one epoch on the
# synthetic data without diagnostics and with `--diagnostics-every K` for each K, interleaved
# ROUNDS times per model; prints the median epoch samples/s (from metrics.jsonl) and the
# ratio to the run without. The diagnosed step takes one extra forward and backward per task,
# so the expected cost is about T/K of a step for T tasks.
#
#   bench/diagnostics-cost.sh [ROUNDS [ROWS]]      (needs .build/release/dtrn: make build; jq)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/openblas-env
rounds=${1:-3} rows=${2:-100000}
dtrn=$(realpath .build/release/dtrn)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
models=("mmoe|--model mmoe" "dtrn+mmoe|--backbone mmoe")
settings=(off 50 10)
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
printf "%-10s %-9s %13s %8s\n" model setting "samples/s" ratio
for model in "${models[@]}"; do
    name=${model%%|*}
    read -r -a args <<< "${model#*|}"
    declare -A speeds=()
    for _ in $(seq "$rounds"); do
        for setting in "${settings[@]}"; do
            extra=(); [ "$setting" = off ] || extra=(--diagnostics --diagnostics-every "$setting")
            rm -rf "$scratch/run"
            "$dtrn" train "${args[@]}" --epochs 1 --synthetic-rows "$rows" --synthetic-eval-rows 2000 \
                --threads 2 "${extra[@]}" --out "$scratch/run" > /dev/null 2>&1
            speeds[$setting]+="$(jq '.samplesPerSecond' "$scratch/run/metrics.jsonl") "
        done
    done
    off=$(echo "${speeds[off]}" | tr ' ' '\n' | grep . | median)
    for setting in "${settings[@]}"; do
        value=$(echo "${speeds[$setting]}" | tr ' ' '\n' | grep . | median)
        label=$([ "$setting" = off ] && echo off || echo "K=$setting")
        printf "%-10s %-9s %13.0f %8.3f\n" "$name" "$label" "$value" "$(echo "$value / $off" | bc -l)"
    done
    unset speeds
done
