#!/usr/bin/env bash
# Kill-and-resume battery: trains a small run to completion, then repeats the same run with
# `kill -9` at random moments — uniform delays over the whole run, and kills timed right as a
# checkpoint's temporary folder or its final folder appears — and `--resume` until it finishes.
# After every kill the run folder's `latest` must be a complete checkpoint (`dtrn eval` loads
# it, verifying every tensor file's checksums) and every visible epoch folder complete; at the
# end every run's final model and optimiser files, run.json and metrics.jsonl must be
# byte-identical to the uninterrupted run's (metrics.jsonl with its two wall-clock fields,
# `seconds` and `samplesPerSecond`, blanked), with no temporary file or folder left behind. Prints one line per kill and a summary; exits 1 on
# any mismatch or bad checkpoint.
#
#   bench/kill-resume.sh [KILLS]     (default 20; DTRN=path/to/dtrn, default .build/release/dtrn
#                                     or else .build/debug/dtrn; ROWS, EPOCHS, SEED)
set -euo pipefail
cd "$(dirname "$0")/.."
kills=${1:-20}
rows=${ROWS:-2000}
epochs=${EPOCHS:-8}
RANDOM=${SEED:-21}
dtrn=${DTRN:-}
if [[ -z $dtrn ]]; then
    for candidate in .build/release/dtrn .build/debug/dtrn; do
        if [[ -x $candidate ]]; then dtrn=$candidate; break; fi
    done
fi
[[ -n $dtrn && -x $dtrn ]] || { echo "no dtrn binary: build it (swift build) or set DTRN" >&2; exit 2; }
[[ $kills =~ ^[0-9]+$ && $kills -ge 1 ]] || { echo "KILLS must be a positive integer, found '$kills'" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/kill-resume.XXXXXX")
trap 'rm -rf "$work"' EXIT
cat > "$work/run.yaml" <<EOF
model: {model: shared-bottom, embeddingDimension: 4, bottomHidden: [16], towerHidden: [8]}
training: {batchSize: 100, patience: 0}
EOF
args=(train --synthetic-rows "$rows" --synthetic-eval-rows 200 --epochs "$epochs" --config "$work/run.yaml" --threads 1)

now_ms() { date +%s%3N; }
# A descriptor that never has data, for pauses of a millisecond without starting a process.
exec {pause}<> <(:)
# The metrics file without its wall-clock fields.
steady_metrics() { sed -E 's/"(seconds|samplesPerSecond)":[-+0-9.eE]+/"\1":_/g' "$1/metrics.jsonl"; }

start=$(now_ms)
"$dtrn" "${args[@]}" --out "$work/reference" > "$work/reference.log" 2>&1
run_ms=$(( $(now_ms) - start ))
echo "reference run: $epochs epochs of $rows rows in $run_ms ms ($dtrn)"

# Checks the run folder $1 right after a kill; prints what it found.
check_after_kill() {
    local run=$1 latest best folder
    for folder in "$run"/epoch-*; do
        [[ -d $folder ]] || continue
        for file in checkpoint.json model.tensors optimizer.tensors; do
            [[ -f $folder/$file ]] || { echo "incomplete ${folder##*/} (no $file)"; return 1; }
        done
    done
    [[ -f $run/run.json ]] || { echo "no checkpoint yet"; return 0; }
    latest=$(sed -nE 's/.*"latest" : "([^"]+)".*/\1/p' "$run/run.json")
    best=$(sed -nE 's/.*"best" : "([^"]+)".*/\1/p' "$run/run.json")
    [[ -d $run/$best ]] || { echo "best $best missing"; return 1; }
    if "$dtrn" eval --checkpoint "$run/$latest" --json > "$run.eval" 2>&1; then
        echo "latest $latest loads"
    else
        echo "latest $latest does not load: $(tail -1 "$run.eval")"; return 1
    fi
}

# Starts the run in folder $1, resuming when it has a checkpoint; sets $pid.
start_run() {
    local resume=()
    if [[ -f $1/run.json ]]; then resume=(--resume); resumes=$(( resumes + 1 )); fi
    "$dtrn" "${args[@]}" --out "$1" "${resume[@]}" >> "$1.log" 2>&1 &
    pid=$!
}

# Waits, by mode, for the moment to kill the run in folder $1 (process $pid).
wait_for_moment() {
    local run=$1 mode=$2 seen target
    case $mode in
    random)
        sleep "$(awk -v r="$RANDOM" -v ms="$run_ms" 'BEGIN { printf "%.3f", r / 32768 * ms * 1.1 / 1000 }')" ;;
    writing|written)
        # The checkpoint of a random epoch from the next one on: its temporary folder (writing)
        # or its final folder (written).
        seen=$(compgen -G "$run/epoch-*" | wc -l || true)
        target=$(printf "epoch-%03d" $(( seen + 1 + RANDOM % (epochs - seen > 0 ? epochs - seen : 1) )))
        while kill -0 "$pid" 2> /dev/null; do
            read -r -t 0.001 -u "$pause" || true
            if [[ $mode == writing ]] && compgen -G "$run/.$target.tmp-*" > /dev/null; then return; fi
            if [[ $mode == written && -d $run/$target ]]; then return; fi
        done ;;
    esac
}

modes=(random writing random written)
survived=0 missed=0 bad=0 mismatches=0 resumes=0 trial=0
declare -A by_mode=()
while (( survived < kills )); do
    trial=$(( trial + 1 ))
    run="$work/run-$trial"
    kills_this_trial=$(( 1 + RANDOM % 2 ))
    for (( k = 0; k < kills_this_trial && survived < kills; k++ )); do
        mode=${modes[$(( (survived + missed) % ${#modes[@]} ))]}
        start_run "$run"
        wait_for_moment "$run" "$mode"
        if kill -9 "$pid" 2> /dev/null; then
            wait "$pid" 2> /dev/null || true
            survived=$(( survived + 1 ))
            by_mode[$mode]=$(( ${by_mode[$mode]:-0} + 1 ))
            if state=$(check_after_kill "$run"); then :; else bad=$(( bad + 1 )); fi
            printf "kill %2d (trial %d, %-7s): %s\n" "$survived" "$trial" "$mode" "$state"
        else
            wait "$pid" 2> /dev/null || true
            missed=$(( missed + 1 ))
        fi
    done
    # Resume until it finishes.
    until grep -q "\"latest\" : \"$(printf "epoch-%03d" "$epochs")\"" "$run/run.json" 2> /dev/null; do
        start_run "$run"
        wait "$pid" || { echo "trial $trial: the resumed run failed: $(tail -1 "$run.log")"; bad=$(( bad + 1 )); break; }
    done
    final=$(printf "epoch-%03d" "$epochs")
    for file in "$final/model.tensors" "$final/optimizer.tensors" run.json; do
        cmp -s "$work/reference/$file" "$run/$file" || { echo "trial $trial: $file differs"; mismatches=$(( mismatches + 1 )); }
    done
    cmp -s <(steady_metrics "$work/reference") <(steady_metrics "$run") \
        || { echo "trial $trial: metrics.jsonl differs"; mismatches=$(( mismatches + 1 )); }
    leftovers=$(find "$run" -mindepth 1 -maxdepth 1 -name '.*' -printf '%f ')
    [[ -z $leftovers ]] || { echo "trial $trial: temporary files left: $leftovers"; mismatches=$(( mismatches + 1 )); }
done
echo "kills survived: $survived of $kills (random ${by_mode[random]:-0}, while a checkpoint was being written ${by_mode[writing]:-0}, as one appeared ${by_mode[written]:-0}); kills that came after the run had ended: $missed"
echo "runs: $trial, resumes from a checkpoint: $resumes; bad checkpoints after a kill: $bad; final files differing from the uninterrupted run: $mismatches"
(( bad == 0 && mismatches == 0 ))
