#!/usr/bin/env bash
# Makes the venv the OpenID provider runs in, if it is missing or
# requirements.txt changed, and prints its python:
#
#   python="$(bash tests/idp/venv.sh)"
#   "$python" tests/idp/provider.py     # prints its port, then serves
#
# The same venv, lock and stamp as the Rust test helper
# (tests/api/oidc_provider.rs), so the two never install at once and each
# uses what the other installed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${CARGO_TARGET_DIR:-$here/../../target}/idp-venv"
mkdir -p "$(dirname "$venv")"
exec 9>"$venv.lock"
flock 9
wanted="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$venv/requirements.sha256" 2>/dev/null)" != "$wanted" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt" >&2
  # Written last: a stamp means a complete install.
  printf '%s' "$wanted" > "$venv/requirements.sha256"
fi
echo "$(cd "$venv" && pwd)/bin/python"
