#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests: `start DIR` installs Debian's PostgreSQL when
# missing, runs initdb into DIR (as the postgres user when run as root: initdb refuses root),
# starts it on a free loopback port with password authentication, loads UCI Adult and the demo's
# six sources (some columns typed: dates, timestamps, numbers), and prints the URL the tests read
# (LINKRISK_PG_URL). `stop DIR` stops it by the process id in its postmaster.pid. A server that
# cannot start is an error: the tests that need it never skip.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
action="$1"
dir="$2"

bin_dir() {
  ls -d /usr/lib/postgresql/*/bin 2> /dev/null | sort -V | tail -1
}

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$action" in
  stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
      pid="$(head -1 "$dir/data/postmaster.pid")"
      kill -INT "$pid" 2> /dev/null || true
      for _ in $(seq 1 100); do
        kill -0 "$pid" 2> /dev/null || break
        sleep 0.1
      done
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

if [ -z "$(bin_dir)" ]; then
  if [ "$(id -u)" -eq 0 ]; then apt_get=(apt-get); else apt_get=(sudo apt-get); fi
  DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" update -qq
  DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" install -y -qq postgresql > /dev/null
fi
bin="$(bin_dir)"
if [ -z "$bin" ]; then
  echo "error: PostgreSQL could not be installed (no /usr/lib/postgresql/*/bin)" >&2
  exit 1
fi
rm -rf "$dir"
mkdir -p "$dir"
if [ "$(id -u)" -eq 0 ]; then
  chown postgres "$dir"
  if ! runuser -u postgres -- test -w "$dir"; then
    echo "error: the postgres user cannot write $dir (a folder under /root?): set LINKRISK_PG_DIR" >&2
    exit 1
  fi
fi
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
password="linkrisk-test"
printf '%s\n' "$password" > "$dir/pwfile"
if [ "$(id -u)" -eq 0 ]; then chown postgres "$dir/pwfile"; fi
as_owner "$bin/initdb" -D "$dir/data" -U postgres --pwfile="$dir/pwfile" \
  --auth-host=scram-sha-256 --auth-local=trust > "$dir/initdb.log" 2>&1 || {
  echo "error: initdb failed:" >&2
  cat "$dir/initdb.log" >&2
  exit 1
}
as_owner "$bin/pg_ctl" -w -D "$dir/data" -l "$dir/server.log" \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off" start > /dev/null || {
  echo "error: PostgreSQL did not start:" >&2
  cat "$dir/server.log" >&2
  exit 1
}

# As the calling user over TCP, so that \copy reads the files with the caller's rights (the
# clone may be where the postgres user cannot read).
psql_run() {
  PGPASSWORD="$password" "$bin/psql" -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres \
    -d postgres "$@"
}
data="$here/../shared/data/adult/adult.csv"
retail="$here/fixtures/retail"
psql_run <<SQL > /dev/null
CREATE TABLE adult (sex text, age integer, race text, "marital-status" text, education text,
  "native-country" text, workclass text, occupation text, "salary-class" text);
\copy adult FROM '$data' CSV HEADER
CREATE SCHEMA crm;
CREATE TABLE crm.loyalty (loyalty_id text, full_name text, email text, phone text, zip5 text,
  birth_date date, gender text, signup_store text);
\copy crm.loyalty FROM '$retail/loyalty.csv' CSV HEADER
CREATE TABLE crm.ecommerce (account_id text, email text, phone text, zip5 text, birth_year integer,
  gender text);
\copy crm.ecommerce FROM '$retail/ecommerce.csv' CSV HEADER
CREATE TABLE crm.web_analytics (email_sha256 text, device text, browser text, city text,
  age_band text, categories_viewed text);
\copy crm.web_analytics FROM '$retail/web_analytics.csv' CSV HEADER
CREATE TABLE crm.transactions (transaction_id text, loyalty_id text, card_token text, store text,
  "timestamp" timestamp, basket_value numeric, category text);
\copy crm.transactions FROM '$retail/transactions.csv' CSV HEADER
CREATE TABLE crm.survey (respondent_id text, zip3 text, birth_year integer, gender text,
  income_band text, household_size integer, health_interest text);
\copy crm.survey FROM '$retail/survey.csv' CSV HEADER
CREATE TABLE crm.partner (record_id text, email text, phone text, age integer, zip5 text,
  estimated_income integer);
\copy crm.partner FROM '$retail/partner.csv' CSV HEADER
CREATE TABLE crm.truth_loyalty (loyalty_id text, person_id text);
\copy crm.truth_loyalty FROM '$retail/truth/loyalty.csv' CSV HEADER
CREATE TABLE crm.truth_ecommerce (account_id text, person_id text);
\copy crm.truth_ecommerce FROM '$retail/truth/ecommerce.csv' CSV HEADER
CREATE TABLE crm.truth_survey (respondent_id text, person_id text);
\copy crm.truth_survey FROM '$retail/truth/survey.csv' CSV HEADER
CREATE TABLE crm.truth_partner (record_id text, person_id text);
\copy crm.truth_partner FROM '$retail/truth/partner.csv' CSV HEADER
SQL
echo "postgresql://postgres:$password@127.0.0.1:$port/postgres"
