#!/usr/bin/env bash
# Benchmark: many missing-value markers cost what one does.
#
#   bash bench/null_values.sh            # 1,000,000 rows
#   ROWS=200000 bash bench/null_values.sh
#
# A quoted CSV (so that scan reads it on the polars path, where the markers once built an
# expression of 2^n nodes) of three QI columns, a third of whose values are markers. linkrisk
# scan with one marker and with 64, side by side with DuckDB's read_csv(nullstr = [...]) with
# the same lists; best of three, and the classes each linkrisk run found.
set -euo pipefail
ROWS=${ROWS-1000000}
# shellcheck source=bench/common.sh
source "$(dirname "$0")/common.sh"

CSV="$OUT/quoted-$ROWS.csv"
if [ ! -f "$CSV" ]; then
  "$PY" - "$CSV" "$ROWS" <<'PY'
import random, sys
path, rows = sys.argv[1], int(sys.argv[2])
rng = random.Random(7)
markers = [f"m{i}" for i in range(64)]
with open(path, "w") as f:
    f.write('"zip","age","store"\n')
    for _ in range(rows):
        cells = []
        for width in (900, 80, 300):
            if rng.random() < 1 / 3:
                cells.append(rng.choice(markers))
            else:
                cells.append(str(rng.randrange(width)))
        f.write(",".join(f'"{c}"' for c in cells) + "\n")
PY
fi

ONE="m0"
ALL=$(seq -s, -f 'm%g' 0 63)
cat > "$OUT/duck_nulls.py" <<'PY'
import sys, duckdb
path, markers = sys.argv[1], sys.argv[2].split(",")
con = duckdb.connect()
con.execute("SET threads TO 2")
n = con.execute(
    "SELECT count(*) FROM (SELECT zip, age, store, count(*) FROM read_csv(?, header = true, all_varchar = true, nullstr = ?) GROUP BY ALL)",
    [path, markers],
).fetchone()[0]
print(n)
PY

classes() { "$BIN" scan "$CSV" --qi zip,age,store --null-values "$1" --format json --quiet | "$PY" -c "import json,sys; print(json.load(sys.stdin)['views'][0]['classes'])"; }
echo "| markers | linkrisk scan | classes | DuckDB GROUP BY | peak RSS (linkrisk) |"
echo "|---|---|---|---|---|"
for list in "$ONE" "$ALL"; do
  count=$(echo "$list" | tr ',' '\n' | wc -l)
  read -r lr rss < <(measure "$BIN" scan "$CSV" --qi zip,age,store --null-values "$list" --quiet)
  read -r dk _ < <(measure "$PY" "$OUT/duck_nulls.py" "$CSV" "$list")
  echo "| $count | ${lr} s | $(classes "$list") | ${dk} s | ${rss} MiB |"
done
