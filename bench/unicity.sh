#!/usr/bin/env bash
# Benchmark: unicity of purchase histories, side by side with a plain Python implementation.
#
#   bash bench/unicity.sh                    # 500k customers (about 1.5M purchases), then 10M rows
#   SMALL=100000 LARGE= bash bench/unicity.sh
#
# 1. synth's transactions as Parquet (a timestamp column), points (store, day): linkrisk unicity
#    ε_1..ε_7 with 20 draws per person (best of three) against pandas + a dict of sets per point
#    + set intersections, the same estimate (run once); peak RSS of each.
# 2. 10M rows (synth --customers 3360000): ε_1..ε_10 with 10 draws, linkrisk alone.
set -euo pipefail
SMALL=${SMALL-500000}
LARGE=${LARGE-3360000}
# shellcheck source=bench/common.sh
source "$(dirname "$0")/common.sh"
"$PY" -c "import pandas, pyarrow" 2> /dev/null || bench/.venv/bin/pip install --quiet pandas pyarrow

parquet() { # parquet CUSTOMERS -> path of transactions.parquet
  local dir="$OUT/synth-$1-parquet"
  if [ ! -f "$dir/transactions.parquet" ]; then
    rm -rf "$dir"
    "$BIN" synth --customers "$1" --seed 7 --format parquet --out "$dir" > /dev/null
  fi
  echo "$dir/transactions.parquet"
}

cat > "$OUT/py_unicity.py" <<'PY'
import json, random, sys
import pandas as pd
path, max_p, draws = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
df = pd.read_parquet(path, columns=["loyalty_id", "store", "timestamp"]).dropna(subset=["loyalty_id"])
df["day"] = df["timestamp"].astype(str).str.slice(0, 10)
traces = {}
holders = {}
for person, store, day in zip(df["loyalty_id"], df["store"], df["day"]):
    point = (store, day)
    traces.setdefault(person, set()).add(point)
    holders.setdefault(point, set()).add(person)
rng = random.Random(0)
curve = []
for p in range(1, max_p + 1):
    people = [e for e, t in traces.items() if len(t) >= p]
    hits = 0
    for e in people:
        trace = list(traces[e])
        for _ in range(draws):
            drawn = rng.sample(trace, p)
            # Smallest set first, as a careful hand-written version would.
            sets = sorted((holders[x] for x in drawn), key=len)
            common = sets[0].intersection(*sets[1:])
            hits += len(common) == 1
    curve.append({"p": p, "people": len(people), "unique_fraction": hits / (len(people) * draws) if people else None})
print(json.dumps(curve))
PY

echo "| run | linkrisk (s) | linkrisk peak MiB | Python (s) | Python peak MiB | ratio |"
echo "|---|---|---|---|---|---|"
if [ -n "$SMALL" ]; then
  FILE=$(parquet "$SMALL")
  RUN=("$BIN" unicity "$FILE" --entity loyalty_id --points store,timestamp --time timestamp:day --max-points 7 --draws 20 --format json --quiet)
  "${RUN[@]}" > "$OUT/unicity.json"
  read -r ls lm <<< "$(measure "${RUN[@]}")"
  # Python once: it takes minutes at this size.
  /usr/bin/time -f "%e %M" -o "$OUT/time.txt" "$PY" "$OUT/py_unicity.py" "$FILE" 7 20 > "$OUT/py_unicity.json"
  read -r ps pk < "$OUT/time.txt"
  pm=$((pk / 1024))
  echo "| unicity ε_1..ε_7, 20 draws, $(basename "$(dirname "$FILE")") | $ls | $lm | $ps | $pm | $(awk "BEGIN{printf \"%.2fx\", $ls/$ps}") |"
  "$PY" - "$OUT/unicity.json" "$OUT/py_unicity.json" <<'PY'
import json, sys
ours = json.load(open(sys.argv[1]))["unicity"]["curve"]
theirs = json.load(open(sys.argv[2]))
for a, b in zip(ours, theirs):
    print(f"p={a['p']}: people {a['people']} / {b['people']}, linkrisk {a['unique_fraction']:.4f} [{a['ci_low']:.4f}, {a['ci_high']:.4f}], Python {b['unique_fraction']:.4f}")
PY
fi
if [ -n "$LARGE" ]; then
  FILE=$(parquet "$LARGE")
  read -r ls lm <<< "$(measure "$BIN" unicity "$FILE" --entity loyalty_id --points store,timestamp --time timestamp:day --max-points 10 --draws 10 --format json --quiet)"
  echo "| unicity ε_1..ε_10, 10 draws, $(basename "$(dirname "$FILE")") | $ls | $lm | | | |"
fi
