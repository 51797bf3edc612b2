#!/usr/bin/env bash
# Run from the repository root.
# CPU per delivery of ONE standalone jar under several settings, alternated within each round:
# bench/cpu-per-delivery-old-new.sh's method (server on core 0, load tool on core 1, fresh server per
# run, utime+stime of /proc/<pid>/stat between the tool's "publishing" line and its report, divided
# by the deliveries it counted), with server arguments instead of a second jar.
# Usage: JAR=standalone/target/herald-standalone-0.1.0-SNAPSHOT-exec.jar \
#   bench/cpu-per-delivery-settings.sh runs subscribers rate duration-s 'name=--arg --arg' 'name2=...' ...
# e.g. bench/cpu-per-delivery-settings.sh 3 2000 50 15 'default=' 'no-usage=--herald.usage.enabled=false'
# A setting whose arguments start with @/path/to.jar runs that jar instead of $JAR (two builds alternated):
#   bench/cpu-per-delivery-settings.sh 3 2000 50 20 'old=@/tmp/old.jar' 'new=@/tmp/new.jar --herald.x=y'
# Arguments starting with -J are JVM options (-J-XX:+UseG1GC), after the default -Xmx1g (so -J-Xmx512m
# overrides it); JAVA (default java) is the JVM for every setting.
# Each line also gives the frames the tool received (acknowledged publishes or not) and CPU per frame:
# on a saturated machine publishes time out and the per-delivery figure counts only acknowledged ones.
set -u
: "${JAR:=standalone/target/herald-standalone-0.1.0-SNAPSHOT-exec.jar}"
RUNS=${1:-3}; SUBS=${2:-2000}; RATE=${3:-50}; DURATION=${4:-20}; shift 4
BENCH=${BENCH:-bench/target/herald-bench-0.1.0-SNAPSHOT-exec.jar}
TICKS=$(getconf CLK_TCK); PORT=${PORT:-6292}
cpu() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
for run in $(seq 1 "$RUNS"); do
  for setting in "$@"; do
    name=${setting%%=*}; args=${setting#*=}; jar=$JAR
    if [ "${args#@}" != "$args" ]; then jar=${args%% *}; jar=${jar#@}; args=${args#@"$jar"}; fi
    jvm=""; server=""
    for a in $args; do case "$a" in -J*) jvm="$jvm ${a#-J}" ;; *) server="$server $a" ;; esac; done
    args=$server
    # shellcheck disable=SC2086
    taskset -c 0 "${JAVA:-java}" -Xmx1g $jvm -jar "$jar" --server.port=$PORT --logging.level.root=WARN $args \
      > /tmp/cpu-settings-server.log 2>&1 &
    pid=$!
    # START_WAIT half-seconds for health UP (start-up takes 45 s and more on a saturated machine).
    for _ in $(seq 1 "${START_WAIT:-120}"); do curl -sf "http://127.0.0.1:$PORT/actuator/health" > /dev/null && break; sleep 0.5; done
    log=/tmp/cpu-settings-$name-$run.log
    load=$(cut -d' ' -f1 /proc/loadavg)
    taskset -c 1 java -jar "$BENCH" --port=$PORT --subscribers="$SUBS" --rate="$RATE" --duration="$DURATION" \
      --warmup=0 --json=/tmp/cpu-settings-$name-$run.json > "$log" 2>&1 &
    bpid=$!
    until grep -q "publishing" "$log" 2> /dev/null || ! kill -0 $bpid 2> /dev/null; do sleep 0.05; done
    before=$(cpu $pid)
    until grep -q "load test report" "$log" 2> /dev/null || ! kill -0 $bpid 2> /dev/null; do sleep 0.05; done
    after=$(cpu $pid)
    wait $bpid
    kill $pid; wait $pid 2> /dev/null
    python3 - << PY
import json
j = json.load(open('/tmp/cpu-settings-$name-$run.json'))
t = ($after - $before) / $TICKS; d = j['deliveries']
p50 = [l for l in open('$log') if 'publish HTTP' in l][0].strip()
lat = [l for l in open('$log') if l.strip().startswith('latency')][0].strip()
frames = int(lat.rsplit('n=', 1)[1].rstrip(')')) if 'n=' in lat else 0
print(f"$name run=$run load1=$load cpu_s={t:.2f} deliveries={d} us_per_delivery={t * 1e6 / max(d, 1):.2f}"
      f" frames={frames} us_per_frame={t * 1e6 / max(frames, 1):.2f} | {p50} | {lat}")
PY
  done
done
