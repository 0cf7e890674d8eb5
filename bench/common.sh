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
