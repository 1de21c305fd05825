#!/usr/bin/env bash
# Starts a production-shaped Temporal for the cluster test tier: a private PostgreSQL 15 cluster
# (persistence and visibility) and the Temporal server built by build.sh, both on loopback only.
# Idempotent: when both already run, it only prints the address again. Last line of stdout:
#   TEMPORAL_ADDRESS=127.0.0.1:<frontend port>
# Folders: ${WORKSPLIT_CLUSTER_CACHE:-$HOME/.cache/worksplit/temporal-server-1.32.0} (the build),
# ${WORKSPLIT_CLUSTER_RUN:-<cache>/run} (config, logs, pids, the database password).
# Stop with scripts/cluster/stop.sh (npm run cluster:stop); the data stays for the next start
# unless WORKSPLIT_CLUSTER_RESET=1.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
# shellcheck source=common.sh
. "$HERE/common.sh"

CACHE="$(bash "$HERE/build.sh" | tail -n1)"
cluster_paths "$CACHE"
mkdir -p "$RUN"
chmod 700 "$RUN"
# Where PostgreSQL's data is, for stop.sh's callers and the benchmark's CPU count.
echo "$PGDATA" >"$RUN/pgdata.path"
exec 8>"$RUN/.start.lock"
flock 8

if [ "${WORKSPLIT_CLUSTER_RESET:-}" = 1 ]; then
  log "WORKSPLIT_CLUSTER_RESET=1: stopping and removing the cluster's data"
  bash "$HERE/stop.sh" >/dev/null
  rm -rf "$PGDATA" "$RUN/ports.env" "$RUN/temporal.yaml"
fi

# ---- ports: kept from the last start while they are free, so addresses stay the same ----------
PORT_NAMES=(PG FRONTEND FRONTEND_HTTP FRONTEND_MEMBER HISTORY HISTORY_MEMBER MATCHING MATCHING_MEMBER WORKER WORKER_MEMBER METRICS)
ports_usable() {
  [ -f "$RUN/ports.env" ] || return 1
  # shellcheck disable=SC1091
  . "$RUN/ports.env"
  local n
  for n in "${PORT_NAMES[@]}"; do
    local v="PORT_$n"
    [ -n "${!v:-}" ] || return 1
  done
  # Ports of a cluster that runs are its own; otherwise each must be free.
  if pg_running && server_running; then return 0; fi
  for n in "${PORT_NAMES[@]}"; do
    local v="PORT_$n"
    if [ "$n" = PG ] && pg_running; then continue; fi
    port_free "${!v}" || return 1
  done
}
if ! ports_usable; then
  if server_running; then stop_server; fi
  if pg_running; then stop_pg; fi
  read -r -a FREE <<<"$(free_ports ${#PORT_NAMES[@]})"
  : >"$RUN/ports.env.tmp"
  for i in "${!PORT_NAMES[@]}"; do echo "PORT_${PORT_NAMES[$i]}=${FREE[$i]}" >>"$RUN/ports.env.tmp"; done
  mv "$RUN/ports.env.tmp" "$RUN/ports.env"
  # shellcheck disable=SC1091
  . "$RUN/ports.env"
fi
ADDRESS="127.0.0.1:$PORT_FRONTEND"

# ---- PostgreSQL 15 ----------------------------------------------------------------------------
[ -x "$PG_BIN/initdb" ] || die "PostgreSQL 15 is not installed ($PG_BIN/initdb): apt-get install -y postgresql-15"
if [ ! -f "$RUN/db.password" ]; then
  (umask 077 && python3 -c 'import secrets; print(secrets.token_hex(16))' >"$RUN/db.password")
fi
DB_PASSWORD="$(cat "$RUN/db.password")"
if [ ! -f "$PGDATA/PG_VERSION" ]; then
  log "initdb: a private PostgreSQL cluster in $PGDATA (run as user $PG_USER)"
  rm -rf "$PGDATA"
  make_pg_dir "$PGDATA"
  pwfile="$(dirname "$PGDATA")/pw.tmp"
  (umask 077 && echo "$DB_PASSWORD" >"$pwfile")
  as_pg_owner_file "$pwfile"
  as_pg "$PG_BIN/initdb" -D "$PGDATA" -U temporal --pwfile="$pwfile" --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$RUN/initdb.log" 2>&1 \
    || { rm -f "$pwfile"; cat "$RUN/initdb.log" >&2; die "initdb failed (log: $RUN/initdb.log)"; }
  rm -f "$pwfile"
fi
if ! pg_running; then
  log "starting PostgreSQL on 127.0.0.1:$PORT_PG"
  # Without the lock's fd (8>&-): the postmaster would hold it for its whole life.
  # Loopback only; the socket sits in the data folder's parent (private to the cluster's user).
  as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$(dirname "$PGDATA")/postgres.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PORT_PG -c unix_socket_directories=$(dirname "$PGDATA") -c max_connections=200 -c shared_buffers=128MB -c fsync=on" start >/dev/null 8>&- \
    || { tail -n 20 "$(dirname "$PGDATA")/postgres.log" >&2 || true; die "PostgreSQL did not start (log: $(dirname "$PGDATA")/postgres.log)"; }
fi

# ---- schemas, with the schema tool of the same module ----------------------------------------
SQL_TOOL=("$CACHE/bin/temporal-sql-tool" --plugin postgres12 --ep 127.0.0.1 -p "$PORT_PG" -u temporal --pw "$DB_PASSWORD")
for db in temporal temporal_visibility; do
  folder=temporal
  [ "$db" = temporal_visibility ] && folder=visibility
  if ! PGPASSWORD="$DB_PASSWORD" "$PG_BIN/psql" -h 127.0.0.1 -p "$PORT_PG" -U temporal -d postgres -tAc "select 1 from pg_database where datname='$db'" | grep -q 1; then
    log "creating database $db"
    "${SQL_TOOL[@]}" --db "$db" create-database >>"$RUN/schema.log" 2>&1 || { tail -n 20 "$RUN/schema.log" >&2; die "create-database $db failed"; }
  fi
  if ! PGPASSWORD="$DB_PASSWORD" "$PG_BIN/psql" -h 127.0.0.1 -p "$PORT_PG" -U temporal -d "$db" -tAc "select 1 from information_schema.tables where table_name='schema_version'" | grep -q 1; then
    log "setup-schema $db"
    "${SQL_TOOL[@]}" --db "$db" setup-schema -v 0.0 >>"$RUN/schema.log" 2>&1 || { tail -n 20 "$RUN/schema.log" >&2; die "setup-schema $db failed"; }
  fi
  # A no-op when the schema is current; applies the versioned steps of a newer server otherwise.
  "${SQL_TOOL[@]}" --db "$db" update-schema -d "$CACHE/schema/postgresql/v12/$folder/versioned" >>"$RUN/schema.log" 2>&1 \
    || { tail -n 20 "$RUN/schema.log" >&2; die "update-schema $db failed"; }
done

# ---- the server's configuration ---------------------------------------------------------------
umask 077
cat >"$RUN/dynamicconfig.yaml.tmp" <<YAML
# The history service's queue processors poll as fast as work arrives (the dev server gets the
# same, client/temporal-cli.ts DEV_SERVER_DYNAMIC_CONFIG; BENCHMARKS.md).
history.transferProcessorMaxPollRPS:
  - value: 1000
history.timerProcessorMaxPollRPS:
  - value: 1000
history.visibilityProcessorMaxPollRPS:
  - value: 1000
# A search attribute registered through the operator service is usable at once.
system.forceSearchAttributesCacheRefreshOnRead:
  - value: true
${WORKSPLIT_CLUSTER_DYNAMIC_CONFIG:-}
YAML
mv "$RUN/dynamicconfig.yaml.tmp" "$RUN/dynamicconfig.yaml"

sql_store() { # name database maxConns
  cat <<YAML
    $1:
      sql:
        pluginName: "postgres12"
        databaseName: "$2"
        connectAddr: "127.0.0.1:$PORT_PG"
        connectProtocol: "tcp"
        user: "temporal"
        password: "$DB_PASSWORD"
        maxConns: $3
        maxIdleConns: $3
        maxConnLifetime: "1h"
YAML
}
service() { # name grpc membership [http]
  echo "  $1:"
  echo "    rpc:"
  echo "      grpcPort: $2"
  echo "      membershipPort: $3"
  echo "      bindOnLocalHost: true"
  [ -z "${4:-}" ] || echo "      httpPort: $4"
}
{
  cat <<YAML
log:
  stdout: true
  level: warn
persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: 4
  datastores:
YAML
  sql_store postgres-default temporal 20
  sql_store postgres-visibility temporal_visibility 10
  cat <<YAML
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"
  metrics:
    prometheus:
      framework: "tally"
      timerType: "histogram"
      listenAddress: "127.0.0.1:$PORT_METRICS"
services:
YAML
  service frontend "$PORT_FRONTEND" "$PORT_FRONTEND_MEMBER" "$PORT_FRONTEND_HTTP"
  service history "$PORT_HISTORY" "$PORT_HISTORY_MEMBER"
  service matching "$PORT_MATCHING" "$PORT_MATCHING_MEMBER"
  service worker "$PORT_WORKER" "$PORT_WORKER_MEMBER"
  cat <<YAML
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: "active"
  currentClusterName: "active"
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: "frontend"
      rpcAddress: "$ADDRESS"
dcRedirectionPolicy:
  policy: "noop"
publicClient:
  hostPort: "$ADDRESS"
dynamicConfigClient:
  filepath: "$RUN/dynamicconfig.yaml"
  pollInterval: "10s"
YAML
} >"$RUN/temporal.yaml.tmp"
mv "$RUN/temporal.yaml.tmp" "$RUN/temporal.yaml"
umask 022

# ---- the server ------------------------------------------------------------------------------
if ! server_running; then
  log "starting the Temporal server (frontend $ADDRESS; log $RUN/temporal.log)"
  # Its own session, so it outlives this script and a test's process group; without the lock's fd
# (a long-lived child holding it would make the next start wait for ever).
  setsid "$CACHE/bin/temporal-server" --config-file "$RUN/temporal.yaml" --allow-no-auth start \
    >>"$RUN/temporal.log" 2>&1 </dev/null 8>&- &
  echo $! >"$RUN/temporal.pid"
fi
TEMPORAL="$(temporal_cli "$REPO")"
for _ in $(seq 1 120); do
  if "$TEMPORAL" operator cluster health --address "$ADDRESS" >/dev/null 2>&1; then break; fi
  server_running || { tail -n 30 "$RUN/temporal.log" >&2; die "the Temporal server exited (log: $RUN/temporal.log)"; }
  sleep 1
done
"$TEMPORAL" operator cluster health --address "$ADDRESS" >/dev/null 2>&1 \
  || { tail -n 30 "$RUN/temporal.log" >&2; die "the Temporal server did not answer at $ADDRESS within 120 s (log: $RUN/temporal.log)"; }

# ---- the namespace and worksplit's search attributes (the deployment guide's commands) --------
NAMESPACE="${WORKSPLIT_CLUSTER_NAMESPACE:-default}"
if ! "$TEMPORAL" operator namespace describe --address "$ADDRESS" --namespace "$NAMESPACE" >/dev/null 2>&1; then
  log "creating namespace $NAMESPACE"
  "$TEMPORAL" operator namespace create --address "$ADDRESS" --namespace "$NAMESPACE" --retention 72h >/dev/null
fi
for _ in $(seq 1 60); do
  "$TEMPORAL" operator namespace describe --address "$ADDRESS" --namespace "$NAMESPACE" >/dev/null 2>&1 && break
  sleep 1
done
# A new namespace reaches the frontend's namespace cache within seconds: until then the search
# attribute commands say it is not found.
for name in WorkSplitProject WorkSplitJob WorkSplitStatus; do
  for i in $(seq 1 60); do
    if "$TEMPORAL" operator search-attribute list --address "$ADDRESS" --namespace "$NAMESPACE" 2>/dev/null | grep -qw "$name"; then break; fi
    if err="$("$TEMPORAL" operator search-attribute create --address "$ADDRESS" --namespace "$NAMESPACE" --name "$name" --type Keyword 2>&1 >/dev/null)"; then break; fi
    [ "$i" -lt 60 ] || die "could not register the search attribute $name: $err"
    sleep 1
  done
done
log "Temporal $(cat "$CACHE/version") on PostgreSQL 15 is up: frontend $ADDRESS, namespace $NAMESPACE"
echo "TEMPORAL_ADDRESS=$ADDRESS"
