#!/usr/bin/env bash
# A throwaway Spark Connect server for the tests: `start DIR` starts pyspark's Spark Connect
# server (local[2], from the virtual environment in LINKRISK_VENV, Java 17 from Debian's
# packages when missing) on a free loopback port with an authentication token, registers UCI
# Adult as `adult` and the demo's six sources as `crm.<name>` (some columns typed: dates,
# timestamps, decimals, integers), and prints the URL the tests read (LINKRISK_SPARK_URL).
# `stop DIR` stops it by the process id in DIR/pid and removes DIR (its warehouse and
# metastore). A server that cannot start is an error: the tests that need it never skip.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
action="$1"
dir="$2"
venv="${LINKRISK_VENV:-$HOME/.cache/linkrisk-venv}"

case "$action" in
  stop)
    if [ -f "$dir/pid" ]; then
      pid="$(cat "$dir/pid")"
      kill -TERM "$pid" 2> /dev/null || true
      for _ in $(seq 1 100); do
        kill -0 "$pid" 2> /dev/null || break
        sleep 0.1
      done
      kill -KILL "$pid" 2> /dev/null || true
    fi
    rm -rf "$dir"
    exit 0
    ;;
  start) ;;
  *)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac

if ! command -v java > /dev/null; then
  if [ "$(id -u)" -eq 0 ]; then apt_get=(apt-get); else apt_get=(sudo apt-get); fi
  DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" update -qq
  DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" install -y -qq openjdk-17-jre-headless > /dev/null
fi
# pyspark (which carries Spark's jars) and what its Spark Connect client needs, from PyPI.
if ! "$venv/bin/python3" -c "import pyspark, grpc, google.rpc, zstandard, pandas, pyarrow" 2> /dev/null; then
  [ -x "$venv/bin/python3" ] || python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "pyspark==4.0.5" "grpcio==1.85.4" "grpcio-status==1.85.3" \
    "googleapis-common-protos==1.76.0" "zstandard==0.25.0" "protobuf==7.36.2" \
    "pandas==3.1.2" "pyarrow==26.0.1" || {
    echo "error: pyspark could not be installed into $venv" >&2
    exit 1
  }
fi
spark_home="$("$venv/bin/python3" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')"
rm -rf "$dir"
mkdir -p "$dir"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
token="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
(
  cd "$dir"
  export SPARK_HOME="$spark_home" SPARK_CONNECT_AUTHENTICATE_TOKEN="$token"
  export SPARK_LOCAL_IP=127.0.0.1 PYSPARK_PYTHON="$venv/bin/python3"
  exec "$spark_home/bin/spark-submit" \
    --class org.apache.spark.sql.connect.service.SparkConnectServer \
    --master 'local[2]' \
    --driver-memory "${SPARK_DRIVER_MEMORY:-2g}" \
    --conf spark.connect.grpc.binding.address=127.0.0.1 \
    --conf spark.connect.grpc.binding.port="$port" \
    --conf spark.ui.enabled=false \
    --conf spark.sql.shuffle.partitions=4 \
    --conf spark.sql.catalogImplementation=in-memory \
    --conf spark.sql.warehouse.dir="$dir/warehouse" \
    --driver-java-options "-Dderby.system.home=$dir" \
    > "$dir/server.log" 2>&1
) &
echo $! > "$dir/pid"
ready=""
for _ in $(seq 1 240); do
  if grep -q "Spark Connect server started" "$dir/server.log" 2> /dev/null; then
    ready=1
    break
  fi
  if ! kill -0 "$(cat "$dir/pid")" 2> /dev/null; then break; fi
  sleep 0.5
done
if [ -z "$ready" ]; then
  echo "error: the Spark Connect server did not start in 120 s:" >&2
  tail -20 "$dir/server.log" >&2
  exit 1
fi
url="sc://localhost:$port/;token=$token"
"$venv/bin/python3" "$here/tests/spark_load.py" "$url" "$here" > "$dir/load.log" 2>&1 || {
  echo "error: loading the test tables into Spark failed:" >&2
  tail -20 "$dir/load.log" >&2
  exit 1
}
echo "$url"
