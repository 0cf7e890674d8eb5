#!/usr/bin/env bash
# The demo's HTML report as a browser shows it: rendered by headless Chromium (Debian's
# chromium package) to a PNG, with the summary and every chart in the page Chromium parsed,
# and no console message.
#
#   bash tests/html_chromium.sh path/to/linkrisk [screenshot.png]
set -euo pipefail
BIN=${1:?usage: tests/html_chromium.sh path/to/linkrisk [screenshot.png]}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
"$BIN" audit -o "$OUT/report.html" --quiet
CHROMIUM=(chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$OUT/profile")
"${CHROMIUM[@]}" --window-size=1000,1800 --screenshot="$OUT/report.png" \
  --enable-logging=stderr --v=0 "file://$OUT/report.html" 2> "$OUT/chromium.log"
if [ ! -s "$OUT/report.png" ]; then
  echo "html_chromium: no screenshot" >&2
  exit 1
fi
"${CHROMIUM[@]}" --dump-dom "file://$OUT/report.html" 2> /dev/null > "$OUT/dom.html"
if ! grep -q '<section id="remedies">' "$OUT/dom.html"; then
  echo "html_chromium: the rendered page has no remedies" >&2
  exit 1
fi
if ! grep -q '<section id="summary">' "$OUT/dom.html"; then
  echo "html_chromium: the rendered page has no summary" >&2
  exit 1
fi
want=$(grep -o '<svg role="img"' "$OUT/report.html" | wc -l)
got=$(grep -o '<svg role="img"' "$OUT/dom.html" | wc -l)
if [ "$want" -lt 3 ] || [ "$got" -ne "$want" ]; then
  echo "html_chromium: $got of $want charts rendered" >&2
  exit 1
fi
# Printed (the page's @page rule asks for A4): a PDF comes out.
"${CHROMIUM[@]}" --no-pdf-header-footer --print-to-pdf="$OUT/report.pdf" \
  "file://$OUT/report.html" 2> /dev/null
if [ "$(head -c 4 "$OUT/report.pdf" 2> /dev/null)" != "%PDF" ]; then
  echo "html_chromium: the page does not print to PDF" >&2
  exit 1
fi
# A4 is 595 × 842 points.
pages=$(grep -ao "MediaBox \[0 0 59[45][.0-9]* 84[12][.0-9]*\]" "$OUT/report.pdf" | wc -l)
others=$(grep -ao "MediaBox \[[^]]*\]" "$OUT/report.pdf" | grep -cv "MediaBox \[0 0 59[45][.0-9]* 84[12][.0-9]*\]" || true)
if [ "$pages" -eq 0 ] || [ "$others" -ne 0 ]; then
  echo "html_chromium: the printed pages are not A4" >&2
  exit 1
fi
if grep -q "CONSOLE" "$OUT/chromium.log"; then
  echo "html_chromium: the page logged to the console:" >&2
  grep "CONSOLE" "$OUT/chromium.log" >&2
  exit 1
fi
if [ -n "${2:-}" ]; then
  cp "$OUT/report.png" "$2"
fi
echo "html_chromium: summary and $got charts rendered, printed to $pages A4 pages, no console message"
