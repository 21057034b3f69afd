#!/bin/bash
# The experiment that chose how audit events are chained (docs/benchmarks.md, "Audit appends without
# a lock"): editors' saves (4 pgbench clients, 20 saves/s in all) alone and while an import-shaped
# batch (1,000 items of ~5 KiB with a search vector and GIN index, 1,000 audit rows) runs in a loop,
# under three designs of the same tables:
#   d1  every transaction takes one advisory lock when it begins; a trigger chains at insert (the old design)
#   d2  events are chained at commit by a deferred trigger under the lock (held for the append and commit)
#   d3  events go in unsealed, no lock; a sealer (audit_seal, every 100 ms) chains committed events
# usage: PGHOST=... PGPORT=... PGUSER=... PGDATABASE=<scratch database> ./run.sh d1|d2|d3 [seconds]
set -euo pipefail
cd "$(dirname "$0")"
V=$1; T=${2:-30}
export PGOPTIONS="-c client_min_messages=warning"
LOCK=0; [ "$V" = d1 ] && LOCK=1
OUT=$(mktemp -d)
psql -q -X -v ON_ERROR_STOP=1 -f schema.sql >/dev/null
[ -f "$V.sql" ] && psql -q -X -v ON_ERROR_STOP=1 -f "$V.sql" >/dev/null
psql -qXc "VACUUM ANALYZE items, audit" >/dev/null
pct() { sort -n | awk '{a[NR]=$1} END {printf "n=%d p50=%.1f ms p99=%.1f ms", NR, a[int(NR*0.5)]/1000, a[int(NR*0.99)]/1000}'; }
sealer() { if [ "$V" = d3 ]; then pgbench -n -c 1 -T $((T + 5)) -f seal.sql >/dev/null 2>&1; fi; }
pgbench -n -c 4 -j 1 -R 20 -T "$T" -D lock=$LOCK -f save.sql -l --log-prefix="$OUT/idle" >/dev/null 2>&1
echo "$V saves alone:         $(cat "$OUT"/idle* | awk '{print $3}' | pct)"
sealer & S=$!
pgbench -n -c 1 -T "$T" -D lock=$LOCK -f import.sql -l --log-prefix="$OUT/alone" >/dev/null 2>&1
wait $S
echo "$V batches alone:       $(cat "$OUT"/alone* | awk '{print $3}' | pct)"
sealer & S=$!
pgbench -n -c 1 -T "$T" -D lock=$LOCK -f import.sql -l --log-prefix="$OUT/busy" >/dev/null 2>&1 &
I=$!
pgbench -n -c 4 -j 1 -R 20 -T "$T" -D lock=$LOCK -f save.sql -l --log-prefix="$OUT/saves" >/dev/null 2>&1
wait $I $S
echo "$V saves during import: $(cat "$OUT"/saves* | awk '{print $3}' | pct)"
echo "$V batches with saves:  $(cat "$OUT"/busy* | awk '{print $3}' | pct)"
psql -AtXc "SELECT '$V events ' || count(*) || ', sealed ' || count(seq) || ', broken links ' || (SELECT count(*) FROM audit a JOIN audit b ON b.seq = a.seq + 1 WHERE b.prev_hash <> a.hash) FROM audit"
echo "$V load average $(cut -d' ' -f1-3 /proc/loadavg)"
rm -rf "$OUT"
