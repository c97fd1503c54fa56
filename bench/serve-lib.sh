# Shared by the serve benchmarks: starts `dtrn serve` and finds its port.
#
#   start_server LOG [dtrn serve options…]   # sets $server (the pid) and $port
#
# Needs $dtrn (the binary). The server listens on 127.0.0.1 and any free port; its output goes
# to LOG. Exits with the log shown when the server does not come up within a minute.
start_server() {
    local log=$1
    shift
    : > "$log"
    env ${EXTRA_ENV:-} "$dtrn" serve --host 127.0.0.1 --port 0 "$@" > "$log" 2>&1 &
    server=$!
    port=
    for _ in $(seq 600); do
        port=$(sed -n 's/^serving .*:\([0-9][0-9]*\)$/\1/p' "$log" | head -n1)
        [[ -n $port ]] && break
        kill -0 $server 2> /dev/null || { cat "$log" >&2; exit 1; }
        sleep 0.1
    done
    [[ -n $port ]] || { echo "dtrn serve did not start" >&2; cat "$log" >&2; exit 1; }
    head -n1 "$log" >&2
}
