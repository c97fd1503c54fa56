#!/usr/bin/env bash
# Soak test of `dtrn serve`: wrk load of well-formed requests for SECONDS while a second client
# sends malformed and hostile ones (bench/serve-malformed.py), and a corrupted checkpoint is
# hot-reloaded halfway.
#
#   bench/serve-soak.sh CHECKPOINT [SECONDS=600] [CONNECTIONS=8]
#
# The server serves a run folder holding a copy of CHECKPOINT (a checkpoint or run folder; its
# best one) with --reload-on-change; halfway, a new checkpoint with a fresh id and a garbage
# model file is published as the run's best, so the reload fails and the old model must stay. Prints one JSON object: well-formed requests and their non-2xx answers
# (5xx counted apart), the malformed client's tally, whether the failed reload was logged and
# the scores stayed the same, the server's RSS after warm-up, every 30 s, at the end and its peak, and
# whether it is still alive. Exits non-zero when any goal is missed.
set -euo pipefail
checkpoint=${1:?usage: bench/serve-soak.sh CHECKPOINT [SECONDS] [CONNECTIONS]}
seconds=${2:-600}
connections=${3:-8}
dtrn=${DTRN:-.build/release/dtrn}
here=$(dirname "$0")
command -v wrk > /dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }

work=$(mktemp -d)
server=
trap '[[ -n $server ]] && kill -TERM $server 2> /dev/null; wait 2> /dev/null; rm -rf "$work"' EXIT

# Serve a run folder of a copy, to which the test publishes a corrupted checkpoint.
source_folder=$checkpoint
[[ -f $checkpoint/checkpoint.json ]] || source_folder=$checkpoint/$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["best"])' "$checkpoint/run.json")
mkdir "$work/run"
cp -r "$source_folder" "$work/run/epoch-001"
echo '{"formatVersion": 1, "best": "epoch-001", "latest": "epoch-001"}' > "$work/run/run.json"
publish_corrupted() {
    cp -r "$work/run/epoch-001" "$work/run/.epoch-002"
    python3 - "$work/run/.epoch-002/checkpoint.json" <<'PY'
import json, sys, uuid
state = json.load(open(sys.argv[1]))
state["id"] = str(uuid.uuid4())
json.dump(state, open(sys.argv[1], "w"))
PY
    head -c 4096 /dev/urandom > "$work/run/.epoch-002/model.tensors"
    mv "$work/run/.epoch-002" "$work/run/epoch-002"
    echo '{"formatVersion": 1, "best": "epoch-002", "latest": "epoch-002"}' > "$work/run/run.json.tmp"
    mv "$work/run/run.json.tmp" "$work/run/run.json"
}
python3 "$here/score-bodies.py" "$work/run/epoch-001" "$work"

source "$here/serve-lib.sh"
start_server "$work/serve.log" --checkpoint "$work/run" --reload-on-change --reload-interval 1
url="http://127.0.0.1:$port/v1/score"
score() { curl -sS -X POST -H 'Content-Type: application/json' --data-binary @"$work/body-100.json" "$url"; }
rss() { awk '/^VmRSS/ { print int($2 / 1024) }' /proc/$server/status; }

cat > "$work/soak.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = io.open("$work/body-1.json"):read("*a")
local statuses = {}
function response(status, headers, body)
    statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format('{"requests": %d, "non_2xx": %d, "socket_errors": %d, "requests_per_s": %.1f, "p99_ms": %.2f}\n',
        summary.requests, e.status, e.connect + e.read + e.write + e.timeout,
        summary.requests / (summary.duration / 1e6), latency:percentile(99) / 1000))
end
LUA
# Warm up, then note the resident memory.
wrk -t1 -c"$connections" -d5s -s "$work/soak.lua" "$url" > /dev/null
rss_start=$(rss)
before=$(score)

wrk -t1 -c"$connections" -d"${seconds}s" --timeout 10s -s "$work/soak.lua" "$url" | tail -n1 > "$work/wrk.json" &
load=$!
python3 "$here/serve-malformed.py" "$port" "$seconds" "$work/body-1.json" > "$work/malformed.json" &
malformed=$!

rss_peak=$rss_start
rss_samples=$rss_start
elapsed=0
corrupted=false
while kill -0 $load 2> /dev/null; do
    sleep 1
    elapsed=$((elapsed + 1))
    kill -0 $server 2> /dev/null || break
    current=$(rss)
    (( current > rss_peak )) && rss_peak=$current
    (( elapsed % 30 == 0 )) && rss_samples+=", $current"
    if ! $corrupted && (( elapsed >= seconds / 2 )); then
        publish_corrupted
        corrupted=true
    fi
done
wait $load || true
wait $malformed || true
alive=false
kill -0 $server 2> /dev/null && alive=true
rss_end=$($alive && rss || echo 0)
after=$($alive && score || echo '')
reload_refused=false
grep -q "could not be loaded; still serving" "$work/serve.log" && reload_refused=true
same_scores=false
[[ -n $after && $before == "$after" ]] && same_scores=true

python3 - "$work/wrk.json" "$work/malformed.json" <<PY
import json, sys
load, malformed = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
result = {"seconds": $seconds, "well_formed": load, "malformed": malformed,
          "failed_reload_logged": "$reload_refused" == "true", "scores_unchanged_after_failed_reload": "$same_scores" == "true",
          "rss_mb": {"after_warm_up": $rss_start, "end": $rss_end, "peak": $rss_peak, "every_30_s": [$rss_samples]}, "server_alive": "$alive" == "true"}
print(json.dumps(result, indent=1))
ok = (result["server_alive"] and load["non_2xx"] == 0 and load["socket_errors"] == 0 and malformed["violations"] == 0
      and result["failed_reload_logged"] and result["scores_unchanged_after_failed_reload"])
sys.exit(0 if ok else 1)
PY
