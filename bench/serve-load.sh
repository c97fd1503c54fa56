#!/usr/bin/env bash
# Load benchmark of `dtrn serve` with wrk, against 127.0.0.1 only: requests/s and p50/p99
# latency for single-instance and 100-instance scoring requests, bounded in time, on
# POST /v1/score and on the KServe v2 POST /v2/models/<name>/infer with the same instances.
#
#   bench/serve-load.sh CHECKPOINT [SECONDS=15] [CONNECTIONS=16] [-- extra dtrn serve options]
#
# Instances are drawn from the checkpoint's own schema (known vocabulary tokens, numbers
# near the training mean, full-length sequences), so every request is valid. Prints one JSON
# line per endpoint and request size: {"endpoint", "instances", "requests_per_s",
# "instances_per_s", "p50_ms", "p99_ms", "errors"}, errors counting connect/read/write/timeout
# failures and non-2xx answers.
set -euo pipefail
checkpoint=${1:?usage: bench/serve-load.sh CHECKPOINT [SECONDS] [CONNECTIONS] [-- serve options]}
seconds=${2:-15}
connections=${3:-16}
shift $(( $# < 3 ? $# : 3 ))
[[ ${1:-} == "--" ]] && shift
dtrn=${DTRN:-.build/release/dtrn}
command -v wrk > /dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }

work=$(mktemp -d)
server=
trap '[[ -n $server ]] && kill -TERM $server 2> /dev/null; wait 2> /dev/null; rm -rf "$work"' EXIT

python3 "$(dirname "$0")/score-bodies.py" "$checkpoint" "$work"

source "$(dirname "$0")/serve-lib.sh"
start_server "$work/serve.log" --checkpoint "$checkpoint" --model-name bench "$@"

for endpoint in /v1/score /v2/models/bench/infer; do
  prefix=$([[ $endpoint == /v1/* ]] && echo body || echo v2-body)
  for count in 1 100; do
    cat > "$work/post-$count.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = io.open("$work/$prefix-$count.json"):read("*a")
function done(summary, latency, requests)
    local e = summary.errors
    local errors = e.connect + e.read + e.write + e.timeout + e.status
    local rate = summary.requests / (summary.duration / 1e6)
    io.write(string.format('{"endpoint": "$endpoint", "instances": %d, "requests_per_s": %.1f, "instances_per_s": %.1f, "p50_ms": %.2f, "p99_ms": %.2f, "errors": %d}\n',
        $count, rate, rate * $count, latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors))
end
LUA
    # A short warm-up, then the measured run.
    wrk -t1 -c"$connections" -d2s -s "$work/post-$count.lua" "http://127.0.0.1:$port$endpoint" > /dev/null
    wrk -t1 -c"$connections" -d"${seconds}s" --timeout 10s -s "$work/post-$count.lua" "http://127.0.0.1:$port$endpoint" | tail -n1
  done
done
