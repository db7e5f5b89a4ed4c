#!/usr/bin/env bash
# scripts/redis-topologies.sh — starts, if not already running, the Redis topologies that
# the optional rediskv tests run against, next to the single test server on 127.0.0.1:6379:
#   a Redis Cluster of three masters on 127.0.0.1:7101-7103 (cluster bus 17101-17103);
#   a Sentinel on 127.0.0.1:26479 watching 127.0.0.1:6379 as master "fullauth-test".
# Then prints the variables the tests read, ready for eval:
#   eval "$(scripts/redis-topologies.sh)"
#   go test ./rediskv
# Needs redis-server and redis-cli (Debian: redis-server, redis-tools). Data lives in
# ${TMPDIR:-/tmp}/fullauth-redis-topologies; nothing is saved to disk. Stop everything with
#   scripts/redis-topologies.sh stop
set -euo pipefail

DIR=${TMPDIR:-/tmp}/fullauth-redis-topologies
NODES=(7101 7102 7103)
SENTINEL=26479
MASTER=fullauth-test
MASTER_ADDR=(127.0.0.1 6379)

say() { echo "redis-topologies.sh: $*" >&2; }
cli() { redis-cli -h 127.0.0.1 -p "$1" --no-auth-warning "${@:2}" 2>/dev/null; }
stop() {
	local p
	for p in "${NODES[@]}" "$SENTINEL"; do cli "$p" shutdown nosave >/dev/null || true; done
	for p in "${NODES[@]}" "$SENTINEL"; do
		for _ in $(seq 1 50); do cli "$p" ping >/dev/null || break; sleep 0.1; done
	done
}
if [[ ${1:-} == stop ]]; then
	stop
	rm -rf "$DIR"
	exit 0
fi

cluster_ok() { [[ $(cli "${NODES[0]}" cluster info) == *cluster_state:ok* ]]; }
sentinel_ok() { [[ $(cli "$SENTINEL" sentinel get-master-addr-by-name "$MASTER" | head -1) == "${MASTER_ADDR[0]}" ]]; }

if ! cluster_ok || ! sentinel_ok; then
	stop # whatever half-started set was left behind
	rm -rf "$DIR"
	for p in "${NODES[@]}"; do
		mkdir -p "$DIR/$p"
		redis-server --bind 127.0.0.1 --port "$p" --cluster-enabled yes \
			--cluster-config-file "$DIR/$p/nodes.conf" --dir "$DIR/$p" --save "" --appendonly no \
			--daemonize yes --logfile "$DIR/$p/log"
	done
	mkdir -p "$DIR/sentinel"
	cat >"$DIR/sentinel/sentinel.conf" <<CONF
bind 127.0.0.1
port $SENTINEL
daemonize yes
logfile $DIR/sentinel/log
dir $DIR/sentinel
sentinel monitor $MASTER ${MASTER_ADDR[0]} ${MASTER_ADDR[1]} 1
sentinel down-after-milliseconds $MASTER 60000
CONF
	redis-server "$DIR/sentinel/sentinel.conf" --sentinel
	for p in "${NODES[@]}"; do
		for _ in $(seq 1 50); do cli "$p" ping >/dev/null && break; sleep 0.1; done
	done
	addrs=()
	for p in "${NODES[@]}"; do addrs+=("127.0.0.1:$p"); done
	redis-cli --cluster create "${addrs[@]}" --cluster-yes >"$DIR/create.log" 2>&1 ||
		{ cat "$DIR/create.log" >&2; say "creating the cluster failed"; exit 1; }
	for _ in $(seq 1 100); do cluster_ok && sentinel_ok && break; sleep 0.1; done
	cluster_ok || { say "the cluster did not reach cluster_state:ok"; exit 1; }
	sentinel_ok || { say "the sentinel does not name ${MASTER_ADDR[0]}:${MASTER_ADDR[1]} as $MASTER"; exit 1; }
fi

cluster=$(printf '127.0.0.1:%s,' "${NODES[@]}")
echo "export FULLAUTH_TEST_REDIS_CLUSTER_ADDRS=${cluster%,}"
echo "export FULLAUTH_TEST_REDIS_SENTINEL_URL='redis://127.0.0.1:$SENTINEL/0?master_name=$MASTER'"
