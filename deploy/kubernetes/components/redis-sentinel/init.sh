#!/bin/sh
# Writes this pod's redis.conf and sentinel.conf into $CONF_DIR (an emptyDir: sentinel rewrites
# its file). Who is primary: the sentinels' answer if any sentinel is up (so a restarted pod joins
# the primary that a failover chose, never taking the role back); on a fresh set, pod 0.
# The password goes into the files, never on a command line.
set -eu
: "${POD_NAME:?}" "${REDIS_PASSWORD:?}"
CONF_DIR="${CONF_DIR:-/conf}"
HEADLESS="${HEADLESS:-bulwark-redis-headless}"
MASTER_NAME="${MASTER_NAME:-bulwark}"
SENTINEL_HOST="${SENTINEL_HOST:-bulwark-redis-sentinel}"
SENTINEL_PORT="${SENTINEL_PORT:-26379}"
SELF="$POD_NAME.$HEADLESS"
case "$REDIS_PASSWORD" in *[\"\\\ ]*) echo "redis-password must not hold quotes, backslashes or spaces" >&2; exit 1 ;; esac

PRIMARY_HOST=""
PRIMARY_PORT=6379
if ANSWER=$(REDISCLI_AUTH="$REDIS_PASSWORD" timeout 3 redis-cli --no-auth-warning -h "$SENTINEL_HOST" -p "$SENTINEL_PORT" sentinel get-master-addr-by-name "$MASTER_NAME" 2>/dev/null); then
  PRIMARY_HOST=$(printf '%s\n' "$ANSWER" | sed -n 1p)
  PRIMARY_PORT=$(printf '%s\n' "$ANSWER" | sed -n 2p)
fi
case "$PRIMARY_PORT" in ''|*[!0-9]*) PRIMARY_HOST="" ;; esac
if [ -z "$PRIMARY_HOST" ]; then
  PRIMARY_HOST="${POD_NAME%-*}-0.$HEADLESS"
  PRIMARY_PORT=6379
fi

{
  printf 'requirepass "%s"\nmasterauth "%s"\n' "$REDIS_PASSWORD" "$REDIS_PASSWORD"
  printf 'replica-announce-ip %s\n' "$SELF"
  if [ "$PRIMARY_HOST" != "$SELF" ]; then printf 'replicaof %s %s\n' "$PRIMARY_HOST" "$PRIMARY_PORT"; fi
} > "$CONF_DIR/redis.conf"

{
  printf 'port %s\n' "$SENTINEL_PORT"
  printf 'sentinel resolve-hostnames yes\nsentinel announce-hostnames yes\nsentinel announce-ip %s\n' "$SELF"
  printf 'sentinel monitor %s %s %s 2\n' "$MASTER_NAME" "$PRIMARY_HOST" "$PRIMARY_PORT"
  printf 'sentinel auth-pass %s "%s"\n' "$MASTER_NAME" "$REDIS_PASSWORD"
  printf 'sentinel down-after-milliseconds %s 5000\nsentinel failover-timeout %s 60000\nsentinel parallel-syncs %s 1\n' "$MASTER_NAME" "$MASTER_NAME" "$MASTER_NAME"
  printf 'requirepass "%s"\n' "$REDIS_PASSWORD"
} > "$CONF_DIR/sentinel.conf"
echo "$SELF: primary is $PRIMARY_HOST:$PRIMARY_PORT"
