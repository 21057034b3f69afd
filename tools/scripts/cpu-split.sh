#!/usr/bin/env bash
# CPU seconds spent by one process (the app) and by all PostgreSQL server processes while a command
# runs, e.g. a load generator:  tools/scripts/cpu-split.sh "$(pgrep -f 'Cms.Web.dll')" ab -k -c 8 -n 3000 URL
# Divide by the number of requests for CPU per request (docs/benchmarks.md).
set -euo pipefail
app=$1; shift
tick=$(getconf CLK_TCK)
pg_ticks() { for p in $(pgrep -u postgres); do awk '{print $14+$15}' "/proc/$p/stat" 2>/dev/null || true; done | awk '{s+=$1} END{print s+0}'; }
app_ticks() { awk '{print $14+$15}' "/proc/$app/stat"; }
a0=$(app_ticks); p0=$(pg_ticks); t0=$(date +%s.%N)
"$@"
a1=$(app_ticks); p1=$(pg_ticks); t1=$(date +%s.%N)
awk -v w="$(echo "$t1 - $t0" | bc)" -v a=$((a1 - a0)) -v p=$((p1 - p0)) -v t="$tick" \
  'BEGIN { printf "wall %.2f s; app cpu %.2f s; postgres cpu %.2f s\n", w, a / t, p / t }'
