#!/usr/bin/env bash
# Runs community_steps.py (AVEVA's SDS sample community steps through
# adh-sample-library-preview) against the release binary: three tenants made
# with the CLI, the server on a free loopback port, then the script.
# COMMUNITYD_BIN overrides the binary; PYTHON the interpreter that has the
# pinned library installed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="${COMMUNITYD_BIN:-$here/../../target/release/communityd}"
python="${PYTHON:-python3}"
data="$(mktemp -d)"
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$data"
}
trap cleanup EXIT

field() { "$python" -c "import json,sys; print(json.load(sys.stdin)$1)"; }

for x in A B C; do
  email="admin@tenant-$(echo "$x" | tr 'A-Z' 'a-z').example"
  out="$("$bin" --data-dir "$data" tenant create --name "Tenant $x" --admin-email "$email" --admin-password "correct horse battery")"
  id="$(printf '%s' "$out" | field "['tenant_id']")"
  out="$("$bin" --data-dir "$data" client create --tenant "$id" --name "sdk" --role "Tenant Administrator")"
  export "TENANT_${x}_ID=$id" "TENANT_${x}_EMAIL=$email"
  export "TENANT_${x}_CLIENT_ID=$(printf '%s' "$out" | field "['client_id']")"
  export "TENANT_${x}_CLIENT_SECRET=$(printf '%s' "$out" | field "['client_secret']")"
done

log="$data/server.log"
RUST_LOG=warn "$bin" --data-dir "$data" serve --bind 127.0.0.1:0 >"$log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
  url="$(grep -o 'listening on http://[^ ]*' "$log" | head -1 | cut -d' ' -f3 || true)"
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "${url:-}" ] || { cat "$log"; echo "server did not start" >&2; exit 1; }
export COMMUNITYD_URL="$url"
"$python" "$here/community_steps.py"
