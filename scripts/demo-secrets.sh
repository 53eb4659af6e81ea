#!/usr/bin/env bash
# Make the compose demo's secrets in demo-secrets/ (git ignores it): a CA, a certificate for
# the `server` service, an access file, and two tokens (a writer's, to make a toy, and the
# callback role's, to report its run). Tokens come from the image's own `toys-server token
# new`, so build the image first. Throwaway values for a demo: never reuse them.
#   scripts/demo-secrets.sh [IMAGE]        (default toy-factory:0.1.0)
set -euo pipefail
cd "$(dirname "$0")/.."
image=${1:-toy-factory:0.1.0}
engine=${CONTAINER_ENGINE:-$(command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1 && echo docker || echo podman)}
out=demo-secrets
rm -rf "$out"
mkdir -p "$out"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 7 \
  -subj "/CN=toy-factory demo CA" -keyout "$out/ca-key.pem" -out "$out/ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=server" \
  -keyout "$out/server-key.pem" -out "$out/server.csr" 2>/dev/null
printf 'subjectAltName=DNS:server,DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' \
  > "$out/server.ext"
openssl x509 -req -in "$out/server.csr" -CA "$out/ca.pem" -CAkey "$out/ca-key.pem" \
  -CAcreateserial -days 7 -extfile "$out/server.ext" -out "$out/server.pem" 2>/dev/null
rm -f "$out/ca-key.pem" "$out/server.csr" "$out/server.ext" "$out/ca.srl"

: > "$out/access"
for holder in "writer demo-user" "callback argo"; do
  set -- $holder
  "$engine" run --rm "$image" toys-server token new --role "$1" --name "$2" \
    2>>"$out/access.log" >"$out/$1-token"
  grep -E "^$2 $1 sha256:" "$out/access.log" >> "$out/access"
done
rm -f "$out/access.log"
# The containers run as uid 10001 and read these through bind mounts: a demo key, readable.
chmod 644 "$out"/*
echo "demo-secrets: CA, server certificate, access file and tokens written to $out/"
