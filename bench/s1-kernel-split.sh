#!/usr/bin/env bash
# Run from the repository root.
# S1 with the kernel/Java split of the server's CPU over a warm window: utime and stime (fields 14
# and 15 of /proc/<pid>/stat) separately per delivery, the load tool's own CPU, and, by mode, the
# server's syscalls per delivery (perf stat on tracepoints), a perf profile (cpu-clock, kernel and
# user stacks) or a JFR profile of the same window.
# Server on core 0, load tool on core 1, fresh server per run. The tool publishes WARM seconds
# unmeasured (its --warmup), then WINDOW measured seconds; deliveries are the tool's measured ones.
# Usage: JAR=... bench/s1-kernel-split.sh [mode] [subscribers] [rate] [warm-s] [window-s]
#   mode: plain (default), stat (perf stat syscalls), perf (perf record -g), jfr (JFR profile),
#         split (perf record -g, then bench/perf-split.py: per delivery the total, the loopback
#         receive part (net_rx_action inclusive) and the rest, the server's own)
#   SERVER: herald (default, $JAR), nchan (nginx + nchan, bench/peers/nchan, master + worker
#           counted) or soketi (SOKETI_DIR, default bench/peers/soketi with node_modules), the
#           same peers bench/side-by-side.sh starts, so the split is fair across servers.
#   NICE: a nice value for the server and the load tool (e.g. -10, as root): on a machine shared
#   with builds a starved server falls behind, batches more per write and looks cheaper per
#   delivery than it is; the figures are then valid only with a p99 of a server that kept up.
#   EXTRA_ARGS: more server arguments (herald); JVM_ARGS: more JVM options of the server (herald,
#   e.g. -Dreactor.netty.ioWorkerCount=1); TOOL_ARGS: more load tool arguments; OUT: output
#   directory; PORT: the server's port (soketi's metrics server takes PORT + 1); SERVER_PRELOAD:
#   a library nginx is started with (LD_PRELOAD), e.g. bench/peers/nchan/nodelay.so (see there).
set -u
MODE=${1:-plain}; SUBS=${2:-2000}; RATE=${3:-50}; WARM=${4:-15}; WINDOW=${5:-15}
: "${JAR:=standalone/target/herald-standalone-0.1.0-SNAPSHOT-exec.jar}"
BENCH=${BENCH:-bench/target/herald-bench-0.1.0-SNAPSHOT-exec.jar}
OUT=${OUT:-/tmp/s1-split}; mkdir -p "$OUT"
TICKS=$(getconf CLK_TCK); PORT=${PORT:-6293}
SERVER=${SERVER:-herald}; PROTOCOL=pusher
SOKETI_DIR=${SOKETI_DIR:-bench/peers/soketi}
# utime and stime summed over a comma list of pids
times() {
  local p u=0 s=0 a b
  for p in ${1//,/ }; do
    read -r a b < <(sed 's/.*) //' "/proc/$p/stat" | awk '{print $12, $13}'); u=$((u + a)); s=$((s + b))
  done
  echo "$u $s"
}
# pin CPU COMMAND...: only with & (it execs, so $! is the command's pid)
pin() { local cpu=$1; shift; exec nice -n "${NICE:-0}" taskset -c "$cpu" "$@"; }
case $SERVER in
  herald)
    # shellcheck disable=SC2086
    pin 0 java -Xmx1g ${JVM_ARGS:-} -jar "$JAR" --server.port=$PORT --logging.level.root=WARN ${EXTRA_ARGS:-} \
      > "$OUT/server.log" 2>&1 &
    pid=$!; health=/actuator/health ;;
  soketi)
    (cd "$SOKETI_DIR" && SOKETI_PORT=$PORT SOKETI_DEFAULT_APP_ID=demo-app SOKETI_DEFAULT_APP_KEY=demo-key \
      SOKETI_DEFAULT_APP_SECRET=demo-secret SOKETI_METRICS_SERVER_PORT=$((PORT + 1)) \
      exec nice -n "${NICE:-0}" taskset -c 0 node node_modules/@soketi/soketi/bin/server.js start) > "$OUT/server.log" 2>&1 &
    pid=$!; health=/ready ;;
  nchan)
    prefix=$OUT/nchan; rm -rf "$prefix"; mkdir -p "$prefix"
    sed -e "s#@PREFIX@#$prefix#g" -e "s#@NOFILE@#$(ulimit -Hn)#g" -e "s#@PORT@#$PORT#g" -e "s#@REDIS@##" \
      bench/peers/nchan/nginx.conf.template > "$prefix/nginx.conf"
    # shellcheck disable=SC2086
    pin 0 env ${SERVER_PRELOAD:+LD_PRELOAD=$SERVER_PRELOAD} nginx -c "$prefix/nginx.conf" -p "$prefix" > "$OUT/server.log" 2>&1 &
    pid=$!; health=/health; PROTOCOL=nchan ;;
  *) echo "SERVER must be herald, nchan or soketi" >&2; exit 2 ;;
esac
for _ in $(seq 1 240); do curl -sf "http://127.0.0.1:$PORT$health" > /dev/null && break; sleep 0.5; done
# nginx's worker does the fan-out; the master is counted too (it is idle)
pids=$pid; for w in $(pgrep -P "$pid"); do [ "$SERVER" = nchan ] && pids="$pids,$w"; done
log=$OUT/tool-$MODE.log
load=$(cut -d' ' -f1-3 /proc/loadavg)
# shellcheck disable=SC2086
pin 1 java -jar "$BENCH" --port=$PORT --protocol=$PROTOCOL --subscribers="$SUBS" --rate="$RATE" --duration="$WINDOW" \
  --warmup="$WARM" --json=$OUT/tool-$MODE.json ${TOOL_ARGS:-} > "$log" 2>&1 &
bpid=$!
until grep -q "publishing" "$log" 2> /dev/null || ! kill -0 $bpid 2> /dev/null; do sleep 0.05; done
sleep "$WARM"
read -r u0 s0 < <(times $pids); read -r tu0 ts0 < <(times $bpid)
case $MODE in
  stat) perf stat -e 'syscalls:sys_enter_write,syscalls:sys_enter_writev,syscalls:sys_enter_sendto,syscalls:sys_enter_read,syscalls:sys_enter_epoll_wait,syscalls:sys_enter_epoll_pwait,syscalls:sys_enter_futex,raw_syscalls:sys_enter' \
          -p $pid -o $OUT/perf-stat.txt -- sleep $((WINDOW - 2)) ;;
  jfr) jcmd $pid JFR.start name=s1 duration=$((WINDOW - 2))s filename=$OUT/s1.jfr settings=profile > /dev/null ;;
  perf|split) perf record -F 499 -e cpu-clock -g -p $pids -o $OUT/perf.data -- sleep $((WINDOW - 2)) 2> /dev/null ;;
esac
[ "$MODE" = jfr ] && sleep $((WINDOW - 1))
until grep -q "load test report" "$log" 2> /dev/null || ! kill -0 $bpid 2> /dev/null; do sleep 0.05; done
read -r u1 s1 < <(times $pids); read -r tu1 ts1 < <(times $bpid)
wait $bpid
kill $pid; wait $pid 2> /dev/null
python3 - << PY > "$OUT/summary-$MODE.txt"
import json
j = json.load(open('$OUT/tool-$MODE.json'))
d = max(j['deliveries'], 1)
u = ($u1 - $u0) / $TICKS; s = ($s1 - $s0) / $TICKS
tool = (($tu1 - $tu0) + ($ts1 - $ts0)) / $TICKS
print(f"server=$SERVER mode=$MODE load='$load' deliveries={j['deliveries']} of {j['expectedDeliveries']} utime_s={u:.2f} stime_s={s:.2f}"
      f" us_user={u*1e6/d:.2f} us_sys={s*1e6/d:.2f} us_total={(u+s)*1e6/d:.2f} tool_cpu_s={tool:.2f}"
      f" (window {j['durationSeconds']} s)")
lat = [l.strip() for l in open('$log') if l.strip().startswith(('latency', 'publish HTTP', 'lost', 'published'))]
print(' | '.join(lat))
PY
cat "$OUT/summary-$MODE.txt"
if [ "$MODE" = split ]; then
  total=$(sed -n 's/.* us_total=\([0-9.]*\).*/\1/p' "$OUT/summary-$MODE.txt")
  perf script -i "$OUT/perf.data" 2> /dev/null | python3 "$(dirname "$0")/perf-split.py" "$total" | tee "$OUT/split.txt"
fi
if [ "$MODE" = stat ]; then grep -E 'sys_enter|elapsed' $OUT/perf-stat.txt; fi
