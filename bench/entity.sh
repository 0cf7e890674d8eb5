#!/usr/bin/env bash
# Benchmark: figures per person (`--entity`), side by side with DuckDB.
#
#   bash bench/entity.sh                       # about 10M transaction rows
#   CUSTOMERS=1000000 bash bench/entity.sh     # about 3M rows
#   AUDIT_CUSTOMERS=10000000 bash bench/entity.sh   # also the demo plan's audit at that size
#
# 1. `linkrisk scan transactions.csv --entity loyalty_id --qi store` on synth's transactions
#    (3,360,000 customers give about 10M rows) against DuckDB computing the same classes: each
#    person's sorted list of stores, grouped (rows without a loyalty id are people of their
#    own). The figures must agree; then best of three and peak RSS.
# 2. With AUDIT_CUSTOMERS set: `linkrisk audit` of the demo plan on a synth of that size.
set -euo pipefail
CUSTOMERS=${CUSTOMERS:-3360000}
AUDIT_CUSTOMERS=${AUDIT_CUSTOMERS:-}
# shellcheck source=bench/common.sh
source "$(dirname "$0")/common.sh"

DIR="$OUT/synth-$CUSTOMERS"
if [ ! -f "$DIR/transactions.csv" ]; then
  rm -rf "$DIR"
  "$BIN" synth --customers "$CUSTOMERS" --seed 7 --out "$DIR" > /dev/null
fi
FILE="$DIR/transactions.csv"

cat > "$OUT/duck_entity.py" <<'PY'
import json, sys, duckdb
con = duckdb.connect()
row = con.execute(f"""
WITH t AS (
  SELECT coalesce(loyalty_id, 'row ' || CAST(row_number() OVER () AS VARCHAR)) AS person, store
  FROM read_csv('{sys.argv[1]}', all_varchar = true)),
people AS (SELECT person, list_sort(list(store)) AS stores FROM t GROUP BY person),
classes AS (SELECT stores, count(*) AS f FROM people GROUP BY stores)
SELECT sum(f), count(*), sum(CASE WHEN f = 1 THEN 1 ELSE 0 END), min(f) FROM classes
""").fetchone()
print(json.dumps({"entities": int(row[0]), "classes": int(row[1]), "uniques": int(row[2]), "k": int(row[3])}))
PY

SCAN=("$BIN" scan "$FILE" --entity loyalty_id --qi store --format json --quiet)
"${SCAN[@]}" > "$OUT/entity.json"
"$PY" "$OUT/duck_entity.py" "$FILE" > "$OUT/duck_entity.json"
"$PY" - "$OUT/entity.json" "$OUT/duck_entity.json" <<'PY'
import json, sys
ours = json.load(open(sys.argv[1]))["views"][0]
duck = json.load(open(sys.argv[2]))
for key, value in duck.items():
    print(f"{key}: linkrisk {ours[key]}, DuckDB {value}{'' if ours[key] == value else '  <-- DIFFERENT'}")
    if ours[key] != value:
        sys.exit(1)
print(f"rows: {ours['rows']}")
PY

echo
echo "| run | linkrisk (s) | linkrisk peak MiB | DuckDB (s) | DuckDB peak MiB | ratio |"
echo "|---|---|---|---|---|---|"
read -r ls lm <<< "$(measure "${SCAN[@]}")"
read -r ds dm <<< "$(measure "$PY" "$OUT/duck_entity.py" "$FILE")"
echo "| scan --entity, $(basename "$DIR") transactions | $ls | $lm | $ds | $dm | $(awk "BEGIN{printf \"%.2fx\", $ls/$ds}") |"

if [ -n "$AUDIT_CUSTOMERS" ]; then
  ADIR="$OUT/synth-$AUDIT_CUSTOMERS"
  if [ ! -f "$ADIR/survey.csv" ]; then
    rm -rf "$ADIR"
    /usr/bin/time -f "%e %M" -o "$OUT/time.txt" "$BIN" synth --customers "$AUDIT_CUSTOMERS" --seed 7 --out "$ADIR" > /dev/null
    read -r secs kib < "$OUT/time.txt"
    echo "| synth --customers $AUDIT_CUSTOMERS | $secs | $((kib / 1024)) | | | |"
  fi
  cp fixtures/retail/audit.toml "$ADIR/audit.toml"
  /usr/bin/time -f "%e %M" -o "$OUT/time.txt" "$BIN" audit "$ADIR/audit.toml" --format json --quiet > "$OUT/audit.json"
  read -r secs kib < "$OUT/time.txt"
  echo "| audit of the demo plan, $(basename "$ADIR") | $secs | $((kib / 1024)) | | | |"
fi
