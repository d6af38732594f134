#!/usr/bin/env bash
# Benchmark of `supc check` on a repository-sized tree (README: "Using supc
# in CI"): 1,000 supervisord configs (100 main configs with 9 conf.d files
# each) among 1,000 other *.conf/*.ini files (nginx, php-fpm, tox), compared
# with only reading the same files (cat). Not a test: it prints timings.
#
# usage: scripts/bench-check.sh [SUPC_BINARY]   (default: target/release/supc)
set -euo pipefail
supc=${1:-target/release/supc}
supc=$(realpath "$supc")
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

count() { find "$tree" -type f -name "$1" | wc -l; }
echo "files: $(find "$tree" -type f | wc -l) ($(grep -rlE '^\[(supervisord|program:)' "$tree" | wc -l) supervisord configs)"
sync
best() {
  local best=999999
  for _ in 1 2 3 4 5; do
    local s e
    s=$(date +%s%N)
    "$@" > /dev/null 2>&1 || true
    e=$(date +%s%N)
    local ms=$(( (e - s) / 1000000 ))
    (( ms < best )) && best=$ms
  done
  echo "$best"
}
echo "read every file (find | xargs cat): $(best sh -c "find '$tree' -type f -print0 | xargs -0 cat") ms"
echo "supc check --portable (best of 5):  $(best "$supc" check --portable "$tree") ms"
(cd "$tree" && "$supc" check --portable . | tail -1)
