#!/usr/bin/env bash
# Herald side by side with the servers a user would pick instead, with one load tool for all
# (bench/README.md, "Side by side"). For every scenario, run and server: a fresh server pinned to
# core 0 (`taskset -c 0`), the load tool pinned to core 1, the server's CPU (utime + stime from
# /proc/<pid>/stat, summed over its processes) sampled by the tool over the measured window.
# The results (one JSON per run) go to $OUT; bench/side-by-side-table.py turns their medians into
# the table between the markers in docs/benchmarks.md.
#
# Usage: bench/side-by-side.sh [options]
#   --runs N          runs per scenario and server (default 3; the table shows medians)
#   --servers LIST    comma list of herald-mem,herald-redis,soketi,nchan,nchan-redis (default all) or
#                     nchan-nodelay (nchan with TCP_NODELAY on its subscribers, as Herald has: opt-in)
#   --scenarios LIST  comma list of s1,s3,connect,s2,s4,api (default all)
#   --quick           short runs (few subscribers, 3 s) to check that everything works
#   --no-docs         do not rewrite docs/benchmarks.md
# Environment: SERVER_JAR, BENCH_JAR (default: this checkout's, built if missing), OUT (default
# /tmp/herald-side-by-side), PORT (default 6091), REDIS_PORT (default 6392), TOOL_ARGS (more
# load tool options for every run, e.g. "--publisher-loop shared").
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

RUNS=3
SERVERS=herald-mem,herald-redis,soketi,nchan,nchan-redis
SCENARIOS=s1,s3,connect,s2,s4,api
QUICK=false
DOCS=true
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS=$2; shift 2 ;;
    --servers) SERVERS=$2; shift 2 ;;
    --scenarios) SCENARIOS=$2; shift 2 ;;
    --quick) QUICK=true; shift ;;
    --no-docs) DOCS=false; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

SERVER_JAR=${SERVER_JAR:-$ROOT/standalone/target/herald-standalone-0.1.0-SNAPSHOT-exec.jar}
BENCH_JAR=${BENCH_JAR:-$ROOT/bench/target/herald-bench-0.1.0-SNAPSHOT-exec.jar}
OUT=${OUT:-/tmp/herald-side-by-side}
PORT=${PORT:-6091}
REDIS_PORT=${REDIS_PORT:-6392}
SOKETI_DIR=$ROOT/bench/peers/soketi
NCHAN_TEMPLATE=$ROOT/bench/peers/nchan/nginx.conf.template
NCHAN_MODULE=/usr/lib/nginx/modules/ngx_nchan_module.so

has() { case ",$1," in *",$2,"*) return 0 ;; *) return 1 ;; esac; }
log() { echo "[side-by-side $(date -u +%H:%M:%S)] $*" >&2; }

# ---------------------------------------------------------------- installing what is missing
install_peers() {
  command -v redis-server > /dev/null || { echo "redis-server is needed (apt-get install redis-server)" >&2; exit 1; }
  command -v taskset > /dev/null || { echo "taskset is needed (util-linux)" >&2; exit 1; }
  if has "$SERVERS" soketi && [ ! -x "$SOKETI_DIR/node_modules/.bin/soketi" ]; then
    command -v npm > /dev/null || { echo "soketi needs node and npm" >&2; exit 1; }
    log "installing soketi into $SOKETI_DIR/node_modules (npm install)"
    (cd "$SOKETI_DIR" && npm install --no-audit --no-fund --loglevel=error)
  fi
  if { has "$SERVERS" nchan || has "$SERVERS" nchan-redis || has "$SERVERS" nchan-nodelay; } && [ ! -f "$NCHAN_MODULE" ]; then
    log "installing nginx and libnginx-mod-nchan (apt-get)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx libnginx-mod-nchan > "$OUT/apt.log" 2>&1 \
      || { apt-get update -q > /dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx libnginx-mod-nchan > "$OUT/apt.log" 2>&1; }
  fi
  if has "$SERVERS" nchan-nodelay; then # built once, before the sitting: no gcc fails here, not mid-way
    gcc -O2 -shared -fPIC -o "$OUT/nodelay.so" "$ROOT/bench/peers/nchan/nodelay.c" -ldl
  fi
  if has "$SCENARIOS" api && ! command -v wrk > /dev/null; then
    log "installing wrk (apt-get)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk > "$OUT/apt.log" 2>&1 \
      || { apt-get update -q > /dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk > "$OUT/apt.log" 2>&1; }
  fi
  if [ ! -f "$BENCH_JAR" ]; then
    log "building the load tool"; ./mvnw -B -q -pl bench package -DskipTests
  fi
  if { has "$SERVERS" herald-mem || has "$SERVERS" herald-redis; } && [ ! -f "$SERVER_JAR" ]; then
    log "building the standalone server"; ./mvnw -B -q -pl standalone -am package -DskipTests
  fi
}

# ---------------------------------------------------------------- servers
# start_server NAME: starts a fresh server pinned to core 0, waits until it answers, and sets
# SERVER_PIDS (comma list whose CPU counts), PROTOCOL and STARTED (pids to stop afterwards).
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

start_redis() {
  taskset -c 0 redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
    --logfile "$OUT/redis.log" > /dev/null 2>&1 &
  REDIS_PID=$!
  STARTED="$STARTED $REDIS_PID"
  for _ in $(seq 1 100); do redis-cli -p "$REDIS_PORT" ping > /dev/null 2>&1 && return 0; sleep 0.1; done
  echo "redis-server did not start, see $OUT/redis.log" >&2; exit 1
}

wait_http() { # url, seconds
  local i
  for i in $(seq 1 $(( $2 * 10 ))); do
    curl -sf -o /dev/null "$1" && return 0
    sleep 0.1
  done
  echo "no answer from $1 after $2 s" >&2; return 1
}

start_server() {
  local name=$1 pid
  PROTOCOL=pusher
  case "$name" in
    herald-mem|herald-redis)
      local redis_args=()
      if [ "$name" = herald-redis ]; then
        start_redis
        redis_args=("--herald.redis.shards[0]=redis://127.0.0.1:$REDIS_PORT" "--herald.redis.state=redis://127.0.0.1:$REDIS_PORT")
      fi
      taskset -c 0 java -Xmx1g -jar "$SERVER_JAR" --server.port="$PORT" --logging.level.root=WARN \
        "${redis_args[@]}" > "$OUT/server.log" 2>&1 &
      pid=$!; STARTED="$pid $STARTED"
      wait_http "http://127.0.0.1:$PORT/actuator/health" 120
      SERVER_PIDS=$pid
      if [ "$name" = herald-redis ]; then SERVER_PIDS="$pid,$REDIS_PID"; fi
      ;;
    soketi)
      (cd "$SOKETI_DIR" && SOKETI_PORT=$PORT SOKETI_DEFAULT_APP_ID=demo-app SOKETI_DEFAULT_APP_KEY=demo-key \
        SOKETI_DEFAULT_APP_SECRET=demo-secret SOKETI_METRICS_SERVER_PORT=$((PORT + 1)) \
        exec taskset -c 0 node node_modules/@soketi/soketi/bin/server.js start) > "$OUT/server.log" 2>&1 &
      pid=$!; STARTED="$pid $STARTED"
      wait_http "http://127.0.0.1:$PORT/ready" 60
      SERVER_PIDS=$pid
      ;;
    nchan|nchan-redis|nchan-nodelay)
      local prefix=$OUT/nchan redis_lines="" preload=()
      rm -rf "$prefix"; mkdir -p "$prefix"
      if [ "$name" = nchan-redis ]; then
        start_redis
        redis_lines="nchan_redis_url \"redis://127.0.0.1:$REDIS_PORT\"; nchan_use_redis on;"
      fi
      sed -e "s#@PREFIX@#$prefix#g" -e "s#@NOFILE@#$(ulimit -Hn)#g" -e "s#@PORT@#$PORT#g" -e "s#@REDIS@#$redis_lines#" \
        "$NCHAN_TEMPLATE" > "$prefix/nginx.conf"
      # nchan leaves Nagle's algorithm on for its subscribers; the shim sets TCP_NODELAY on every
      # socket nginx accepts (bench/peers/nchan/nodelay.c), so both servers send frames at once
      if [ "$name" = nchan-nodelay ]; then preload=("LD_PRELOAD=$OUT/nodelay.so"); fi
      taskset -c 0 env "${preload[@]}" nginx -c "$prefix/nginx.conf" -p "$prefix" > "$OUT/server.log" 2>&1 &
      pid=$!; STARTED="$pid $STARTED"
      wait_http "http://127.0.0.1:$PORT/health" 30
      SERVER_PIDS=$pid
      local worker
      for worker in $(pgrep -P "$pid"); do SERVER_PIDS="$SERVER_PIDS,$worker"; done
      if [ "$name" = nchan-redis ]; then SERVER_PIDS="$SERVER_PIDS,$REDIS_PID"; fi
      PROTOCOL=nchan
      ;;
    *) echo "unknown server $name" >&2; exit 2 ;;
  esac
}

rss_kib() { # sum of VmRSS over a comma list of pids
  local total=0 pid kib
  for pid in ${1//,/ }; do
    kib=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")
    total=$((total + kib))
  done
  echo "$total"
}

cpu_ticks() { # utime + stime summed over a comma list of pids (ticks of 1/100 s)
  local total=0 pid t
  for pid in ${1//,/ }; do
    t=$(sed 's/.*) //' "/proc/$pid/stat" | awk '{print $12 + $13}')
    total=$((total + t))
  done
  echo "$total"
}

# ---------------------------------------------------------------- scenarios
if $QUICK; then
  S1="--subscribers 200 --rate 50 --duration 3 --warmup 2"
  S3="--subscribers 500 --channels 500 --rate 500 --duration 3 --warmup 2"
  CONNECT="--subscribers 500 --connect-rate 1000 --connect-concurrency 1000 --rate 1 --duration 1 --warmup 0"
  S2="--subscribers 500 --find-max --steps 10,20,40 --duration 3 --warmup 1"
  S4="--subscribers 1000 --connect-concurrency 200 --rate 1 --duration 1 --warmup 0"
  API_SECONDS=3
  API_WARMUP=1
else
  S1="--subscribers 2000 --rate 50 --duration 10 --warmup 5 --drain 10"
  S3="--subscribers 5000 --channels 5000 --rate 5000 --duration 10 --warmup 5 --drain 10"
  CONNECT="--subscribers 2000 --connect-rate 1000 --connect-concurrency 1000 --rate 1 --duration 1 --warmup 0"
  S2="--subscribers 5000 --find-max --steps 10,20,30,40,60,80,120,160,240 --duration 10 --warmup 3 --drain 10"
  S4="--subscribers 15000 --connect-concurrency 200 --connect-timeout 300 --rate 1 --duration 1 --warmup 0"
  API_SECONDS=10
  API_WARMUP=5
fi

run_tool() { # scenario server run args...
  local scenario=$1 server=$2 run=$3; shift 3
  local json=$OUT/$scenario-$server-$run.json
  rm -f "$json"
  if taskset -c 1 java -jar "$BENCH_JAR" --port "$PORT" --protocol "$PROTOCOL" --server-pid "$SERVER_PIDS" \
      --threads 2 --json "$json" "$@" ${TOOL_ARGS:-} > "$OUT/$scenario-$server-$run.log" 2>&1; then
    log "$scenario $server run $run: $(grep -E 'deliveries |server CPU|Highest|No rate' "$OUT/$scenario-$server-$run.log" | tr -s ' ' | paste -sd';')"
  else
    log "$scenario $server run $run FAILED (see $OUT/$scenario-$server-$run.log): $(tail -n 2 "$OUT/$scenario-$server-$run.log" | paste -sd' ')"
  fi
}

# api: signed POST /apps/demo-app/events to a channel nobody is subscribed to, one pre-signed
# request replayed by wrk (the signature stays valid for 600 s); Pusher servers only.
run_api() { # server run
  local server=$1 run=$2
  local body='{"name":"bench-event","channel":"nobody","data":"{}"}'
  local query
  query=$(python3 - "$body" << 'EOF'
import hashlib, hmac, sys, time
body = sys.argv[1].encode()
q = "auth_key=demo-key&auth_timestamp=%d&auth_version=1.0&body_md5=%s" % (time.time(), hashlib.md5(body).hexdigest())
sig = hmac.new(b"demo-secret", ("POST\n/apps/demo-app/events\n" + q).encode(), hashlib.sha256).hexdigest()
print(q + "&auth_signature=" + sig)
EOF
)
  cat > "$OUT/api.lua" << EOF
wrk.method = "POST"
wrk.body = '$body'
wrk.headers["Content-Type"] = "application/json"
EOF
  local before after
  # warm-up first (a fresh JVM interprets its first thousands of requests), then the measured run
  taskset -c 1 wrk -t 1 -c 32 -d "${API_WARMUP}s" -s "$OUT/api.lua" \
    "http://127.0.0.1:$PORT/apps/demo-app/events?$query" > /dev/null 2>&1 || true
  before=$(cpu_ticks "$SERVER_PIDS")
  taskset -c 1 wrk -t 1 -c 32 -d "${API_SECONDS}s" -s "$OUT/api.lua" \
    "http://127.0.0.1:$PORT/apps/demo-app/events?$query" > "$OUT/api-$server-$run.log" 2>&1 || true
  after=$(cpu_ticks "$SERVER_PIDS")
  python3 - "$OUT/api-$server-$run.log" "$OUT/api-$server-$run.json" "$before" "$after" << 'EOF'
import json, re, sys
text = open(sys.argv[1]).read()
rps = re.search(r"Requests/sec:\s*([\d.]+)", text)
non2xx = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", text)
total = re.search(r"(\d+) requests in", text)
cpu = (int(sys.argv[4]) - int(sys.argv[3])) / 100.0
ok = int(total.group(1)) - (int(non2xx.group(1)) if non2xx else 0) if total else 0
json.dump({"requestsPerSecond": float(rps.group(1)) if rps else None, "requests": int(total.group(1)) if total else 0,
           "non2xx": int(non2xx.group(1)) if non2xx else 0, "serverCpuSeconds": cpu,
           "serverCpuMicrosPerRequest": round(cpu * 1e6 / ok, 2) if ok else None}, open(sys.argv[2], "w"))
EOF
  log "api $server run $run: $(cat "$OUT/api-$server-$run.json")"
}

# ---------------------------------------------------------------- main
mkdir -p "$OUT"
# Only the runs of the scenarios and servers run now are replaced, so a long sitting can be split
# into several calls (e.g. --scenarios s1,s3 and then --scenarios connect,s2,s4,api, or one server
# run again) that end in one table. The run number after the server's name keeps "nchan" from
# taking "nchan-redis"'s files.
for scenario in ${SCENARIOS//,/ }; do
  for server in ${SERVERS//,/ }; do rm -f "$OUT/$scenario-$server"-[0-9]*; done
done
install_peers
{
  echo "started $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "scenarios $SCENARIOS"
  echo "load_start $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "commit $(git rev-parse --short HEAD 2> /dev/null || echo unknown)"
  echo "runs $RUNS"
  echo "quick $QUICK"
  echo "cpu $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs) x $(nproc)"
  echo "java $(java -version 2>&1 | head -n 1)"
  echo "node $(node --version 2> /dev/null || echo none)"
  echo "nginx $(nginx -v 2>&1 | cut -d/ -f2)"
  echo "soketi $(node -p "require('$SOKETI_DIR/node_modules/@soketi/soketi/package.json').version" 2> /dev/null || echo none)"
  echo "redis $(redis-server --version | awk '{print $3}' | cut -d= -f2)"
} >> "$OUT/meta.txt"

for scenario in ${SCENARIOS//,/ }; do
  runs=$RUNS
  if [ "$scenario" = s2 ]; then runs=${S2_RUNS:-1}; fi
  for run in $(seq 1 "$runs"); do
    # servers interleaved within a round, so slow drifts of the machine hit all of them alike
    for server in ${SERVERS//,/ }; do
      case "$scenario:$server" in
        s4:*redis|api:nchan*) continue ;; # idle memory is the node's, not Redis's; nchan has no signed API
      esac
      start_server "$server"
      case "$scenario" in
        s1) run_tool s1 "$server" "$run" $S1 ;;
        s3) run_tool s3 "$server" "$run" $S3 ;;
        connect) run_tool connect "$server" "$run" $CONNECT ;;
        s2) run_tool s2 "$server" "$run" $S2 ;;
        s4)
          sleep 2
          echo "$(rss_kib "$SERVER_PIDS")" > "$OUT/s4-$server-$run.baseline"
          run_tool s4 "$server" "$run" $S4 ;;
        api) run_api "$server" "$run" ;;
        *) echo "unknown scenario $scenario" >&2; exit 2 ;;
      esac
      stop_server
    done
  done
done
echo "load_end $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/meta.txt"
echo "finished $(date -u +%Y-%m-%dT%H:%MZ)" >> "$OUT/meta.txt"

python3 "$ROOT/bench/side-by-side-table.py" "$OUT" > "$OUT/table.md"
cat "$OUT/table.md"
if $DOCS; then
  python3 "$ROOT/bench/side-by-side-table.py" "$OUT" --write "$ROOT/docs/benchmarks.md"
  log "table written to docs/benchmarks.md"
fi
