#!/bin/sh
# Runs the browser end-to-end test. Build the release binary first
# (cargo build --release); COMMUNITYD_BIN overrides its path.
set -e
cd "$(dirname "$0")"
npm install --no-audit --no-fund
node run.mjs
