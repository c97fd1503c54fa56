#!/usr/bin/env bash
# Data-parallel scaling on one machine: for each workload, `dtrn bench train` with 1 process ×
# 2 threads and then under `mpirun -np 2` with 2 processes × 1 thread, at the same global batch,
# interleaved ROUNDS times; prints samples/s side by side, the scaling efficiency
# (2 × 1 over 1 × 2) and the per-step communication model of the distributed run.
#
#   bench/distributed-scaling.sh [ROUNDS]      (needs .build/release/dtrn: make build)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/openblas-env
rounds=${1:-2}
dtrn=.build/release/dtrn
mpirun=(mpirun -np 2 --bind-to core --map-by core --allow-run-as-root --mca btl self,vader)
workloads=(
    "census rechub MMoE|--data census-income --preset rechub --model mmoe"
    "census large PLE|--data census-income --preset large --model ple"
    "census large MMoE|--data census-income --preset large --model mmoe"
    "synthetic DTRN|--model dtrn --batch-size 1024"
)
common=(--repetitions 3 --seconds 3 --warmup-seconds 2 --json)
median() { python3 -c 'import json,sys; print(json.load(sys.stdin)["samplesPerSecond"]["median"])'; }
printf "%-20s %14s %14s %11s\n" workload "1×2 samples/s" "2×1 samples/s" efficiency
for workload in "${workloads[@]}"; do
    name=${workload%%|*}
    read -r -a args <<< "${workload#*|}"
    one=(); two=()
    for _ in $(seq "$rounds"); do
        one+=("$($dtrn bench train "${args[@]}" --threads 2 "${common[@]}" 2>/dev/null | median)")
        out=$("${mpirun[@]}" $dtrn bench train "${args[@]}" --threads 1 "${common[@]}" 2>/dev/null)
        two+=("$(echo "$out" | median)")
    done
    python3 - "$name" "${one[*]}" "${two[*]}" <<'PY'
import statistics, sys
name, one, two = sys.argv[1], [float(v) for v in sys.argv[2].split()], [float(v) for v in sys.argv[3].split()]
a, b = statistics.median(one), statistics.median(two)
print(f"{name:<20} {a:14.0f} {b:14.0f} {100 * b / a:10.1f} %")
PY
    echo "$out" | python3 -c '
import json, sys
for e in json.load(sys.stdin).get("communication", []):
    print("    comm model %2d processes: %.2f MB sent per process per step, %.2f ms at 25 Gbit/s, %.2f ms at 100 Gbit/s"
          % (e["processes"], e["megabytesSentPerStep"], e["millisecondsAt25Gbit"], e["millisecondsAt100Gbit"]))'
done
