#!/usr/bin/env bash
# Benchmark: `scan` of a PostgreSQL table with the class table's GROUP BY pushed down to the
# server, against fetching the named columns (binary COPY) and measuring them here — the same
# 10M-row table as bench/run.sh, loaded into a throwaway local server (tests/postgres_server.sh).
# Prints the time, peak memory and bytes received of each, the size of the class table, and
# whether the figures are equal.
#
#   bash bench/postgres.sh            # 10M rows (the reference size), 8 QIs, 2 sensitive
#   QIS=zip,age,sex SENSITIVE=diagnosis bash bench/postgres.sh
#   ROWS=1000000 bash bench/postgres.sh
set -euo pipefail
ROWS=${ROWS:-10000000}
# shellcheck source=bench/common.sh
source "$(dirname "$0")/common.sh"
QIS="${QIS:-zip,age,sex,race,marital,education,country,occupation}"
SENSITIVE="${SENSITIVE:-income,diagnosis}"

csv="$OUT/bench.csv"
[ -f "$csv" ] && [ "$(wc -l < "$csv")" -eq $((ROWS + 1)) ] || gen "$ROWS" "$csv"

pg_dir="$(mktemp -d "${TMPDIR:-/tmp}/linkrisk-bench-pg.XXXXXX")"
trap 'bash tests/postgres_server.sh stop "$pg_dir"' EXIT
url="$(bash tests/postgres_server.sh start "$pg_dir")"
PGPASSWORD=linkrisk-test psql -q -v ON_ERROR_STOP=1 "$url" <<SQL
CREATE TABLE bench (zip text, age integer, sex text, race text, marital text, education text,
  country text, occupation text, income integer, diagnosis text);
\copy bench FROM '$csv' CSV HEADER
VACUUM ANALYZE bench;
SQL

run() {
  # $1: label; the rest: extra arguments. Prints seconds, peak MiB and bytes received.
  local label="$1"
  shift
  /usr/bin/time -f "%e %M" -o "$OUT/time.txt" env LINKRISK_TIMINGS=1 "$BIN" scan "$url" \
    --table bench --qi "$QIS" --sensitive "$SENSITIVE" --format json --quiet "$@" \
    > "$OUT/pg-$label.json" 2> "$OUT/pg-$label.err"
  read -r secs kib < "$OUT/time.txt"
  bytes="$(grep -o '[0-9]* bytes received' "$OUT/pg-$label.err" | awk '{s += $1} END {print s}')"
  echo "$secs $((kib / 1024)) $bytes"
}

read -r ps pm pb < <(run pushdown)
# --show-values needs the records: the named columns are fetched and grouped here.
read -r fs fm fb < <(run fetch --show-values)
cells="$(PGPASSWORD=linkrisk-test psql -At "$url" -c "SELECT count(*) FROM ($("$BIN" sql --dialect postgres --table bench --qi "$QIS" --sensitive "$SENSITIVE")) AS t")"
table_csv="$(PGPASSWORD=linkrisk-test psql -q "$url" -c "COPY ($("$BIN" sql --dialect postgres --table bench --qi "$QIS" --sensitive "$SENSITIVE")) TO STDOUT WITH (FORMAT csv, HEADER)" | wc -c)"
same="$("$PY" - "$OUT/pg-pushdown.json" "$OUT/pg-fetch.json" <<'PY'
import json, sys
a, b = (json.load(open(p))["views"][0] for p in sys.argv[1:3])
keys = ["rows", "k", "classes", "uniques", "class_size_histogram", "prosecutor", "marketer",
        "l_diversity", "t_closeness"]
print("equal" if all(a[k] == b[k] for k in keys) else "DIFFERENT")
PY
)"
echo "| PostgreSQL table of $ROWS rows, QIs $QIS, sensitive $SENSITIVE | seconds | peak MiB | bytes received |"
echo "|---|---|---|---|"
echo "| scan, GROUP BY pushed down | $ps | $pm | $pb |"
echo "| scan, columns fetched (binary COPY) and grouped here | $fs | $fm | $fb |"
echo
echo "Class table: $cells cells, $table_csv bytes as CSV; figures of the two runs: $same."
