#!/usr/bin/env bash
# Server CPU per delivery with usage counting on and off, alternated in one sitting.
# The server (standalone exec jar, fresh per run) is pinned to one core, the load tool to the other;
# CPU is the server process's utime+stime from /proc/<pid>/stat over the load run.
# Usage: bench/cpu-per-delivery.sh [runs-per-setting] [subscribers] [rate] [duration-s]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}; SUBS=${2:-500}; RATE=${3:-100}; DURATION=${4:-10}
SERVER_JAR=standalone/target/herald-standalone-0.1.0-SNAPSHOT-exec.jar
BENCH_JAR=bench/target/herald-bench-0.1.0-SNAPSHOT-exec.jar
PORT=${PORT:-6091}
TICKS=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
for run in $(seq 1 "$RUNS"); do
  for usage in true false; do
    taskset -c 0 java -Xmx1g -jar "$SERVER_JAR" --server.port=$PORT --herald.usage.enabled=$usage \
      --logging.level.root=WARN > /tmp/cpu-per-delivery-server.log 2>&1 &
    pid=$!
    for _ in $(seq 1 120); do
      curl -sf "http://127.0.0.1:$PORT/actuator/health" > /dev/null && break
      sleep 0.5
    done
    before=$(cpu_ticks $pid)
    taskset -c 1 java -jar "$BENCH_JAR" --port=$PORT --subscribers=$SUBS --rate=$RATE --duration=$DURATION \
      --warmup=0 --json=/tmp/cpu-per-delivery.json > /tmp/cpu-per-delivery-bench.log 2>&1
    after=$(cpu_ticks $pid)
    kill $pid; wait $pid 2>/dev/null || true
    deliveries=$(python3 -c "import json;print(json.load(open('/tmp/cpu-per-delivery.json'))['deliveries'])")
    python3 -c "t=($after-$before)/$TICKS; d=$deliveries; print(f'usage=$usage run=$run cpu_s={t:.2f} deliveries={d} us_per_delivery={t*1e6/d:.3f}')"
  done
done
