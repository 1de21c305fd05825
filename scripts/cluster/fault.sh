#!/usr/bin/env bash
# Faults for the cluster tier (test/cluster/hosts.test.ts), on the cluster start.sh started:
#   fault.sh kill-server        SIGKILL the Temporal server (npm run cluster:start brings it back)
#   fault.sh restart-postgres   PostgreSQL's fast restart: every connection is dropped
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=common.sh
. "$HERE/common.sh"
CACHE="${WORKSPLIT_CLUSTER_CACHE:-$HOME/.cache/worksplit/temporal-server-${TEMPORAL_SERVER_VERSION#v}}"
cluster_paths "$CACHE"
case "${1:-}" in
  kill-server)
    pid="$(server_pid)" || die "the Temporal server is not running"
    kill -KILL "$pid"
    echo "killed $pid"
    for _ in $(seq 1 100); do server_running || exit 0; sleep 0.1; done
    die "the Temporal server (pid $pid) did not exit"
    ;;
  restart-postgres)
    pg_running || die "PostgreSQL is not running"
    before="$(head -n1 "$PGDATA/postmaster.pid")"
    as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w -t 60 restart >/dev/null
    echo "postmaster $before -> $(head -n1 "$PGDATA/postmaster.pid")"
    ;;
  *) die "usage: fault.sh kill-server|restart-postgres" ;;
esac
