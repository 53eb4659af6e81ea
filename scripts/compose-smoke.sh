#!/usr/bin/env bash
# Build the image and run the compose callback demo; exit non-zero on any failed step.
# Uses `docker compose` when a Docker engine answers, else podman-compose.
set -euo pipefail
cd "$(dirname "$0")/.."

if docker compose version > /dev/null 2>&1 && docker info > /dev/null 2>&1; then
  compose=(docker compose)
  build=(docker build)
elif command -v podman-compose > /dev/null 2>&1; then
  compose=(podman-compose)
  # --pull=never: on machines without a registry the base image is a local stand-in.
  build=(podman build --format docker --pull=never)
else
  echo "compose-smoke: neither 'docker compose' nor podman-compose is available" >&2
  exit 1
fi
project="toys-smoke-$$"
log=$(mktemp)
cleanup() {
  "${compose[@]}" -p "$project" down -v > /dev/null 2>&1 || true
  rm -f "$log"
}
trap cleanup EXIT

echo "compose-smoke: building the image with ${build[*]}"
"${build[@]}" -t toy-factory:0.1.0 . > "$log" 2>&1 || { cat "$log" >&2; echo "compose-smoke: image build failed" >&2; exit 1; }

echo "compose-smoke: making the demo's secrets (CA, server certificate, tokens)"
CONTAINER_ENGINE=${build[0]} scripts/demo-secrets.sh toy-factory:0.1.0

echo "compose-smoke: running the callback demo with ${compose[*]}"
set +e
"${compose[@]}" -p "$project" up --abort-on-container-exit --exit-code-from callback 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ]; then
  echo "compose-smoke: the callback service exited $status" >&2
  exit 1
fi
if ! grep -q "status: MANUFACTURE_STATUS_SUCCEEDED" "$log"; then
  echo "compose-smoke: the toy never showed SUCCEEDED" >&2
  exit 1
fi
echo "compose-smoke: ok - the callback left the toy SUCCEEDED"
