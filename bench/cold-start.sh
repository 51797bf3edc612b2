#!/usr/bin/env bash
# Cold start (issue 10): how fast a freshly started standalone server takes connections.
#
# For each of --runs fresh starts (server pinned to core 0, load tool to core 1):
#   ramp:  the load tool starts the moment /actuator/health answers 200 (UP) and opens
#          connections at 1,000/s for 5 s (5,000 connections, each subscribing to one public
#          channel); the report has connect + subscribe p50/p99 per second of the ramp
#   burst: on another fresh start, SUBS_BURST connections (default 19,500: the open-files
#          limit here is 20,000 per process, for the server and the client alike) subscribe to
#          one channel as fast as 1,000 concurrent handshakes allow, from bench/SubscribeBurst.java
#          (a lean one-thread NIO Pusher client; the load tool spends ~1 ms of CPU per connect and
#          cannot offer more than ~1,000/s), spread over BURST_ADDRESSES loopback addresses
#          (default 4: to one address the kernel's local-port search slows the client down after
#          ~14,000); the figures are subscriptions per second and server CPU per subscription
# and prints the medians over the runs. The health-check-to-ready time is printed too.
#
# usage: bench/cold-start.sh [--runs N] [--java PATH] [--jvm "OPTS"] [--jar JAR] [--label NAME]
#                            [--server-args "ARGS"] [--skip-burst] [--skip-ramp]
#   JVM options apply to the server only; the load tool always runs on the default java.
#   Results (JSON and logs per run) go to $OUT (default /tmp/herald-cold-start/<label>).
set -euo pipefail

cd "$(dirname "$0")/.."
RUNS=3
JAVA=java
JVM_OPTS="-Xmx1g"
SERVER_JAR=standalone/target/herald-standalone-0.1.0-SNAPSHOT-exec.jar
BENCH_JAR=${BENCH_JAR:-bench/target/herald-bench-0.1.0-SNAPSHOT-exec.jar}
LABEL=default
SERVER_ARGS=""
BURST=true
RAMP=true
PORT=${PORT:-6493}
RAMP_RATE=${RAMP_RATE:-1000}
RAMP_SECONDS=${RAMP_SECONDS:-5}
SUBS_BURST=${SUBS_BURST:-19500}
BURST_ADDRESSES=${BURST_ADDRESSES:-4}
# RAMP_CLIENT=lean: the ramp from SubscribeBurst --rate too. The load tool is a fresh JVM as well:
# against a server already warm its first second read p50 335 ms (docs/benchmarks.md, stop 17).
RAMP_CLIENT=${RAMP_CLIENT:-tool}
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS=$2; shift 2 ;;
    --java) JAVA=$2; shift 2 ;;
    --jvm) JVM_OPTS=$2; shift 2 ;;
    --jar) SERVER_JAR=$2; shift 2 ;;
    --label) LABEL=$2; shift 2 ;;
    --server-args) SERVER_ARGS=$2; shift 2 ;;
    --skip-burst) BURST=false; shift ;;
    --skip-ramp) RAMP=false; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
OUT=${OUT:-/tmp/herald-cold-start/$LABEL}
mkdir -p "$OUT"
ulimit -n "$(ulimit -Hn)"
[ -f "$BENCH_JAR" ] || ./mvnw -B -q -pl bench package -DskipTests
[ -f "$SERVER_JAR" ] || ./mvnw -B -q -pl standalone -am package -DskipTests
if $BURST || [ "$RAMP_CLIENT" = lean ]; then
  # Compiled once, not launched from source per run: the compile would run between ready and the burst.
  mkdir -p "$OUT/burst-classes"
  javac -d "$OUT/burst-classes" bench/SubscribeBurst.java
fi

SERVER_PID=""
stop_server() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2> /dev/null || true
    for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2> /dev/null || break; sleep 0.1; done
    kill -9 "$SERVER_PID" 2> /dev/null || true
    wait "$SERVER_PID" 2> /dev/null || true
    SERVER_PID=""
  fi
}
trap stop_server EXIT

start_server() { # log file; sets SERVER_PID and READY_MS (from exec to health 200)
  local t0 t1
  # A server already on the port (another one's run) would answer the health check and the load
  # tool instead of ours: refuse to measure it.
  if (exec 3<> "/dev/tcp/127.0.0.1/$PORT") 2> /dev/null; then
    echo "port $PORT is already in use: set PORT to a free one" >&2; exit 1
  fi
  t0=$(date +%s%N)
  # shellcheck disable=SC2086
  taskset -c 0 "$JAVA" $JVM_OPTS -jar "$SERVER_JAR" --server.port="$PORT" --logging.level.root=WARN \
    $SERVER_ARGS > "$1" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 3000); do
    curl -sf -o /dev/null "http://127.0.0.1:$PORT/actuator/health" && break
    kill -0 "$SERVER_PID" 2> /dev/null || { echo "server exited, see $1" >&2; exit 1; }
    sleep 0.02
  done
  t1=$(date +%s%N)
  READY_MS=$(( (t1 - t0) / 1000000 ))
}

tool() { # json log args...
  local json=$1 log=$2; shift 2
  taskset -c 1 java -jar "$BENCH_JAR" --port "$PORT" --server-pid "$SERVER_PID" --threads 2 \
    --rate 1 --duration 1 --warmup 0 --drain 2 --json "$json" "$@" > "$log" 2>&1 \
    || { echo "load tool failed, see $log" >&2; tail -n 3 "$log" >&2; }
}

for run in $(seq 1 "$RUNS"); do
  if $RAMP; then
    start_server "$OUT/server-ramp-$run.log"
    echo "$LABEL run $run: ready after $READY_MS ms; $(uptime | sed 's/.*load/load/')" | tee "$OUT/ramp-$run.ready"
    if [ "$RAMP_CLIENT" = lean ]; then
      taskset -c 1 java -cp "$OUT/burst-classes" SubscribeBurst --port "$PORT" --server-pid "$SERVER_PID" \
        --subscribers $((RAMP_RATE * RAMP_SECONDS)) --rate "$RAMP_RATE" --concurrency 1000 \
        --addresses "$BURST_ADDRESSES" --timeout 120 --json "$OUT/ramp-$run.json" > "$OUT/ramp-$run.log" 2>&1 \
        || { echo "SubscribeBurst failed, see $OUT/ramp-$run.log" >&2; tail -n 3 "$OUT/ramp-$run.log" >&2; }
    else
      tool "$OUT/ramp-$run.json" "$OUT/ramp-$run.log" --subscribers $((RAMP_RATE * RAMP_SECONDS)) \
        --connect-rate "$RAMP_RATE" --connect-concurrency 1000 --connect-timeout 120
    fi
    grep -E 'subscribed to|second [0-9]' "$OUT/ramp-$run.log" || true
    stop_server
  fi
  if $BURST; then
    start_server "$OUT/server-burst-$run.log"
    echo "$LABEL run $run (burst): ready after $READY_MS ms; $(uptime | sed 's/.*load/load/')" | tee "$OUT/burst-$run.ready"
    taskset -c 1 java -cp "$OUT/burst-classes" SubscribeBurst --port "$PORT" --server-pid "$SERVER_PID" \
      --subscribers "$SUBS_BURST" --concurrency 1000 --addresses "$BURST_ADDRESSES" --timeout 300 \
      --json "$OUT/burst-$run.json" > "$OUT/burst-$run.log" 2>&1 \
      || { echo "SubscribeBurst failed, see $OUT/burst-$run.log" >&2; tail -n 3 "$OUT/burst-$run.log" >&2; }
    cat "$OUT/burst-$run.log"
    stop_server
  fi
done

RAMP_RATE=$RAMP_RATE python3 - "$OUT" "$RUNS" "$LABEL" << 'EOF'
import glob, json, os, re, statistics, sys
out, runs, label = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def load(kind):
    rows = []
    for r in range(1, runs + 1):
        p = os.path.join(out, "%s-%d.json" % (kind, r))
        if os.path.exists(p):
            d = json.load(open(p))
            ready = open(os.path.join(out, "%s-%d.ready" % (kind, r))).read()
            d["readyMs"] = int(re.search(r"ready after (\d+) ms", ready).group(1))
            d["load"] = re.search(r"load average: ([\d.]+)", ready).group(1)
            rows.append(d)
    return rows
def med(xs):
    return statistics.median(xs) if xs else float("nan")
ramp = load("ramp")
print("== %s: %d fresh starts" % (label, len(ramp)))
if ramp:
    print("ready (exec to health 200): median %d ms" % med([d["readyMs"] for d in ramp]))
    print("ramp %s conn/s: connect+subscribe p50 median %.2f ms (runs %s), p99 median %.2f ms (runs %s); load %s"
          % (os.environ.get("RAMP_RATE", "1000"),
             med([d["connectP50Ms"] for d in ramp]), [d["connectP50Ms"] for d in ramp],
             med([d["connectP99Ms"] for d in ramp]), [d["connectP99Ms"] for d in ramp], [d["load"] for d in ramp]))
    seconds = max(len(d["connectBySecond"]) for d in ramp)
    for s in range(seconds):
        p50 = [d["connectBySecond"][s]["p50Ms"] for d in ramp if s < len(d["connectBySecond"])]
        p99 = [d["connectBySecond"][s]["p99Ms"] for d in ramp if s < len(d["connectBySecond"])]
        print("  second %d: p50 median %.2f ms %s, p99 median %.2f ms %s" % (s, med(p50), p50, med(p99), p99))
    print("  server RSS after the ramp: median %d KiB" % med([d["serverRssKibAfterConnect"] or 0 for d in ramp]))
burst = load("burst")
if burst:
    print("burst %d subscriptions to one channel: median %.0f /s (runs %s), p50 %.1f ms, "
          "server CPU per subscription median %.0f us (runs %s); load %s"
          % (burst[0]["subscribers"], med([d["connectsPerSecond"] for d in burst]),
             [d["connectsPerSecond"] for d in burst], med([d["connectP50Ms"] for d in burst]),
             med([d["serverCpuMicrosPerSubscription"] for d in burst]),
             [d["serverCpuMicrosPerSubscription"] for d in burst], [d["load"] for d in burst]))
EOF
