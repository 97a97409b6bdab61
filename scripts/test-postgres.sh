#!/usr/bin/env bash
# Run the test suite against PostgreSQL: installs the server if missing,
# starts a throwaway cluster on a local port, runs pytest with
# ZCWEB_TEST_DATABASE_URL pointing at it, and removes the cluster.
#   scripts/test-postgres.sh [pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bin" ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends postgresql
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
.venv/bin/pip install --quiet --disable-pip-version-check -e ".[test,postgres]"

dir=$(mktemp -d /tmp/zcweb-pg.XXXXXX)
port=${ZCWEB_PG_PORT:-55439}
as=()
if [ "$(id -u)" -eq 0 ]; then  # the server refuses to run as root
  chown postgres "$dir"
  as=(runuser -u postgres --)
fi
"${as[@]}" "$bin/initdb" -D "$dir/data" -U zcweb --auth=trust >/dev/null
"${as[@]}" "$bin/pg_ctl" -D "$dir/data" -o "-p $port -k $dir -c listen_addresses=127.0.0.1" -l "$dir/log" -w start >/dev/null
trap '"${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null; rm -rf "$dir"' EXIT
"${as[@]}" "$bin/createdb" -h 127.0.0.1 -p "$port" -U zcweb zcweb_test
ZCWEB_TEST_DATABASE_URL="postgresql://zcweb@127.0.0.1:$port/zcweb_test" .venv/bin/pytest "$@"
