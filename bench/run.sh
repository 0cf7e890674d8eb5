#!/usr/bin/env bash
# Benchmark: linkrisk scan (every metric) against DuckDB's GROUP BY over the same files,
# and linkrisk keys (the whole attribution) on a 1M-row table.
#
#   bash bench/run.sh            # 10M rows (the reference size)
#   ROWS=1000000 bash bench/run.sh
#
# DuckDB comes from PyPI into bench/.venv; data goes to bench/out (both git-ignored).
# Results are printed as Markdown; paste them into docs/performance.md.
set -euo pipefail
ROWS=${ROWS:-10000000}
KEYS_ROWS=${KEYS_ROWS:-1000000}
# shellcheck source=bench/common.sh
source "$(dirname "$0")/common.sh"

QIS="zip,age,sex,race,marital,education,country,occupation"
[ -f "$OUT/bench.csv" ] && [ "$(wc -l < "$OUT/bench.csv")" -eq $((ROWS + 1)) ] || gen "$ROWS" "$OUT/bench.csv"
[ -f "$OUT/bench.parquet" ] || gen "$ROWS" "$OUT/bench.parquet"
[ -f "$OUT/keys.csv" ] || gen "$KEYS_ROWS" "$OUT/keys.csv"


duck() {
  cat > "$OUT/duck.py" <<PY
import sys, duckdb
con = duckdb.connect()
src = "read_csv('$1')" if "$1".endswith(".csv") else "read_parquet('$1')"
con.execute(f"SELECT count(*) FROM (SELECT count(*) FROM {src} GROUP BY $QIS)").fetchall()
PY
  measure "$PY" "$OUT/duck.py"
}

echo "| file | rows | linkrisk scan (s) | linkrisk peak MiB | DuckDB GROUP BY (s) | DuckDB peak MiB | ratio |"
echo "|---|---|---|---|---|---|---|"
for f in bench.csv bench.parquet; do
  read -r ls lm < <(measure "$BIN" scan "$OUT/$f" --qi "$QIS" --sensitive income,diagnosis --format json --quiet)
  read -r ds dm < <(duck "$OUT/$f")
  ratio=$(awk "BEGIN{printf \"%.2f\", $ls / $ds}")
  echo "| $f | $ROWS | $ls | $lm | $ds | $dm | ${ratio}x |"
done
read -r ks km < <(measure "$BIN" keys "$OUT/keys.csv" --qi "$QIS" --format json --quiet)
echo
echo "linkrisk keys on $KEYS_ROWS rows, 8 QIs (distinction/separation, drop-one, 255-subset lattice, MSUs): ${ks} s, peak ${km} MiB"
