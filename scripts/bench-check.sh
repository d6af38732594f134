#!/usr/bin/env bash
# Benchmark of `supc check` on a repository-sized tree (README: "Using supc
# in CI"): 1,000 supervisord configs (100 main configs with 9 conf.d files
# each) among 1,000 other *.conf/*.ini files (nginx, php-fpm, tox). Not a
# test: it prints timings, as ratios to two ways of "reading" the tree in
# the same run:
#   - the floor: only reading every file (find | xargs cat);
#   - supervisord reading its configs: supervisor 4.3.0's own parser
#     (ServerOptions.realize, what `supervisord -c FILE` does before it
#     starts anything) on the 100 main configs and their 900 includes, in
#     one Python process.
# Warm cache (best of RUNS), and cold cache (every run after dropping the
# page cache) when /proc/sys/vm/drop_caches can be written (root). Ends
# with a summary to paste into the README.
#
# usage: scripts/bench-check.sh [SUPC_BINARY]   (default: target/release/supc)
# environment: RUNS (default 5), COLD_RUNS (default 3, 0 = no cold runs),
#   PYTHON (default .venv-oracle/bin/python; skipped when it has no
#   supervisor)
set -euo pipefail
repo=$(realpath "$(dirname "$0")/..")
supc=$(realpath "${1:-$repo/target/release/supc}")
cd "$repo"
python=${PYTHON:-.venv-oracle/bin/python}
runs=${RUNS:-5}
cold_runs=${COLD_RUNS:-3}
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT

for i in $(seq -w 0 99); do
  d="$tree/images/app$i"
  mkdir -p "$d/conf.d" "$d/nginx" "$d/php"
  cat > "$d/supervisord.conf" <<CONF
[supervisord]
nodaemon=true
logfile=/dev/null
logfile_maxbytes=0
user=root

[include]
files = conf.d/*.conf
CONF
  for j in $(seq 1 9); do
    cat > "$d/conf.d/worker$j.conf" <<CONF
[program:worker$j]
command=/usr/local/bin/worker --queue=q$j --sleep=3
process_name=%(program_name)s_%(process_num)02d
numprocs=2
user=www-data
autorestart=true
stopwaitsecs=60
stdout_logfile=/dev/stdout
stdout_logfile_maxbytes=0
redirect_stderr=true
CONF
  done
  for j in $(seq 1 4); do
    printf 'server {\n    listen 80%s;\n    root /var/www/%s;\n}\n' "$j" "$j" > "$d/nginx/site$j.conf"
    printf '[www%s]\nuser = www-data\nlisten = 127.0.0.1:90%s\npm = dynamic\n' "$j" "$j" > "$d/php/pool$j.conf"
  done
  printf '[tox]\nenvlist = py311\n[testenv]\ncommands = pytest\n' > "$d/tox.ini"
  printf '[PHP]\nmemory_limit = 256M\n' > "$d/php/php.ini"
done
files=$(find "$tree" -type f | wc -l)
configs=$(grep -rlE '^\[(supervisord|program:)' "$tree" | wc -l)
echo "tree: $files files ($configs supervisord configs)"

# supervisord's reading: every main config through ServerOptions.realize,
# as `supervisord -c FILE` does (includes followed, every section checked).
read_with_supervisor='
import sys
from supervisor.options import ServerOptions
for path in sys.argv[1:]:
    ServerOptions().realize(args=["-c", path], doc="", progname="supervisord")
'
mains=("$tree"/images/*/supervisord.conf)
have_supervisor=false
if [ -x "$python" ] && "$python" -c 'import supervisor' 2>/dev/null; then
  have_supervisor=true
  "$python" -c "$read_with_supervisor" "${mains[@]}" # fails loudly if it cannot
else
  echo "no supervisor in $python: set PYTHON (scripts/setup-oracle.sh makes .venv-oracle)" >&2
fi

read_tree() { find "$tree" -type f -print0 | xargs -0 cat; }
check_tree() { "$supc" check --portable "$tree"; }
supervisor_reads() { "$python" -c "$read_with_supervisor" "${mains[@]}"; }
python_alone() { "$python" -c 'import supervisor.options'; }

# One run of "$@": "WALL_MS CPU_MS" (CPU: user + system, children included).
measure() {
  local TIMEFORMAT='%R %U %S' t
  t=$( { time "$@" > /dev/null 2>&1; } 2>&1 )
  awk '{ printf "%d %d\n", $1 * 1000 + 0.5, ($2 + $3) * 1000 + 0.5 }' <<< "$t"
}

drop_caches() { sync && echo 3 > /proc/sys/vm/drop_caches; }

# Best wall and best CPU time of N runs of "$@" (after HOOK, if not ":").
best() {
  local n=$1 hook=$2 wall=999999 cpu=999999 w c
  shift 2
  for _ in $(seq "$n"); do
    "$hook"
    read -r w c < <(measure "$@")
    (( w < wall )) && wall=$w
    (( c < cpu )) && cpu=$c
  done
  echo "$wall $cpu"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

declare -A wall cpu
run_set() { # STATE N HOOK
  local state=$1 n=$2 hook=$3 name
  for name in read_tree check_tree supervisor_reads python_alone; do
    if [[ $name == supervisor_reads || $name == python_alone ]] && ! $have_supervisor; then
      continue
    fi
    read -r "wall[$state.$name]" "cpu[$state.$name]" < <(best "$n" "$hook" "$name")
  done
}

line() { # STATE NAME LABEL
  local key=$1.$2
  [ -n "${wall[$key]:-}" ] || return 0
  printf '  %-44s %6d ms wall %6d ms CPU' "$3" "${wall[$key]}" "${cpu[$key]}"
  if [ "$2" = check_tree ]; then
    printf '   %s× cat (CPU), %s× cat (wall)' "$(ratio "${cpu[$key]}" "${cpu[$1.read_tree]}")" \
      "$(ratio "${wall[$key]}" "${wall[$1.read_tree]}")"
    if [ -n "${cpu[$1.supervisor_reads]:-}" ]; then
      printf '; %s× supervisor (CPU), %s× (wall)' \
        "$(ratio "${cpu[$key]}" "${cpu[$1.supervisor_reads]}")" \
        "$(ratio "${wall[$key]}" "${wall[$1.supervisor_reads]}")"
    fi
  fi
  echo
}

report() { # STATE TITLE
  echo "$2:"
  line "$1" read_tree "read every file (find | xargs cat)"
  line "$1" check_tree "supc check --portable TREE"
  line "$1" supervisor_reads "supervisor 4.3.0 reading the 100 main configs"
  line "$1" python_alone "  of which: Python starting, importing it"
}

run_set warm "$runs" :
cold=false
if (( cold_runs > 0 )) && drop_caches 2> /dev/null; then
  cold=true
  run_set cold "$cold_runs" drop_caches
fi

(cd "$tree" && "$supc" check --portable . | tail -1)
echo
echo "---- summary ($(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $("$supc" --version)) ----"
report warm "warm cache, best of $runs"
if $cold; then
  report cold "cold cache (page cache dropped before each run), best of $cold_runs"
else
  echo "cold cache: not measured (COLD_RUNS=0 or /proc/sys/vm/drop_caches not writable)"
fi

# The README's table, and the ratios its text quotes.
cell() { # STATE NAME
  local key=$1.$2
  if [ -z "${wall[$key]:-}" ]; then printf 'not measured'; return; fi
  printf '%d ms CPU, %d ms wall' "${cpu[$key]}" "${wall[$key]}"
  if [ "$2" = supervisor_reads ] && [ -n "${cpu[$1.python_alone]:-}" ]; then
    printf ' (%d ms of it starting Python)' "${cpu[$1.python_alone]}"
  fi
}
row() { # LABEL NAME
  printf '| %s | %s |' "$1" "$(cell warm "$2")"
  if $cold; then printf ' %s |' "$(cell cold "$2")"; fi
  echo
}
ratios() { # STATE TO
  local c=$1.check_tree t=$1.$2
  [ -n "${cpu[$t]:-}" ] || return 0
  printf '%s× CPU, %s× wall' "$(ratio "${cpu[$c]}" "${cpu[$t]}")" "$(ratio "${wall[$c]}" "${wall[$t]}")"
}
echo
echo "---- for the README ----"
if $cold; then
  echo "| | warm cache (best of $runs) | cold cache (best of $cold_runs) |"
  echo "|---|---|---|"
else
  echo "| | warm cache (best of $runs) |"
  echo "|---|---|"
fi
row 'read every file (`find \| xargs cat`)' read_tree
row '`supc check --portable TREE`' check_tree
row 'supervisor 4.3.0 reading the configs' supervisor_reads
echo
echo "check / cat: $(ratios warm read_tree) warm$($cold && echo "; $(ratios cold read_tree) cold")."
if $have_supervisor; then
  echo "check / supervisor: $(ratios warm supervisor_reads) warm$($cold && echo "; $(ratios cold supervisor_reads) cold")."
fi
