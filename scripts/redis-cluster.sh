#!/usr/bin/env bash
# A local Redis Cluster of 3 masters and 3 replicas on 127.0.0.1, ports BASE+1 … BASE+6.
#
#   scripts/redis-cluster.sh start [BASE]   # default BASE 7100: ports 7101–7106
#   scripts/redis-cluster.sh stop [BASE]
#
# `start` is idempotent and safe to run several times at once (a lock file): a healthy cluster is
# left as it is; otherwise its nodes are stopped, their files removed, and a new cluster made. It
# returns once every node sees `cluster_state:ok` and every replica's link to its master is up (a
# replica that never finished its first sync cannot take over from a failed master).
set -euo pipefail

action="${1:-start}"
base="${2:-7100}"
ports=()
for i in 1 2 3 4 5 6; do ports+=("$((base + i))"); done
dir="${TMPDIR:-/tmp}/fastify-google-oauth-redis-cluster-$base"
mkdir -p "$dir"

cli() { redis-cli -h 127.0.0.1 -p "$1" "${@:2}" 2>/dev/null; }
info_field() { cli "$1" "${@:3}" | tr -d '\r' | sed -n "s/^$2://p"; }

healthy() {
  local port role
  for port in "${ports[@]}"; do
    [ "$(info_field "$port" cluster_state cluster info)" = ok ] || return 1
    [ "$(info_field "$port" cluster_known_nodes cluster info)" = 6 ] || return 1
    role="$(info_field "$port" role info replication)"
    if [ "$role" = slave ]; then
      [ "$(info_field "$port" master_link_status info replication)" = up ] || return 1
    fi
  done
  [ "$(for port in "${ports[@]}"; do info_field "$port" role info replication; done | grep -c master)" = 3 ]
}

stop_nodes() {
  local port
  for port in "${ports[@]}"; do cli "$port" shutdown nosave >/dev/null || true; done
  for port in "${ports[@]}"; do
    for _ in $(seq 1 100); do cli "$port" ping >/dev/null || break; sleep 0.05; done
  done
  rm -f "$dir"/nodes-*.conf "$dir"/*.log
}

wait_healthy() {
  for _ in $(seq 1 600); do
    healthy && return 0
    sleep 0.05
  done
  echo "redis cluster on ports ${ports[*]} did not become healthy" >&2
  return 1
}

start() {
  if healthy; then return 0; fi
  stop_nodes
  local port
  for port in "${ports[@]}"; do
    redis-server --port "$port" --bind 127.0.0.1 --cluster-enabled yes \
      --cluster-config-file "$dir/nodes-$port.conf" --cluster-node-timeout 1500 \
      --dir "$dir" --save '' --appendonly no --repl-diskless-sync-delay 0 \
      --daemonize yes --logfile "$dir/$port.log" --pidfile "$dir/$port.pid" 9>&-
  done
  for port in "${ports[@]}"; do
    for _ in $(seq 1 100); do cli "$port" ping >/dev/null && break; sleep 0.05; done
  done
  local nodes=()
  for port in "${ports[@]}"; do nodes+=("127.0.0.1:$port"); done
  redis-cli --cluster create "${nodes[@]}" --cluster-replicas 1 --cluster-yes >/dev/null
  wait_healthy
}

exec 9>"$dir/lock"
flock 9
case "$action" in
  start) start ;;
  stop) stop_nodes; rm -rf "$dir" ;;
  *) echo "usage: $0 start|stop [BASE]" >&2; exit 2 ;;
esac
