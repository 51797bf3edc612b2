#!/usr/bin/env bash
# Where a Herald node on Redis spends its CPU: side-by-side.sh's S3 (or S1) against a fresh Herald
# on a fresh redis-server (both pinned to core 0, the load tool to core 1), with the CPU of the
# two processes split (utime + stime from /proc/<pid>/stat over the measured window) and the Redis
# commands of the window counted (INFO commandstats, reset when the window starts) per PUBLISH.
# Settings are alternated within each round, so slow drifts of the shared machine hit all alike.
#
# Usage: bench/redis-node-cost.sh ROUNDS SCENARIO SETTING...
#   SCENARIO  s3 (5,000 channels x 1 subscriber, 5,000 publishes/s) or s1 (1 channel x 2,000 x 50/s)
#   SETTING   NAME=JAR [server args...], e.g. 'old=/tmp/old.jar' 'new=/tmp/new.jar --herald.usage.enabled=false'
#             NAME=mem:JAR runs that jar in memory (no Redis) for comparison; JVM_ARGS_<NAME>
#             (exported) are JVM options of that setting's server, e.g. JVM_ARGS_one=-Dio.netty.eventLoopThreads=1.
# Environment: BENCH_JAR (default bench/target/herald-bench-0.1.0-SNAPSHOT-exec.jar), OUT (default
# /tmp/redis-node-cost), PORT (6191), REDIS_PORT (6492), JFR=1 to record 10 s of the window of
# every run (profile settings) into $OUT/NAME-ROUND.jfr.
# The sampled window starts 1 s after the tool's warm-up and ends 1 s before its measured window,
# so connecting and disconnecting stay out of it; "herald" and "redis" are µs of CPU per PUBLISH
# Redis counted in it. Prints one line per run; $OUT/results.tsv has the same.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
ROUNDS=$1; SCENARIO=$2; shift 2
BENCH_JAR=${BENCH_JAR:-$ROOT/bench/target/herald-bench-0.1.0-SNAPSHOT-exec.jar}
OUT=${OUT:-/tmp/redis-node-cost}
PORT=${PORT:-6191}
REDIS_PORT=${REDIS_PORT:-6492}
mkdir -p "$OUT"
case "$SCENARIO" in
  s3) LOAD="--subscribers 5000 --channels 5000 --rate 5000 --duration 10 --warmup 5 --drain 10"; WARMUP=6; WINDOW=8 ;;
  s1) LOAD="--subscribers 2000 --rate 50 --duration 10 --warmup 5 --drain 10"; WARMUP=6; WINDOW=8 ;;
  *) echo "unknown scenario $SCENARIO" >&2; exit 2 ;;
esac

ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
# one line per thread: name, utime+stime ticks, voluntary + involuntary context switches
threads() {
  local t
  for t in /proc/"$1"/task/*; do
    printf '%s\t%s\t%s\n' "$(cat "$t/comm" 2> /dev/null)" "$(sed 's/.*) //' "$t/stat" 2> /dev/null | awk '{print $12 + $13}')" \
      "$(awk '/ctxt_switches/ {n += $2} END {print n}' "$t/status" 2> /dev/null)"
  done
}
PIDS=""
stop_all() {
  local pid
  for pid in $PIDS; do kill "$pid" 2> /dev/null || true; done
  for pid in $PIDS; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2> /dev/null || true
    wait "$pid" 2> /dev/null || true
  done
  PIDS=""
}
trap stop_all EXIT

run_one() { # name round jar-spec args...
  local name=$1 round=$2 spec=$3; shift 3
  local jar=$spec mem=false redis_pid="" redis_args=()
  if [[ $spec == mem:* ]]; then mem=true; jar=${spec#mem:}; fi
  if ! $mem; then
    taskset -c 0 redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
      --logfile "$OUT/redis.log" > /dev/null 2>&1 &
    redis_pid=$!; PIDS="$redis_pid"
    for _ in $(seq 1 100); do redis-cli -p "$REDIS_PORT" ping > /dev/null 2>&1 && break; sleep 0.1; done
    redis_args=("--herald.redis.shards[0]=redis://127.0.0.1:$REDIS_PORT" "--herald.redis.state=redis://127.0.0.1:$REDIS_PORT")
  fi
  local jvm="JVM_ARGS_$name"
  # shellcheck disable=SC2086
  taskset -c 0 java -Xmx1g ${!jvm:-} -jar "$jar" --server.port="$PORT" --logging.level.root=WARN "${redis_args[@]}" "$@" \
    > "$OUT/server-$name-$round.log" 2>&1 &
  local pid=$!; PIDS="$pid $PIDS"
  for _ in $(seq 1 1200); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/actuator/health" && break; sleep 0.1; done
  local all=$pid; [ -n "$redis_pid" ] && all="$pid,$redis_pid"
  local log=$OUT/$SCENARIO-$name-$round.log json=$OUT/$SCENARIO-$name-$round.json
  local load
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  taskset -c 1 java -jar "$BENCH_JAR" --port "$PORT" --server-pid "$all" --threads 2 --json "$json" $LOAD \
    > "$log" 2>&1 &
  local tool=$!
  while ! grep -q '^  publishing' "$log" 2> /dev/null; do
    kill -0 "$tool" 2> /dev/null || break
    sleep 0.05
  done
  sleep "$WARMUP"
  local h0 r0=0 h1 r1=0
  h0=$(ticks "$pid"); [ -n "$redis_pid" ] && r0=$(ticks "$redis_pid")
  threads "$pid" > "$OUT/threads0"; [ -n "$redis_pid" ] && threads "$redis_pid" | sed 's/^/redis:/' >> "$OUT/threads0"
  [ -n "$redis_pid" ] && redis-cli -p "$REDIS_PORT" config resetstat > /dev/null
  if [ "${JFR:-0}" = 1 ]; then
    jcmd "$pid" JFR.start name=w duration=${WINDOW}s settings=profile filename="$OUT/$name-$round.jfr" > /dev/null
  fi
  sleep "$WINDOW"
  h1=$(ticks "$pid"); [ -n "$redis_pid" ] && r1=$(ticks "$redis_pid")
  threads "$pid" > "$OUT/threads1"; [ -n "$redis_pid" ] && threads "$redis_pid" | sed 's/^/redis:/' >> "$OUT/threads1"
  local stats=""
  [ -n "$redis_pid" ] && stats=$(redis-cli -p "$REDIS_PORT" info commandstats | tr -d '\r' | grep '^cmdstat_')
  wait "$tool" || true
  stop_all
  python3 - "$json" "$name" "$round" "$load" "$((h1 - h0))" "$((r1 - r0))" "$WINDOW" "$stats" "$OUT" << 'EOF' | tee -a "$OUT/results.tsv"
import collections, json, re, sys
path, name, rnd, load, h, r, window, stats, out = sys.argv[1:]
try:
    v = json.load(open(path))
except (OSError, ValueError):
    v = {}
calls = {m.group(1): int(m.group(2)) for m in re.finditer(r"cmdstat_(\w+):calls=(\d+)", stats)}
usec = {m.group(1): int(m.group(2)) for m in re.finditer(r"cmdstat_(\w+):calls=\d+,usec=(\d+)", stats)}
pub = calls.get("publish", 0) + calls.get("spublish", 0)
# per publish in the sampled window: the PUBLISHes Redis counted in it (in memory: the tool's rate)
rate = v.get("achievedPublishRate") or 0
n = pub if pub else (rate * int(window) if rate else None)
per = lambda ticks: "%.1f" % (int(ticks) * 1e4 / n) if n else "-"
cmds = " ".join("%s=%.2f" % (k, c / pub) for k, c in sorted(calls.items(), key=lambda kv: -kv[1]) if pub) if pub else ""
print("\t".join(str(x) for x in [
    name, rnd, "load " + load,
    "cpu/publish %s" % v.get("serverCpuMicrosPerPublish"), "cpu/delivery %s" % v.get("serverCpuMicrosPerDelivery"),
    "herald %s" % per(h), "redis %s" % per(r), "redis usec/publish %.1f" % (sum(usec.values()) / pub) if pub else "redis -",
    "acked/s %s" % rate, "p50 %s" % v.get("latencyP50Ms"), "p99 %s" % v.get("latencyP99Ms"), "lost %s" % v.get("lost"),
    "cmds/publish " + cmds]))
# per thread group (digits folded): µs of CPU and context switches per publish
def read(f):
    rows = {}
    for line in open(f):
        parts = line.rstrip("\n").split("\t")
        if len(parts) == 3 and parts[1] and parts[2]:
            rows.setdefault(parts[0], []).append((int(parts[1]), int(parts[2])))
    return rows
t0, t1 = read(out + "/threads0"), read(out + "/threads1")
groups = collections.defaultdict(lambda: [0, 0])
for k, rows in t1.items():
    before = t0.get(k, [])
    # threads of one name: compare sums (threads rarely come and go in the window)
    g = groups[re.sub(r"\d+", "N", k)]
    g[0] += sum(x[0] for x in rows) - sum(x[0] for x in before)
    g[1] += sum(x[1] for x in rows) - sum(x[1] for x in before)
if n:
    print("  threads per publish: " + "; ".join("%s %.1f us %.2f cs" % (k, v[0] * 1e4 / n, v[1] / n)
          for k, v in sorted(groups.items(), key=lambda kv: -kv[1][0]) if v[0] or v[1] > n * 0.01))
EOF
}

for round in $(seq 1 "$ROUNDS"); do
  for setting in "$@"; do
    name=${setting%%=*}
    rest=${setting#*=}
    # shellcheck disable=SC2086
    run_one "$name" "$round" $rest
  done
done
