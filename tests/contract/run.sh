#!/usr/bin/env bash
# API contract test: schemathesis (pinned) generates requests from the
# server's own /openapi.json and fails on any 5xx, on a status the document
# does not list, and on a body or content type that violates it. It runs
# against the real binary with a token of a Tenant Administrator client
# whose tenant owns a community with a member and an invitation.
# Usage: bash tests/contract/run.sh [path/to/communityd]   (default: the release build)
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=$(realpath "${1:-target/release/communityd}")
SCHEMATHESIS_VERSION=4.32.5
EXAMPLES=${CONTRACT_MAX_EXAMPLES:-12}
VENV=${CONTRACT_VENV:-$PWD/target/contract-venv-$SCHEMATHESIS_VERSION}

if [ ! -x "$VENV/bin/st" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION"
fi

WORK=$(mktemp -d)
SERVER=
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
DATA="$WORK/data"
cli() { "$BIN" --data-dir "$DATA" "$@"; }
owner_tenant=$(cli tenant create --name Contoso --admin-email admin@contoso.example)
cli tenant create --name Fabrikam --admin-email admin@fabrikam.example >/dev/null
owner=$(cli client create --tenant Contoso --name contract --role "Tenant Administrator")
member=$(cli client create --tenant Fabrikam --name contract --role "Tenant Administrator")

# Generous throttles: the contract run sends many requests from one address.
COMMUNITYD_AUTH_ATTEMPTS_PER_MINUTE=100000 COMMUNITYD_INVITATIONS_PER_COMMUNITY_PER_DAY=100000 \
RUST_LOG=warn "$BIN" --data-dir "$DATA" serve --bind 127.0.0.1:0 >"$WORK/out" 2>"$WORK/err" &
SERVER=$!
for _ in $(seq 100); do grep -q '^listening on' "$WORK/out" 2>/dev/null && break; sleep 0.1; done
URL=$(sed -n 's/^listening on //p' "$WORK/out")
[ -n "$URL" ] || { cat "$WORK/err"; echo "server did not start"; exit 1; }

token() {
  curl -sf "$URL/identity/connect/token" -d grant_type=client_credentials \
    -d client_id="$(jq -r .client_id <<<"$1")" -d client_secret="$(jq -r .client_secret <<<"$1")" | jq -r .access_token
}
TOKEN=$(token "$owner"); MEMBER_TOKEN=$(token "$member")
CT=$(jq -r .tenant_id <<<"$owner")
api() { curl -sf -X "$1" -H "Authorization: Bearer $3" -H 'content-type: application/json' ${4:+-d "$4"} "$URL$2"; }
community=$(api POST "/api/v1-preview/tenants/$CT/communities" "$TOKEN" '{"Name":"Plant data"}' | jq -r .Id)
invitation=$(api POST "/api/v1-preview/tenants/$CT/communities/$community/invitations" "$TOKEN" \
  '{"InvitationRecipient":"admin@fabrikam.example"}' | jq -r .Id)
api PUT "/api/v1-preview/communityinvitations/$invitation" "$MEMBER_TOKEN" '{"Action":"Accept"}' >/dev/null
api POST "/api/v1-preview/tenants/$CT/communities/$community/invitations" "$TOKEN" \
  '{"InvitationRecipient":"someone@elsewhere.example"}' >/dev/null

contract() { # NAME [schemathesis options]
  local name=$1; shift
  local global=() extra=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do global+=("$1"); shift; done
  [ "${1:-}" = -- ] && shift && extra=("$@")
  echo "== contract pass: $name"
  # From the temp dir: schemathesis keeps its own files in the working directory.
  (cd "$WORK" && "$VENV/bin/st" "${global[@]}" run "$URL/openapi.json" "${extra[@]}" \
    --header "Authorization: Bearer $TOKEN" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --max-examples "$EXAMPLES" \
    --phases examples,coverage,fuzzing \
    --generation-deterministic \
    --suppress-health-check filter_too_much \
    --request-timeout 10 \
    --workers 1 \
    --no-color \
    --report junit --report-junit-path "$WORK/$name.xml") || status=$?
  echo "$name: $(grep -o 'tests="[0-9]*"\|failures="[0-9]*"\|errors="[0-9]*"' "$WORK/$name.xml" | head -3 | tr '\n' ' ')"
}
# First with the ids of real records, so requests reach the handlers' rules.
export CONTRACT_TENANT=$CT CONTRACT_COMMUNITY=$community CONTRACT_INVITATION=$invitation
export CONTRACT_MEMBER=$(jq -r .tenant_id <<<"$member") CONTRACT_CLIENT=$(jq -r .client_id <<<"$owner")
export CONTRACT_USER=$(jq -r .admin_user_id <<<"$owner_tenant")
# Deleting the community early would turn the rest of this pass into 404s.
contract real-ids --config-file "$PWD/tests/contract/schemathesis.toml" -- \
  --exclude-operation-id-regex '^delete_v1_preview_(Tenants_tenantId_)?Communities_communityId$'
# Then every operation with generated ids (ids it finds in responses included).
contract generated-ids
if grep -q 'panicked' "$WORK/err"; then
  grep -m5 'panicked' "$WORK/err"
  echo "the server panicked during the contract run"
  exit 1
fi
exit "${status:-0}"
