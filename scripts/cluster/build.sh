#!/usr/bin/env bash
# Builds a production-shaped Temporal server for the cluster test tier (npm run test:cluster):
# the pinned go.temporal.io/server from the Go module proxy, its cmd/server and its SQL schema
# tool (cmd/tools/sql, "temporal-sql-tool"), plus the PostgreSQL schema folders of the same
# module. Everything is cached outside the repository, so a second run is a quick no-op:
#   $CACHE/bin/temporal-server, $CACHE/bin/temporal-sql-tool, $CACHE/schema/postgresql/v12/...
# where CACHE=${WORKSPLIT_CLUSTER_CACHE:-$HOME/.cache/worksplit/temporal-server-1.32.0}.
# Prints the cache folder on its last line.
set -euo pipefail

TEMPORAL_SERVER_VERSION=v1.32.0
CACHE="${WORKSPLIT_CLUSTER_CACHE:-$HOME/.cache/worksplit/temporal-server-${TEMPORAL_SERVER_VERSION#v}}"
MODULE=go.temporal.io/server

log() { echo "cluster: $*" >&2; }

mkdir -p "$CACHE"
# Two runs at once (two CI checkouts) would both write the cache; the second waits for the first.
exec 9>"$CACHE/.build.lock"
flock 9

if [ -x "$CACHE/bin/temporal-server" ] && [ -x "$CACHE/bin/temporal-sql-tool" ] \
  && [ -f "$CACHE/schema/postgresql/v12/temporal/schema.sql" ] \
  && [ "$(cat "$CACHE/version" 2>/dev/null)" = "$TEMPORAL_SERVER_VERSION" ]; then
  echo "$CACHE"
  exit 0
fi

command -v go >/dev/null || {
  log "go is not installed (needed to build the Temporal server): install Go 1.26.8 or newer (go.temporal.io/server@v1.32.0 asks for it) and put it on PATH"
  exit 1
}

log "downloading $MODULE@$TEMPORAL_SERVER_VERSION (Go module proxy)"
module_dir="$(go mod download -json "$MODULE@$TEMPORAL_SERVER_VERSION" \
  | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("Dir") or sys.exit(d.get("Error","no Dir")))')"

# The module's own go.mod and go.sum pin every dependency; the module cache folder is read-only,
# which go build does not mind (it writes only to its build cache and to -o).
mkdir -p "$CACHE/bin"
started=$SECONDS
for target in "server:temporal-server" "tools/sql:temporal-sql-tool"; do
  pkg="${target%%:*}"
  out="${target##*:}"
  log "building ./cmd/$pkg -> $out (nice -n 10; several minutes the first time)"
  (cd "$module_dir" && CGO_ENABLED=0 nice -n 10 go build -trimpath -o "$CACHE/bin/$out.tmp" "./cmd/$pkg")
  mv "$CACHE/bin/$out.tmp" "$CACHE/bin/$out"
done

rm -rf "$CACHE/schema.tmp"
mkdir -p "$CACHE/schema.tmp/postgresql"
cp -r "$module_dir/schema/postgresql/v12" "$CACHE/schema.tmp/postgresql/v12"
chmod -R u+w "$CACHE/schema.tmp"
rm -rf "$CACHE/schema"
mv "$CACHE/schema.tmp" "$CACHE/schema"
echo "$TEMPORAL_SERVER_VERSION" >"$CACHE/version"
log "built $CACHE/bin/temporal-server and temporal-sql-tool in $((SECONDS - started)) s"
echo "$CACHE"
