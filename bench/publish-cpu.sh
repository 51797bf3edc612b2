#!/usr/bin/env bash
# Server CPU per signed HTTP API publish (issue 10: ">= 30,000 signed POST /events per second on
# one core"). One pre-signed `POST /apps/demo-app/events` to a channel nobody subscribes to is
# replayed by wrk (the signature stays valid for 600 s); the server runs pinned to core 0, wrk to
# core 1; the server's utime + stime (fields 14 + 15 of /proc/<pid>/stat) over the measured window
# divided by the 2xx answers is the figure. A fresh server per run, warmed up first (--warmup).
#
# Usage: bench/publish-cpu.sh [options]
#   --runs N         runs per server (default 3; servers alternate within a round)
#   --servers LIST   comma list of herald, herald-old, herald-NAME, soketi (default herald)
#   --warmup S       at most S seconds of warm-up (default 120): 10 s windows until the JIT
#                    compilers take under 3 % of the server's CPU, at least 20 s
#   --seconds S      measured seconds (default 15)
#   --connections N  wrk connections (default 16)
#   --path P         events (default) or batch_events (a batch of BATCH events, default 10)
#   --jfr FILE       herald only: record JFR (settings=profile, stack depth 512) over the measured window
# Environment: SERVER_JAR (herald), OLD_JAR (herald-old), ARGS / OLD_ARGS (extra server arguments for
# herald / herald-old, e.g. ARGS="--herald.usage.enabled=false"); for herald-NAME (NAME a shell
# name): JAR_NAME (default SERVER_JAR) and ARGS_NAME, so one sitting alternates several settings; OUT (default /tmp/herald-publish-cpu),
# PORT (default 6093), JAVA_OPTS (extra JVM options for both).
# Prints one line per run and the medians; results as JSON lines in $OUT/results.jsonl.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

RUNS=3
SERVERS=herald
WARMUP=120
SECONDS_MEASURED=15
CONNECTIONS=16
API_PATH=events
BATCH=${BATCH:-10}
JFR=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS=$2; shift 2 ;;
    --servers) SERVERS=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --seconds) SECONDS_MEASURED=$2; shift 2 ;;
    --connections) CONNECTIONS=$2; shift 2 ;;
    --path) API_PATH=$2; shift 2 ;;
    --jfr) JFR=$2; shift 2 ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

SERVER_JAR=${SERVER_JAR:-$ROOT/standalone/target/herald-standalone-0.1.0-SNAPSHOT-exec.jar}
OLD_JAR=${OLD_JAR:-}
OUT=${OUT:-/tmp/herald-publish-cpu}
PORT=${PORT:-6093}
SOKETI_DIR=${SOKETI_DIR:-$ROOT/bench/peers/soketi}
mkdir -p "$OUT"
command -v wrk > /dev/null || { echo "wrk is needed (apt-get install wrk)" >&2; exit 1; }
log() { echo "[publish-cpu $(date -u +%H:%M:%S)] $*" >&2; }

STARTED=""
stop_server() {
  local pid
  for pid in $STARTED; do kill "$pid" 2> /dev/null || true; done
  for pid in $STARTED; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2> /dev/null || true
    wait "$pid" 2> /dev/null || true
  done
  STARTED=""
}
trap stop_server EXIT

wait_http() { # url, seconds
  local i
  for i in $(seq 1 $(( $2 * 10 ))); do
    curl -sf -o /dev/null "$1" && return 0
    sleep 0.1
  done
  echo "no answer from $1 after $2 s" >&2; return 1
}

cpu_ticks() { # utime + stime (ticks of 1/100 s) of one pid
  sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'
}

thread_ticks() { # "name ticks" per thread of one pid
  local task
  for task in /proc/"$1"/task/*; do
    echo "$(tr ' ' '_' < "$task/comm") $(sed 's/.*) //' "$task/stat" | awk '{print $12 + $13}')"
  done 2> /dev/null
}

per_thread() { # CPU seconds per thread name (digits folded) over the measured window, highest first
  python3 - "$OUT/threads-before.txt" "$OUT/threads-after.txt" << 'EOF'
import collections, re, sys
def read(f):
    c = collections.Counter()
    for line in open(f):
        name, ticks = line.split()
        c[re.sub(r"\d+", "N", name)] += int(ticks)
    return c
b, a = read(sys.argv[1]), read(sys.argv[2])
for name, t in sorted(((n, a[n] - b.get(n, 0)) for n in a), key=lambda x: -x[1]):
    if t > 0: print(f"{t / 100:7.2f} s {name}")
EOF
}

start_server() { # name
  local name=$1 jar args jfr_opts=()
  case "$name" in
    herald|herald-*)
      if [ "$name" = herald ]; then jar=$SERVER_JAR; args=${ARGS:-}
      elif [ "$name" = herald-old ]; then jar=$OLD_JAR; args=${OLD_ARGS:-}
      else
        # herald-NAME: jar JAR_NAME (default SERVER_JAR), arguments ARGS_NAME
        local jar_var="JAR_${name#herald-}" args_var="ARGS_${name#herald-}"
        jar=${!jar_var:-$SERVER_JAR}; args=${!args_var:-}
      fi
      [ -f "$jar" ] || { echo "no server jar $jar (SERVER_JAR / OLD_JAR)" >&2; exit 1; }
      # deep stacks: a request's reactive chain is far deeper than JFR's default 64 frames
      if [ -n "$JFR" ]; then jfr_opts=("-XX:FlightRecorderOptions:stackdepth=512"); fi
      # shellcheck disable=SC2086
      taskset -c 0 java -Xmx1g ${JAVA_OPTS:-} "${jfr_opts[@]}" -jar "$jar" --server.port="$PORT" \
        --logging.level.root=WARN $args > "$OUT/server.log" 2>&1 &
      SERVER_PID=$!; STARTED="$SERVER_PID"
      wait_http "http://127.0.0.1:$PORT/actuator/health" 120
      ;;
    soketi)
      [ -x "$SOKETI_DIR/node_modules/.bin/soketi" ] || { echo "soketi is not installed in $SOKETI_DIR (npm install there)" >&2; exit 1; }
      (cd "$SOKETI_DIR" && SOKETI_PORT=$PORT SOKETI_DEFAULT_APP_ID=demo-app SOKETI_DEFAULT_APP_KEY=demo-key \
        SOKETI_DEFAULT_APP_SECRET=demo-secret SOKETI_METRICS_SERVER_PORT=$((PORT + 1)) \
        exec taskset -c 0 node node_modules/@soketi/soketi/bin/server.js start) > "$OUT/server.log" 2>&1 &
      SERVER_PID=$!; STARTED="$SERVER_PID"
      wait_http "http://127.0.0.1:$PORT/ready" 60
      ;;
    *) echo "unknown server $name" >&2; exit 2 ;;
  esac
}

# One pre-signed request, valid for 600 s from now: enough for a sitting of a few runs, re-signed per run.
sign() {
  python3 - "$1" "$2" << 'EOF'
import hashlib, hmac, sys, time
path, body = sys.argv[1], sys.argv[2].encode()
q = "auth_key=demo-key&auth_timestamp=%d&auth_version=1.0&body_md5=%s" % (time.time(), hashlib.md5(body).hexdigest())
sig = hmac.new(b"demo-secret", ("POST\n" + path + "\n" + q).encode(), hashlib.sha256).hexdigest()
print(q + "&auth_signature=" + sig)
EOF
}

if [ "$API_PATH" = batch_events ]; then
  BODY=$(python3 -c "import json,sys; print(json.dumps({'batch':[{'name':'bench-event','channel':'nobody-%d' % i,'data':'{}'} for i in range(int(sys.argv[1]))]}, separators=(',',':')))" "$BATCH")
  PER_REQUEST=$BATCH
else
  BODY='{"name":"bench-event","channel":"nobody","data":"{}"}'
  PER_REQUEST=1
fi
cat > "$OUT/publish.lua" << EOF
wrk.method = "POST"
wrk.body = '$BODY'
wrk.headers["Content-Type"] = "application/json"
EOF

compiler_ticks() { # CPU ticks of the JIT compiler threads of one pid (0 for a server without them)
  local task total=0
  for task in /proc/"$1"/task/*; do
    case "$(cat "$task/comm" 2> /dev/null)" in
      C1\ CompilerThre*|C2\ CompilerThre*) total=$((total + $(sed 's/.*) //' "$task/stat" | awk '{print $12 + $13}'))) ;;
    esac
  done
  echo "$total"
}

# Warm-up in windows of 10 s, at least 20 s and at most $WARMUP s, until the JIT compilers took
# under 3 % of the server's CPU in a window: on a loaded 2-core machine a JVM may still be compiling
# its hot path after a minute, and a fixed warm-up then measures the compiler, not the request.
warm_up() { # url
  local waited=0 b bc a ac
  while [ "$waited" -lt "$WARMUP" ]; do
    b=$(cpu_ticks "$SERVER_PID"); bc=$(compiler_ticks "$SERVER_PID")
    taskset -c 1 wrk -t 1 -c "$CONNECTIONS" -d 10s -s "$OUT/publish.lua" "$1" > /dev/null 2>&1 || true
    a=$(cpu_ticks "$SERVER_PID"); ac=$(compiler_ticks "$SERVER_PID")
    waited=$((waited + 10))
    if [ "$waited" -ge 20 ] && [ $(( (ac - bc) * 100 )) -lt $(( (a - b) * 3 )) ]; then break; fi
  done
  WARMED=$waited
}

run_one() { # server run
  local server=$1 run=$2 url before after load
  url="http://127.0.0.1:$PORT/apps/demo-app/$API_PATH?$(sign "/apps/demo-app/$API_PATH" "$BODY")"
  start_server "$server"
  curl -s -X POST -H 'Content-Type: application/json' --data "$BODY" "$url" > "$OUT/check.txt"
  grep -q '{' "$OUT/check.txt" || { echo "$server did not accept the signed request: $(cat "$OUT/check.txt")" >&2; exit 1; }
  warm_up "$url"
  if [ -n "$JFR" ] && [ "${server#herald}" != "$server" ]; then
    jcmd "$SERVER_PID" JFR.start name=publish settings=profile duration="${SECONDS_MEASURED}s" filename="$JFR" > /dev/null
  fi
  load=$(cut -d' ' -f1 /proc/loadavg)
  before=$(cpu_ticks "$SERVER_PID")
  thread_ticks "$SERVER_PID" > "$OUT/threads-before.txt"
  taskset -c 1 wrk -t 1 -c "$CONNECTIONS" -d "${SECONDS_MEASURED}s" --latency -s "$OUT/publish.lua" "$url" \
    > "$OUT/wrk-$server-$run.log" 2>&1 || true
  after=$(cpu_ticks "$SERVER_PID")
  thread_ticks "$SERVER_PID" > "$OUT/threads-after.txt"
  stop_server
  per_thread > "$OUT/threads-$server-$run.txt"
  python3 - "$OUT/wrk-$server-$run.log" "$before" "$after" "$server" "$run" "$load" "$PER_REQUEST" "$WARMED" "$OUT/threads-$server-$run.txt" >> "$OUT/results.jsonl" << 'EOF'
import json, re, sys
text = open(sys.argv[1]).read()
rps = re.search(r"Requests/sec:\s*([\d.]+)", text)
non2xx = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", text)
total = re.search(r"(\d+) requests in", text)
p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", text)
cpu = (int(sys.argv[3]) - int(sys.argv[2])) / 100.0
ok = int(total.group(1)) - (int(non2xx.group(1)) if non2xx else 0) if total else 0
scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
# the same, without the JIT compilers: what the request costs once compiled
jit = sum(float(l.split()[0]) for l in open(sys.argv[9]) if "CompilerThre" in l)
print(json.dumps({"server": sys.argv[4], "run": int(sys.argv[5]), "load1": float(sys.argv[6]),
    "requestsPerSecond": float(rps.group(1)) if rps else None, "ok": ok, "non2xx": int(non2xx.group(1)) if non2xx else 0,
    "serverCpuSeconds": cpu, "cpuMicrosPerRequest": round(cpu * 1e6 / ok, 1) if ok else None,
    "cpuMicrosPerEvent": round(cpu * 1e6 / ok / int(sys.argv[7]), 1) if ok else None,
    "warmupSeconds": int(sys.argv[8]), "jitCpuSeconds": round(jit, 2),
    "cpuMicrosPerRequestWithoutJit": round((cpu - jit) * 1e6 / ok, 1) if ok else None,
    "p50ms": round(float(p50.group(1)) * scale[p50.group(2)], 3) if p50 else None}))
EOF
  log "$(tail -n 1 "$OUT/results.jsonl")"
  log "CPU by thread: $(head -n 6 "$OUT/threads-$server-$run.txt" | tr -s ' ' | paste -sd';')"
}

: > "$OUT/results.jsonl"
log "load at start $(cut -d' ' -f1-3 /proc/loadavg)"
for run in $(seq 1 "$RUNS"); do
  for server in ${SERVERS//,/ }; do run_one "$server" "$run"; done
done
log "load at end $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$OUT/results.jsonl" << 'EOF'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
for server in dict.fromkeys(r["server"] for r in rows):
    mine = [r for r in rows if r["server"] == server and r["cpuMicrosPerRequest"] is not None]
    if not mine:
        print(f"{server}: no successful run"); continue
    med = lambda k: statistics.median(r[k] for r in mine)
    print(f"{server}: median of {len(mine)} runs: {med('cpuMicrosPerRequest')} µs server CPU per request, "
          f"({med('cpuMicrosPerRequestWithoutJit')} without the JIT compilers), {med('requestsPerSecond'):.0f} req/s, p50 {med('p50ms')} ms; per run µs "
          f"{[r['cpuMicrosPerRequest'] for r in mine]}, load1 {[r['load1'] for r in mine]}")
EOF
