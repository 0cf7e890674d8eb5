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
# Synthetic census-like table: skewed ZIPs, 73 ages, realistic small domains; one numeric and
# one categorical sensitive column.
gen() {
  "$PY" - "$1" "$2" <<'PY'
import sys, duckdb
rows, path = int(sys.argv[1]), sys.argv[2]
con = duckdb.connect()
con.execute(f"""
COPY (
  SELECT
    lpad(CAST(10000 + CAST(floor(pow(random(), 3) * 900) AS INT) AS VARCHAR), 5, '0') AS zip,
    18 + CAST(floor(random() * 73) AS INT) AS age,
    (['F','M','X'])[1 + CAST(floor(random() * 2.04) AS INT)] AS sex,
    (['White','Black','Asian','Native','Other'])[1 + CAST(floor(pow(random(), 2) * 5) AS INT)] AS race,
    (['Married','Never-married','Divorced','Separated','Widowed','Spouse-absent','AF-spouse'])[1 + CAST(floor(pow(random(), 2) * 7) AS INT)] AS marital,
    'edu-' || CAST(floor(random() * 16) AS INT) AS education,
    'country-' || CAST(floor(pow(random(), 4) * 40) AS INT) AS country,
    'occ-' || CAST(floor(random() * 15) AS INT) AS occupation,
    CAST(floor(random() * 200000) AS INT) AS income,
    (['none','flu','diabetes','asthma','heart'])[1 + CAST(floor(random() * 5) AS INT)] AS diagnosis
  FROM range({rows})
) TO '{path}' (FORMAT {'PARQUET' if path.endswith('.parquet') else 'CSV'})
""")
PY
}

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
