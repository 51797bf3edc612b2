#!/usr/bin/env bash
# Measures what one Redis shard costs per PUBLISH, and per subscribing connection of a PUBLISH,
# for the scaling model (docs/scaling.md, docs/benchmarks.md "Issue 10: Redis shard capacity").
#
# A fresh redis-server (no persistence) pinned to core 0; redis-benchmark and the subscriber sink
# (one Python process holding S raw connections SUBSCRIBEd to the channel, reading and discarding
# bytes, as an edge's pub/sub connection does) pinned to core 1. For each S, redis-benchmark sends
# PUBLISH <channel> <payload> with the given clients and pipeline depth; the figure is the
# redis-server's own CPU (utime + stime from /proc/<pid>/stat) divided by the publishes, so a
# benchmark client that cannot keep up does not hide the server's cost. A shard's capacity is then
# about 1 / (CPU per publish) publishes per second per core.
#
# usage: bench/redis-shard-capacity.sh [rounds] [payload-bytes] [subscriber counts...]
#        defaults: 3 rounds, 256 bytes, S = 0 1 4 16 64
set -euo pipefail

ROUNDS=${1:-3}
PAYLOAD_BYTES=${2:-256}
shift 2 2>/dev/null || shift $# 2>/dev/null || true
SUBSCRIBERS=("$@")
[ ${#SUBSCRIBERS[@]} -gt 0 ] || SUBSCRIBERS=(0 1 4 16 64)
PORT=${PORT:-6499}
CHANNEL=herald-bench:demo-app:scaling
# Total messages written to subscribers per run, so a large S does not take forever.
DELIVERY_BUDGET=${DELIVERY_BUDGET:-6000000}
CLK_TCK=$(getconf CLK_TCK)

PAYLOAD=$(head -c "$PAYLOAD_BYTES" /dev/zero | tr '\0' 'x')
WORK=$(mktemp -d)
REDIS_PID=
SINK_PID=
cleanup() {
  [ -n "$SINK_PID" ] && kill "$SINK_PID" 2>/dev/null || true
  [ -n "$REDIS_PID" ] && kill "$REDIS_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

cat >"$WORK/sink.py" <<'EOF'
import selectors, socket, sys
port, channel, n = int(sys.argv[1]), sys.argv[2].encode(), int(sys.argv[3])
sel = selectors.DefaultSelector()
cmd = b"*2\r\n$9\r\nSUBSCRIBE\r\n$%d\r\n%s\r\n" % (len(channel), channel)
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(cmd)
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ)
print("subscribed", flush=True)
while True:
    for key, _ in sel.select():
        if not key.fileobj.recv(1 << 20):
            sys.exit(0)
EOF

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

start_redis() {
  taskset -c 0 redis-server --port "$PORT" --save '' --appendonly no \
    --client-output-buffer-limit 'pubsub 0 0 0' --logfile "$WORK/redis.log" &
  REDIS_PID=$!
  for _ in $(seq 50); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && return; sleep 0.1; done
  echo "redis-server did not start" >&2; exit 1
}

echo "# $(date -u +%FT%TZ) $(redis-server --version | cut -d' ' -f3) payload=${PAYLOAD_BYTES}B"
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '| round | pipeline | subscribers | publishes | publishes/s (client) | redis CPU s | redis µs per publish |\n'
printf '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n'
for round in $(seq "$ROUNDS"); do
  for mode in "50 1" "8 16"; do
    read -r clients pipeline <<<"$mode"
    for subs in "${SUBSCRIBERS[@]}"; do
      start_redis
      if [ "$subs" -gt 0 ]; then
        taskset -c 1 python3 "$WORK/sink.py" "$PORT" "$CHANNEL" "$subs" >"$WORK/sink.out" &
        SINK_PID=$!
        for _ in $(seq 100); do grep -q subscribed "$WORK/sink.out" 2>/dev/null && break; sleep 0.1; done
        sleep 0.5
      fi
      n=$(( DELIVERY_BUDGET / (subs > 0 ? subs : 1) ))
      [ "$n" -gt 1000000 ] && n=1000000
      before=$(cpu_ticks "$REDIS_PID")
      out=$(taskset -c 1 redis-benchmark -p "$PORT" -c "$clients" -P "$pipeline" -n "$n" -q \
              PUBLISH "$CHANNEL" "$PAYLOAD" 2>/dev/null | tr '\r' '\n' | grep 'requests per second' | tail -1)
      # Let the server finish writing what it buffered for the subscribers.
      sleep 1
      after=$(cpu_ticks "$REDIS_PID")
      rps=$(sed -E 's/.*: ([0-9.]+) requests per second.*/\1/' <<<"$out")
      awk -v r="$round" -v p="$pipeline" -v s="$subs" -v n="$n" -v rps="$rps" \
          -v t=$(( after - before )) -v hz="$CLK_TCK" \
          'BEGIN { cpu = t / hz; printf "| %d | %d | %d | %d | %.0f | %.2f | %.3f |\n", r, p, s, n, rps, cpu, cpu * 1e6 / n }'
      [ -n "$SINK_PID" ] && kill "$SINK_PID" 2>/dev/null || true
      SINK_PID=
      kill "$REDIS_PID"; wait "$REDIS_PID" 2>/dev/null || true
      REDIS_PID=
    done
  done
done
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
