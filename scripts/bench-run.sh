#!/usr/bin/env bash
# Resource use of the runner: supervisord 4.3.0 and `supc run`, one after
# the other in one run, each supervising the same $BENCH_PROCESSES idle
# programs (default 300, startsecs=1). Prints, for each: the time from
# launch to the last `spawned:` line and to the last `success:` line
# (every process RUNNING; from the main log's timestamps), the
# supervisor's own resident memory (VmRSS, children excluded) once every
# process is RUNNING, and the CPU time it used while idle for
# $BENCH_SECONDS seconds (default 10).
#
#   bash scripts/bench-run.sh            # builds target/release/supc if needed
#   SUPC=target/debug/supc bash scripts/bench-run.sh
#
# supervisord comes from the oracle's python (SUPC_ORACLE_PYTHON, or
# .venv-oracle/bin/python; scripts/setup-oracle.sh creates it).
set -euo pipefail

cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."
root=$(pwd)
python=${SUPC_ORACLE_PYTHON:-$root/.venv-oracle/bin/python}
seconds=${BENCH_SECONDS:-10}
count=${BENCH_PROCESSES:-300}
if [ -z "${SUPC:-}" ]; then
    SUPC=$root/target/release/supc
    [ -x "$SUPC" ] || cargo build --release --quiet
fi
[ -x "$python" ] || { echo "no oracle python at $python" >&2; exit 2; }

work=$(mktemp -d /tmp/supc-bench.XXXXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    sleep 1
    for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

config() { # DIR
    cat <<EOF
[supervisord]
logfile=$1/supervisord.log
pidfile=$1/supervisord.pid
childlogdir=$1

[unix_http_server]
file=$1/s.sock

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://$1/s.sock

EOF
    local i
    for i in $(seq -f '%03g' 1 "$count"); do
        printf '\n[program:idle_%s]\ncommand=sleep 100000\nstartsecs=1\n' "$i"
    done
}

# nanoseconds a pid has spent on a CPU
cpu_ns() { awk '{print $1}' "/proc/$1/schedstat"; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
# seconds since the epoch of the last main log line containing $2
log_time() { # LOG NEEDLE
    local stamp
    stamp=$(grep -F "$2" "$1" | tail -1 | cut -d' ' -f1,2 | tr , .)
    date -d "$stamp" +%s.%N
}

measure() { # NAME DIR COMMAND...
    local name=$1 dir=$2
    shift 2
    mkdir -p "$dir"
    config "$dir" > "$dir/supervisord.conf"
    local launched
    launched=$(date +%s.%N)
    "$@" "$dir/supervisord.conf" > "$dir/console.log" 2>&1 &
    local pid=$!
    pids+=("$pid")
    local waited=0
    local n=0
    until [ "$n" -ge "$count" ]; do
        sleep 0.5
        waited=$((waited + 1))
        if [ "$waited" -gt 120 ]; then
            echo "$name: processes did not all reach RUNNING" >&2
            return 1
        fi
        n=$(grep -c 'success: idle_' "$dir/supervisord.log" 2>/dev/null || true)
        n=${n:-0}
    done
    sleep 1
    local rss t0 t1 spawned running
    spawned=$(echo "$(log_time "$dir/supervisord.log" "spawned: ") - $launched" | bc -l)
    running=$(echo "$(log_time "$dir/supervisord.log" "success: ") - $launched" | bc -l)
    rss=$(rss_kb "$pid")
    t0=$(cpu_ns "$pid")
    sleep "$seconds"
    t1=$(cpu_ns "$pid")
    printf '%-12s all spawned %5.2f s   all RUNNING %5.2f s   RSS %6.1f MB   CPU %7.1f ms over %ss idle (%.3f%%)\n' "$name" \
        "$spawned" "$running" "$(echo "$rss / 1024" | bc -l)" \
        "$(echo "($t1 - $t0) / 1000000" | bc -l)" "$seconds" \
        "$(echo "($t1 - $t0) / 10000000 / $seconds" | bc -l)"
    kill -TERM "$pid"
    wait "$pid" || true
}

echo "$count idle programs (sleep), startsecs=1; supervisor process only, children excluded"
measure supervisord "$work/supervisord" "$python" -m supervisor.supervisord -n -c
measure "supc run" "$work/supc" "$SUPC" run --quiet
