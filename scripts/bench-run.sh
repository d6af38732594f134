#!/usr/bin/env bash
# Resource use of the runner: supervisord 4.3.0 and `supc run` (and,
# with SUPC_OLD, a second supc build to compare with), one after the
# other in one run, each supervising the same $BENCH_PROCESSES idle
# programs (default 300, startsecs=1). Measures, for each: the time from
# launch to the last `spawned:` line and to the last `success:` line
# (every process RUNNING; from the main log's timestamps), the
# supervisor's own resident memory (VmRSS, children excluded) once every
# process is RUNNING and its peak (VmHWM), and the CPU time it used while
# idle for $BENCH_SECONDS seconds (default 10). Prints a Markdown table
# with the ratios to supervisord (and of the new supc to the old one).
#
#   bash scripts/bench-run.sh            # builds target/release/supc if needed
#   SUPC=target/debug/supc bash scripts/bench-run.sh
#   SUPC_OLD=../old/target/release/supc bash scripts/bench-run.sh
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
if [ -n "${SUPC_OLD:-}" ] && [ ! -x "$SUPC_OLD" ]; then
    echo "SUPC_OLD=$SUPC_OLD is not an executable" >&2
    exit 2
fi

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
status_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; } # PID FIELD
# seconds since the epoch of the last main log line containing $2
log_time() { # LOG NEEDLE
    local stamp
    stamp=$(grep -F "$2" "$1" | tail -1 | cut -d' ' -f1,2 | tr , .)
    date -d "$stamp" +%s.%N
}

# One row per measured supervisor: name, spawned s, RUNNING s, RSS MB,
# peak RSS MB, idle CPU ms.
rows=()

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
    local rss hwm t0 t1 spawned running
    spawned=$(echo "$(log_time "$dir/supervisord.log" "spawned: ") - $launched" | bc -l)
    running=$(echo "$(log_time "$dir/supervisord.log" "success: ") - $launched" | bc -l)
    rss=$(status_kb "$pid" VmRSS)
    hwm=$(status_kb "$pid" VmHWM)
    t0=$(cpu_ns "$pid")
    sleep "$seconds"
    t1=$(cpu_ns "$pid")
    rows+=("$name|$spawned|$running|$(echo "$rss / 1024" | bc -l)|$(echo "$hwm / 1024" | bc -l)|$(echo "($t1 - $t0) / 1000000" | bc -l)")
    echo "measured $name" >&2
    kill -TERM "$pid"
    wait "$pid" || true
}

# "VALUE (RATIO× BASE)" cells: a value with its ratio to the same column
# of the given row.
cell() { # FORMAT VALUE BASE...
    local format=$1 value=$2
    shift 2
    printf "$format" "$value"
    local base
    for base in "$@"; do
        if [ "$(echo "$base == 0" | bc -l)" = 1 ]; then
            printf ' (n/a)'
        else
            printf ' (%.2f×)' "$(echo "$value / $base" | bc -l)"
        fi
    done
}

table() {
    local ratio_note="ratio to supervisord"
    [ "${#rows[@]}" -gt 2 ] && ratio_note="ratios to supervisord, then to the old supc"
    echo "$count idle programs (sleep), startsecs=1; the supervisor process only, children excluded; $ratio_note"
    echo
    echo "| runner | all spawned (s) | all RUNNING (s) | RSS (MB) | peak RSS (MB) | CPU idle (ms / ${seconds} s) |"
    echo "|---|---|---|---|---|---|"
    local base=() old=() row i k f
    IFS='|' read -r -a base <<< "${rows[0]}"
    for i in "${!rows[@]}"; do
        IFS='|' read -r -a row <<< "${rows[$i]}"
        local cols=()
        for k in 1 2 3 4 5; do
            f='%.2f'
            [ "$k" -ge 3 ] && f='%.1f'
            local bases=()
            [ "$i" -gt 0 ] && bases+=("${base[$k]}")
            [ "$i" -gt 1 ] && bases+=("${old[$k]}")
            cols+=("$(cell "$f" "${row[$k]}" "${bases[@]}")")
        done
        printf '| %s | %s | %s | %s | %s | %s |\n' "${row[0]}" "${cols[@]}"
        if [ "$i" -eq 1 ]; then old=("${row[@]}"); fi
    done
}

measure "supervisord 4.3.0" "$work/supervisord" "$python" -m supervisor.supervisord -n -c
if [ -n "${SUPC_OLD:-}" ]; then
    measure "supc run (old)" "$work/supc-old" "$SUPC_OLD" run --quiet
    measure "supc run (new)" "$work/supc" "$SUPC" run --quiet
else
    measure "supc run" "$work/supc" "$SUPC" run --quiet
fi
table
