# Shared by start.sh and stop.sh (sourced). Paths, the PostgreSQL user, process checks, ports.
TEMPORAL_SERVER_VERSION=v1.32.0
PG_BIN="${WORKSPLIT_PG_BIN:-/usr/lib/postgresql/15/bin}"

log() { echo "cluster: $*" >&2; }
die() { log "$*"; exit 1; }

# CACHE (the build), RUN (config, logs, pids, password), PG_USER, PGDATA.
cluster_paths() {
  CACHE="$1"
  RUN="${WORKSPLIT_CLUSTER_RUN:-$CACHE/run}"
  if [ "$(id -u)" = 0 ]; then
    # PostgreSQL refuses to run as root: it runs as the `postgres` system user when there is one,
    # else as a system user made for it.
    PG_USER="${WORKSPLIT_PG_USER:-postgres}"
    if ! id "$PG_USER" >/dev/null 2>&1; then
      log "creating the system user $PG_USER for PostgreSQL"
      useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_USER"
    fi
    # That user cannot enter root's home (0700), so the data folder lives where it can: a folder
    # of its own (0700) named after the run folder.
    PG_HOME="${WORKSPLIT_CLUSTER_PG_DIR:-/var/tmp/worksplit-cluster-$(printf %s "$RUN" | sha256sum | cut -c1-12)}"
  else
    PG_USER="$(id -un)"
    PG_HOME="${WORKSPLIT_CLUSTER_PG_DIR:-$RUN/pg}"
  fi
  PGDATA="$PG_HOME/data"
}

as_pg() {
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u "$PG_USER" -- "$@"); else "$@"; fi
}
as_pg_owner_file() {
  if [ "$(id -u)" = 0 ]; then chown "$PG_USER" "$1"; fi
}
make_pg_dir() {
  mkdir -p "$1"
  if [ "$(id -u)" = 0 ]; then chown "$PG_USER" "$(dirname "$1")" "$1"; fi
  chmod 700 "$(dirname "$1")" "$1"
}

pg_running() {
  [ -f "$PGDATA/PG_VERSION" ] && as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1
}
stop_pg() {
  as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w -t 60 stop >/dev/null
}

# The server this run folder started: its pid file names a live process whose command line holds
# this run folder's config. Nothing else is ever signalled.
server_pid() {
  local pid
  pid="$(cat "$RUN/temporal.pid" 2>/dev/null)" || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] && [ "$pid" -gt 1 ] || return 1
  { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | grep -qF -- "--config-file $RUN/temporal.yaml" || return 1
  echo "$pid"
}
server_running() { server_pid >/dev/null; }
stop_server() {
  local pid
  pid="$(server_pid)" || return 0
  kill -TERM "$pid"
  for _ in $(seq 1 200); do
    server_running || return 0
    sleep 0.1
  done
  pid="$(server_pid)" && kill -KILL "$pid"
  for _ in $(seq 1 50); do server_running || return 0; sleep 0.1; done
}

port_free() {
  python3 -c 'import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1]))); s.close()' "$1" 2>/dev/null
}
# N distinct free loopback ports, bound all at once so none repeats. Below 32768: the server
# stores its membership ports in a smallint column (and the kernel's ephemeral ports start there,
# so a port picked here is not taken by an outgoing connection meanwhile).
free_ports() {
  python3 -c '
import random, socket, sys
socks = []
for port in random.sample(range(20000, 32000), 2000):
    if len(socks) == int(sys.argv[1]):
        break
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
        socks.append(s)
    except OSError:
        s.close()
print(" ".join(str(s.getsockname()[1]) for s in socks))
' "$1"
}

# The Temporal CLI, for the operator commands: WORKSPLIT_TEMPORAL_CLI, `temporal` on PATH, or the
# one `npm ci` installed into .tools/ (scripts/install-temporal.js).
temporal_cli() {
  if [ -n "${WORKSPLIT_TEMPORAL_CLI:-}" ]; then echo "$WORKSPLIT_TEMPORAL_CLI"; return; fi
  if command -v temporal >/dev/null; then command -v temporal; return; fi
  if [ -x "$1/.tools/temporal/bin/temporal" ]; then echo "$1/.tools/temporal/bin/temporal"; return; fi
  die "the Temporal CLI is missing: npm ci (or node scripts/install-temporal.js) installs it"
}
