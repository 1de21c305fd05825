#!/usr/bin/env bash
# Stops what start.sh started: the Temporal server (only the process whose command line names this
# run folder's config), then PostgreSQL. Idempotent: nothing running is not an error. The data
# stays (start.sh with WORKSPLIT_CLUSTER_RESET=1 removes it).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=common.sh
. "$HERE/common.sh"
CACHE="${WORKSPLIT_CLUSTER_CACHE:-$HOME/.cache/worksplit/temporal-server-${TEMPORAL_SERVER_VERSION#v}}"
cluster_paths "$CACHE"
if server_running; then
  log "stopping the Temporal server (pid $(server_pid))"
  stop_server
fi
if pg_running; then
  log "stopping PostgreSQL"
  stop_pg
fi
echo "cluster stopped"
