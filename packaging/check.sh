#!/usr/bin/env bash
# Checks the packaging against a release binary: lints the systemd unit
# (when systemd-analyze is installed) and builds and runs the container
# image until its health check passes (when a container runtime answers).
# Usage: bash packaging/check.sh target/release/communityd
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(realpath "$1")

if command -v systemd-analyze >/dev/null 2>&1; then
  unit_dir=$(mktemp -d)
  trap 'rm -rf "$unit_dir"' EXIT
  # verify checks that ExecStart exists, so point it at the binary under test.
  sed "s#/usr/local/bin/communityd#$BIN#" packaging/communityd.service >"$unit_dir/communityd.service"
  # verify exits 0 on unknown keys and other warnings: any output is a failure.
  out=$(systemd-analyze verify "$unit_dir/communityd.service" 2>&1 || echo "systemd-analyze verify failed")
  if [ -n "$out" ]; then
    echo "$out"
    exit 1
  fi
  echo "systemd unit: systemd-analyze verify clean"
  systemd-analyze security --offline=yes "$unit_dir/communityd.service" 2>/dev/null | tail -1 || true
else
  echo "systemd unit: systemd-analyze not installed, lint skipped"
fi

if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  docker build -q -t communityd:ci . >/dev/null
  id=$(docker run -d -p 127.0.0.1::8080 communityd:ci)
  trap 'docker rm -f "$id" >/dev/null 2>&1 || true' EXIT
  for _ in $(seq 90); do
    state=$(docker inspect -f '{{.State.Health.Status}}' "$id")
    [ "$state" = healthy ] && break
    sleep 1
  done
  docker exec "$id" communityd tenant list >/dev/null
  [ "$state" = healthy ] || { docker logs "$id"; echo "container never became healthy ($state)"; exit 1; }
  [ "$(docker exec "$id" id -u)" != 0 ] || { echo "container runs as root"; exit 1; }
  echo "container image: built, healthy, non-root, operator commands work"
else
  echo "container image: no container runtime answers, build skipped"
fi
