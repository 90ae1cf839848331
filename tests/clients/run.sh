#!/usr/bin/env bash
# Drives AVEVA's real Python client libraries against the real communityd
# binary. Usage:
#
#   tests/clients/run.sh BINARY [SCRIPT...]
#
# With no SCRIPT, every tests/clients/adh_*.py and ocs_*.py runs. A script
# named adh_*.py runs with adh-sample-library-preview installed, ocs_*.py
# with ocs-sample-library-preview (the pinned sets in requirements-*.txt).
# Each script gets a server of its own on a fresh data dir holding two
# tenants, Contoso and Fabrikam, made with the operator CLI; fixture.py
# reads them (COMMUNITYD_FIXTURE). A script fails the run by raising, so any
# exception the library raises on a communityd answer fails it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
shift
scripts=("$@")
if [ ${#scripts[@]} -eq 0 ]; then
  scripts=("$here"/adh_*.py "$here"/ocs_*.py)
fi
venvs="${CLIENT_VENVS:-$here/../../target/client-venvs}"

venv_for() {
  local flavour="$1" dir="$venvs/$1"
  if [ ! -x "$dir/bin/python" ] || ! cmp -s "$here/requirements-$flavour.txt" "$dir/requirements.txt"; then
    rm -rf "$dir"
    python3 -m venv "$dir"
    "$dir/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements-$flavour.txt"
    cp "$here/requirements-$flavour.txt" "$dir/requirements.txt"
  fi
  echo "$dir/bin/python"
}

server_pid=""
work=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ -n "$work" ]; then rm -rf "$work"; fi
  server_pid=""
  work=""
}
trap cleanup EXIT

# Two tenants, each with a Tenant Administrator client, written as JSON.
make_fixture() {
  local data="$1" out="$2"
  local cli=("$bin" --data-dir "$data")
  {
    echo '{"tenants": ['
    local first=1 name
    for name in Contoso Fabrikam; do
      local lower
      lower="$(echo "$name" | tr '[:upper:]' '[:lower:]')"
      local tenant client
      tenant="$("${cli[@]}" tenant create --name "$name" --admin-email "admin@$lower.example" --admin-password "correct horse battery")"
      client="$("${cli[@]}" client create --tenant "$name" --name "$name script" --role "Tenant Administrator")"
      [ $first -eq 1 ] || echo ','
      first=0
      printf '{"tenant": %s, "client": %s}\n' "$tenant" "$client"
    done
    echo ']}'
  } > "$out"
}

failed=0
for script in "${scripts[@]}"; do
  name="$(basename "$script")"
  case "$name" in
    adh_*) python="$(venv_for adh)" ;;
    ocs_*) python="$(venv_for ocs)" ;;
    *) echo "skip $name: its name must start with adh_ or ocs_" >&2; failed=1; continue ;;
  esac
  work="$(mktemp -d)"
  make_fixture "$work/data" "$work/fixture.json"
  "$bin" --data-dir "$work/data" serve --bind 127.0.0.1:0 > "$work/server.log" 2>&1 &
  server_pid=$!
  url=""
  for _ in $(seq 1 100); do
    url="$(sed -n 's/^listening on \(http[^ ]*\).*/\1/p' "$work/server.log" | head -n1)"
    [ -n "$url" ] && break
    sleep 0.1
  done
  if [ -z "$url" ]; then
    echo "the server did not start:" >&2
    cat "$work/server.log" >&2
    exit 1
  fi
  echo "== $name against $url"
  if COMMUNITYD_URL="$url" COMMUNITYD_FIXTURE="$work/fixture.json" "$python" "$script"; then
    echo "ok   $name"
  else
    echo "FAIL $name (server log follows)" >&2
    tail -n 40 "$work/server.log" >&2
    failed=1
  fi
  cleanup
done
exit $failed
