#!/usr/bin/env bash
# Benchmark: cross-referencing at retailer scale, on `linkrisk synth --customers 1000000 --seed 7`.
#
#   bash bench/link.sh                 # 1M customers (the reference size)
#   CUSTOMERS=100000 bash bench/link.sh
#
# 1. `linkrisk link loyalty.csv survey.csv --on zip5=zip3,birth_date=birth_year,gender` against
#    DuckDB's class-table SQL (group each side on the compared key, join the two class tables),
#    side by side: the figures must agree, then wall time (best of three) and peak RSS.
# 2. `linkrisk audit` of the demo plan (fixtures/retail/audit.toml) on the same folder, with the
#    default region and with `--region national`: wall time and peak RSS.
#
# DuckDB comes from PyPI into bench/.venv; data goes to bench/out (both git-ignored).
set -euo pipefail
CUSTOMERS=${CUSTOMERS:-1000000}
# shellcheck source=bench/common.sh
source "$(dirname "$0")/common.sh"

synth() { # synth DIR [REGION]
  local dir=$1 region=${2:-}
  if [ ! -f "$dir/survey.csv" ]; then
    rm -rf "$dir"
    "$BIN" synth --customers "$CUSTOMERS" --seed 7 --out "$dir" ${region:+--region "$region"}
  fi
  cp fixtures/retail/audit.toml "$dir/audit.toml"
}
DEFAULT="$OUT/synth-$CUSTOMERS"
NATIONAL="$OUT/synth-$CUSTOMERS-national"
synth "$DEFAULT"
synth "$NATIONAL" national


cat > "$OUT/duck_link.py" <<'PY'
import json, sys, duckdb
a, b = sys.argv[1], sys.argv[2]
con = duckdb.connect()
row = con.execute(f"""
WITH a AS (
  SELECT substr(zip5, 1, 3) AS z, substr(birth_date, 1, 4) AS y, gender AS g, count(*) AS na
  FROM read_csv('{a}', all_varchar = true)
  WHERE zip5 IS NOT NULL AND birth_date IS NOT NULL AND gender IS NOT NULL
  GROUP BY ALL),
b AS (
  SELECT zip3 AS z, birth_year AS y, gender AS g, count(*) AS nb
  FROM read_csv('{b}', all_varchar = true)
  WHERE zip3 IS NOT NULL AND birth_year IS NOT NULL AND gender IS NOT NULL
  GROUP BY ALL)
SELECT sum(CASE WHEN na = 1 AND nb = 1 THEN 1 ELSE 0 END), sum(nb), sum(nb / na), sum(na * nb)
FROM a JOIN b USING (z, y, g)
""").fetchone()
print(json.dumps({"unique_matches": int(row[0]), "targets_with_candidates": int(row[1]),
                  "expected_reidentifications": float(row[2]), "candidate_pairs": int(row[3])}))
PY

LINK=("$BIN" link "$DEFAULT/loyalty.csv" "$DEFAULT/survey.csv" --on zip5=zip3,birth_date=birth_year,gender --quiet)
"${LINK[@]}" --format json > "$OUT/link.json"
"$PY" "$OUT/duck_link.py" "$DEFAULT/loyalty.csv" "$DEFAULT/survey.csv" > "$OUT/duck_link.json"
"$PY" - "$OUT/link.json" "$OUT/duck_link.json" <<'PY'
import json, sys
ours = json.load(open(sys.argv[1]))["joins"][0]["linkage"]
duck = json.load(open(sys.argv[2]))
for key, value in duck.items():
    mine = ours[key]
    same = abs(mine - value) < 1e-6 * max(1, abs(value)) if isinstance(value, float) else mine == value
    print(f"{key}: linkrisk {mine}, DuckDB {value}{'' if same else '  <-- DIFFERENT'}")
    if not same:
        sys.exit(1)
PY

echo
echo "| run | linkrisk (s) | linkrisk peak MiB | DuckDB (s) | DuckDB peak MiB | ratio |"
echo "|---|---|---|---|---|---|"
read -r ls lm <<< "$(measure "${LINK[@]}" --format json)"
read -r ds dm <<< "$(measure "$PY" "$OUT/duck_link.py" "$DEFAULT/loyalty.csv" "$DEFAULT/survey.csv")"
echo "| link, $CUSTOMERS customers | $ls | $lm | $ds | $dm | $(awk "BEGIN{printf \"%.2fx\", $ls/$ds}") |"
for dir in "$DEFAULT" "$NATIONAL"; do
  /usr/bin/time -f "%e %M" -o "$OUT/time.txt" "$BIN" audit "$dir/audit.toml" --format json --quiet > "$OUT/audit.json"
  read -r secs kib < "$OUT/time.txt"
  echo "| audit of the demo plan, $(basename "$dir") | $secs | $((kib / 1024)) | | | |"
done
