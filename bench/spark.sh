#!/usr/bin/env bash
# Benchmark: data in Spark, reached through Spark Connect, against the same data in files.
# A throwaway local Spark Connect server (tests/spark_server.sh, local[2], on this machine's two
# cores with linkrisk) holds the tables as Parquet in its warehouse.
#
# 1. `scan` of the 10M-row table of bench/run.sh in Spark, with the class table's GROUP BY run
#    in Spark, against `--show-values`, which fetches the named columns and groups them here.
# 2. `audit` of the demo plan on `synth --customers AUDIT_CUSTOMERS --seed 7` with its six
#    sources and truth maps in Spark (so the plan runs there: audit::pushdown), against the
#    same plan on the files.
# Prints wall time, linkrisk's peak memory and the Arrow bytes received from Spark, and whether
# the figures of each pair are equal.
#
#   bash bench/spark.sh                                # 10M rows; the audit on 1M customers
#   ROWS=1000000 AUDIT_CUSTOMERS=100000 bash bench/spark.sh
#   QIS=zip,age,sex SENSITIVE=diagnosis bash bench/spark.sh
#   SCAN=0 AUDIT_CUSTOMERS=10000000 bash bench/spark.sh   # the audit only
set -euo pipefail
ROWS=${ROWS:-10000000}
AUDIT_CUSTOMERS=${AUDIT_CUSTOMERS:-1000000}
SCAN=${SCAN:-1}
# shellcheck source=bench/common.sh
source "$(dirname "$0")/common.sh"
QIS="${QIS:-zip,age,sex}"
SENSITIVE="${SENSITIVE:-diagnosis}"

csv="$OUT/bench.csv"
if [ "$SCAN" = 1 ]; then
  [ -f "$csv" ] && [ "$(wc -l < "$csv")" -eq $((ROWS + 1)) ] || gen "$ROWS" "$csv"
fi
ADIR="$OUT/synth-$AUDIT_CUSTOMERS"
if [ ! -f "$ADIR/survey.csv" ]; then
  rm -rf "$ADIR"
  "$BIN" synth --customers "$AUDIT_CUSTOMERS" --seed 7 --out "$ADIR" > /dev/null
fi
cp fixtures/retail/audit.toml "$ADIR/audit.toml"

spark_dir="$(mktemp -d "${TMPDIR:-/tmp}/linkrisk-bench-spark.XXXXXX")"
trap 'bash tests/spark_server.sh stop "$spark_dir"' EXIT
url="$(SPARK_DRIVER_MEMORY="${SPARK_DRIVER_MEMORY:-8g}" bash tests/spark_server.sh start "$spark_dir")"
venv="${LINKRISK_VENV:-$HOME/.cache/linkrisk-venv}"
# Every column as text, as the files are read; each table written as Parquet by Spark.
"$venv/bin/python3" - "$url" "$(realpath -m "$csv")" "$(realpath "$ADIR")" "$SCAN" <<'PY'
import sys
from pyspark.sql import SparkSession
url, csv, synth, scan = sys.argv[1:5]
spark = SparkSession.builder.remote(url).getOrCreate()
if scan == "1":
    spark.read.option("header", True).csv(csv).write.mode("overwrite").saveAsTable("bench")
spark.sql("CREATE DATABASE IF NOT EXISTS synth")
for name in ["loyalty", "ecommerce", "web_analytics", "transactions", "survey", "partner"]:
    spark.read.option("header", True).csv(f"{synth}/{name}.csv").write.mode("overwrite").saveAsTable(f"synth.{name}")
for name in ["loyalty", "ecommerce", "survey", "partner"]:
    spark.read.option("header", True).csv(f"{synth}/truth/{name}.csv").write.mode("overwrite").saveAsTable(f"synth.truth_{name}")
PY

# The demo plan with its six sources and its truth maps in Spark: the plan runs there.
"$PY" - "$ADIR" "$url" <<'PY'
import re, sys
folder, url = sys.argv[1:3]
out = []
for line in open(f"{folder}/audit.toml"):
    m = re.match(r'path = "(\w+)\.csv"$', line.strip())
    a = re.match(r'attach = \{ path = "truth/(\w+)\.csv", on = "(\w+)" \}$', line.strip())
    if m:
        line = f'url = "{url}"\ntable = "synth.{m.group(1)}"\n'
    elif a:
        line = f'attach = {{ url = "{url}", table = "synth.truth_{a.group(1)}", on = "{a.group(2)}" }}\n'
    out.append(line)
open(f"{folder}/audit-spark.toml", "w").write("".join(out))
PY

run() {
  # $1: label; the rest: the command. Prints seconds, peak MiB and bytes received.
  local label="$1"
  shift
  /usr/bin/time -f "%e %M" -o "$OUT/time.txt" env LINKRISK_TIMINGS=1 "$@" \
    > "$OUT/spark-$label.json" 2> "$OUT/spark-$label.err"
  read -r secs kib < "$OUT/time.txt"
  bytes="$({ grep -o '[0-9]* bytes received' "$OUT/spark-$label.err" || true; } | awk '{s += $1} END {print s + 0}')"
  echo "$secs $((kib / 1024)) $bytes"
}

if [ "$SCAN" = 1 ]; then
  scan=("$BIN" scan "$url" --table bench --qi "$QIS" --sensitive "$SENSITIVE" --format json --quiet)
  read -r ps pm pb < <(run pushdown "${scan[@]}")
  read -r fs fm fb < <(run fetch "${scan[@]}" --show-values)
  read -r ls lm _ < <(run scan-file "$BIN" scan "$csv" --qi "$QIS" --sensitive "$SENSITIVE" --format json --quiet)
fi
read -r as am ab < <(run audit-spark "$BIN" audit "$ADIR/audit-spark.toml" --format json --quiet)
read -r af afm _ < <(run audit-files "$BIN" audit "$ADIR/audit.toml" --format json --quiet)
same="$("$PY" - "$OUT" "$SCAN" <<'PY'
import json, sys
out = sys.argv[1]
def load(label):
    report = json.load(open(f"{out}/spark-{label}.json"))
    report.pop("provenance", None)
    for view in report["views"]:
        for record in ((view.get("attribution") or {}).get("msu") or {}).get("records") or []:
            record.pop("row", None)
        view.pop("name", None) if label.startswith(("pushdown", "fetch", "scan")) else None
    return report
keys = ["rows", "k", "classes", "uniques", "class_size_histogram", "prosecutor", "marketer",
        "l_diversity", "t_closeness"]
audit = load("audit-spark") == load("audit-files")
if sys.argv[2] == "1":
    a, b, c = (load(l)["views"][0] for l in ("pushdown", "fetch", "scan-file"))
    scan = all(a[k] == b[k] == c[k] for k in keys)
    print(f"scan figures {'equal' if scan else 'DIFFERENT'}, ", end="")
print(f"audit reports {'equal' if audit else 'DIFFERENT'}")
PY
)"
echo "| run | seconds | linkrisk peak MiB | bytes received from Spark |"
echo "|---|---|---|---|"
if [ "$SCAN" = 1 ]; then
  echo "| scan, $ROWS rows in Spark, GROUP BY in Spark (QIs $QIS; $SENSITIVE) | $ps | $pm | $pb |"
  echo "| scan, $ROWS rows in Spark, columns fetched (--show-values) | $fs | $fm | $fb |"
  echo "| scan, the same rows as a CSV file | $ls | $lm | |"
fi
echo "| audit, demo plan, synth-$AUDIT_CUSTOMERS sources and truth maps in Spark (run there) | $as | $am | $ab |"
echo "| audit, demo plan, synth-$AUDIT_CUSTOMERS files | $af | $afm | |"
echo
echo "Figures: $same."
