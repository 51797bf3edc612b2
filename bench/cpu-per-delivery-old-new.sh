#!/usr/bin/env bash
# Run from the repository root.
# old vs new standalone, alternated; server on core 0, load tool on core 1.
# CPU = server utime+stime from /proc/<pid>/stat between the tool's "publishing" line and its report.
set -u
# Usage: OLD_JAR=/tmp/old/standalone.jar NEW_JAR=standalone/target/herald-standalone-0.1.0-SNAPSHOT-exec.jar bench/cpu-per-delivery-old-new.sh [runs] [subscribers] [rate] [duration-s]
: "${OLD_JAR:?OLD_JAR}" "${NEW_JAR:=standalone/target/herald-standalone-0.1.0-SNAPSHOT-exec.jar}"
RUNS=${1:-3}; SUBS=${2:-2000}; RATE=${3:-50}; DURATION=${4:-20}
BENCH=${BENCH:-bench/target/herald-bench-0.1.0-SNAPSHOT-exec.jar}
TICKS=$(getconf CLK_TCK); PORT=6291
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
for run in $(seq 1 "$RUNS"); do
  for which in old new; do
    jar=$OLD_JAR; [ $which = new ] && jar=$NEW_JAR
    taskset -c 0 java -Xmx1g -jar $jar --server.port=$PORT --logging.level.root=WARN > /tmp/cpu-old-new-server.log 2>&1 &
    pid=$!
    for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/actuator/health" >/dev/null && break; sleep 0.5; done
    log=/tmp/cpu-old-new-$which-$run.log
    taskset -c 1 java -jar $BENCH --port=$PORT --subscribers=$SUBS --rate=$RATE --duration=$DURATION --warmup=0 \
      --json=/tmp/cpu-old-new-$which-$run.json > $log 2>&1 &
    bpid=$!
    until grep -q "publishing" $log 2>/dev/null || ! kill -0 $bpid 2>/dev/null; do sleep 0.05; done
    before=$(cpu $pid)
    until grep -q "load test report" $log 2>/dev/null || ! kill -0 $bpid 2>/dev/null; do sleep 0.05; done
    after=$(cpu $pid)
    wait $bpid
    kill $pid; wait $pid 2>/dev/null
    python3 - <<PY
import json
j=json.load(open('/tmp/cpu-old-new-$which-$run.json'))
t=($after-$before)/$TICKS; d=j['deliveries']
p50=[l for l in open('$log') if 'publish HTTP' in l][0].strip()
lat=[l for l in open('$log') if l.strip().startswith('latency')][0].strip()
print(f"$which run=$run cpu_s={t:.2f} deliveries={d} us_per_delivery={t*1e6/max(d,1):.2f} | {p50} | {lat}")
PY
  done
done
