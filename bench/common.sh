# Shared by the benchmark scripts (sourced, not run): the release build, DuckDB from PyPI in
# bench/.venv, and a best-of-three timer. Data goes to bench/out (both git-ignored).
cd "$(dirname "${BASH_SOURCE[0]}")/.."
OUT=bench/out
mkdir -p "$OUT"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/linkrisk-target}"
# BIN=path/to/linkrisk benchmarks that binary instead of building the release one.
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
  BIN="$CARGO_TARGET_DIR/release/linkrisk"
fi
if [ ! -x bench/.venv/bin/python ]; then
  python3 -m venv bench/.venv
  bench/.venv/bin/pip install --quiet duckdb
fi
PY=bench/.venv/bin/python

# Best of three wall-clock seconds, and the peak RSS (MiB) of the last run.
measure() {
  local best="" rss=0
  for _ in 1 2 3; do
    /usr/bin/time -f "%e %M" -o "$OUT/time.txt" "$@" > /dev/null
    read -r secs kib < "$OUT/time.txt"
    rss=$((kib / 1024))
    if [ -z "$best" ] || awk "BEGIN{exit !($secs < $best)}"; then best=$secs; fi
  done
  echo "$best $rss"
}

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
