#!/usr/bin/env bash
# Server CPU per delivery: an old build (before the debug console) and the new one with no
# console open, alternated in one sitting, and the new one with a console open (for information).
# As bench/cpu-per-delivery.sh: a fresh standalone server per run pinned to core 0, the load tool
# (and the console reader) to core 1; CPU is the server's utime+stime from /proc/<pid>/stat
# from when its health endpoint answered to the end of the load run.
# Usage: OLD_JAR=… NEW_JAR=… BENCH_JAR=… bench/cpu-per-delivery-console.sh [runs] [subscribers] [rate] [duration-s]
set -euo pipefail
RUNS=${1:-3}; SUBS=${2:-500}; RATE=${3:-100}; DURATION=${4:-10}
OLD_JAR=${OLD_JAR:?set OLD_JAR to the standalone exec jar of the old build}
NEW_JAR=${NEW_JAR:-standalone/target/herald-standalone-0.1.0-SNAPSHOT-exec.jar}
BENCH_JAR=${BENCH_JAR:-bench/target/herald-bench-0.1.0-SNAPSHOT-exec.jar}
PORT=${PORT:-6091}
TOKEN=bench-console-token
TICKS=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
for run in $(seq 1 "$RUNS"); do
  for setting in old new new+console; do
    jar=$NEW_JAR; [ "$setting" = old ] && jar=$OLD_JAR
    taskset -c 0 java -Xmx1g -jar "$jar" --server.port=$PORT --herald.auth.admin-token=$TOKEN \
      --logging.level.root=WARN > /tmp/cpu-per-delivery-console-server.log 2>&1 &
    pid=$!
    for _ in $(seq 1 120); do
      curl -sf "http://127.0.0.1:$PORT/actuator/health" > /dev/null && break
      sleep 0.5
    done
    reader=""
    if [ "$setting" = new+console ]; then
      taskset -c 1 curl -sN -H "Authorization: Bearer $TOKEN" \
        "http://127.0.0.1:$PORT/dashboard/api/apps/demo-app/console" > /tmp/cpu-per-delivery-console.sse &
      reader=$!
      sleep 0.5
    fi
    before=$(cpu_ticks $pid)
    taskset -c 1 java -jar "$BENCH_JAR" --port=$PORT --subscribers=$SUBS --rate=$RATE --duration=$DURATION \
      --warmup=0 --json=/tmp/cpu-per-delivery-console.json > /tmp/cpu-per-delivery-console-bench.log 2>&1
    after=$(cpu_ticks $pid)
    events=0
    if [ -n "$reader" ]; then
      kill $reader 2>/dev/null || true; wait $reader 2>/dev/null || true
      events=$(grep -c '^event:' /tmp/cpu-per-delivery-console.sse || true)
    fi
    kill $pid; wait $pid 2>/dev/null || true
    deliveries=$(python3 -c "import json;print(json.load(open('/tmp/cpu-per-delivery-console.json'))['deliveries'])")
    load=$(cut -d' ' -f1 /proc/loadavg)
    python3 -c "t=($after-$before)/$TICKS; d=$deliveries; print(f'setting=$setting run=$run cpu_s={t:.2f} deliveries={d} us_per_delivery={t*1e6/d:.3f} console_events=$events load=$load')"
  done
done
