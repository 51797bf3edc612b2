#!/usr/bin/env bash
# Memory per idle connection (issue 10, S4): a fresh standalone server (core 0), RSS and heap
# before and after N idle connections, each subscribed to one public channel (load tool on core 1).
#
# Before and after: a full GC through jcmd (GC.run), a settle, then VmRSS from /proc/<pid>/status and a
# class histogram (jcmd GC.class_histogram). Per connection = delta / N, for RSS and for the heap;
# the classes that grew most are listed with their instances and bytes per connection. The RSS delta
# is split into the pages inside the Java heap's reserved range (live heap + what the collector keeps
# touched: survivor spaces, free regions) and outside it (metaspace, code, GC structures, native
# buffers); with -XX:NativeMemoryTracking=summary in --jvm, NMT's committed growth per category too.
#
# usage: bench/idle-memory.sh [--connections N] [--runs N] [--java PATH] [--jvm "OPTS"] [--jar JAR]
#                             [--label NAME] [--server-args "ARGS"]
#   N defaults to 15,000 (the open-files limit here is 20,000 per process). Results go to $OUT
#   (default /tmp/herald-idle-memory/<label>).
set -euo pipefail

cd "$(dirname "$0")/.."
N=15000
RUNS=1
JAVA=java
JVM_OPTS="-Xmx1g"
SERVER_JAR=standalone/target/herald-standalone-0.1.0-SNAPSHOT-exec.jar
BENCH_JAR=${BENCH_JAR:-bench/target/herald-bench-0.1.0-SNAPSHOT-exec.jar}
LABEL=default
SERVER_ARGS=""
PORT=${PORT:-6494}
SETTLE=${SETTLE:-3}
while [ $# -gt 0 ]; do
  case "$1" in
    --connections) N=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --java) JAVA=$2; shift 2 ;;
    --jvm) JVM_OPTS=$2; shift 2 ;;
    --jar) SERVER_JAR=$2; shift 2 ;;
    --label) LABEL=$2; shift 2 ;;
    --server-args) SERVER_ARGS=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
OUT=${OUT:-/tmp/herald-idle-memory/$LABEL}
mkdir -p "$OUT"
ulimit -n "$(ulimit -Hn)"
JCMD="$(dirname "$(readlink -f "$(command -v "$JAVA")")")/jcmd"
[ -x "$JCMD" ] || JCMD=jcmd
[ -f "$BENCH_JAR" ] || ./mvnw -B -q -pl bench package -DskipTests
[ -f "$SERVER_JAR" ] || ./mvnw -B -q -pl standalone -am package -DskipTests

SERVER_PID=""; TOOL_PID=""
cleanup() {
  for pid in $TOOL_PID $SERVER_PID; do kill "$pid" 2> /dev/null || true; done
  for pid in $TOOL_PID $SERVER_PID; do wait "$pid" 2> /dev/null || true; done
}
trap cleanup EXIT

snapshot() { # name: gc, settle, RSS, heap layout, histogram (and NMT when the JVM tracks it)
  "$JCMD" "$SERVER_PID" GC.run > /dev/null
  sleep "$SETTLE"
  awk '/^VmRSS:/ {print $2}' "/proc/$SERVER_PID/status" > "$OUT/$1.rss"
  cp "/proc/$SERVER_PID/smaps" "$OUT/$1.smaps"
  "$JCMD" "$SERVER_PID" GC.heap_info > "$OUT/$1.heap"
  "$JCMD" "$SERVER_PID" GC.class_histogram > "$OUT/$1.histo"
  case "$JVM_OPTS" in
    *NativeMemoryTracking=*) "$JCMD" "$SERVER_PID" VM.native_memory summary > "$OUT/$1.nmt" ;;
  esac
}

for run in $(seq 1 "$RUNS"); do
  if (exec 3<> "/dev/tcp/127.0.0.1/$PORT") 2> /dev/null; then
    echo "port $PORT is already in use: set PORT to a free one" >&2; exit 1
  fi
  # shellcheck disable=SC2086
  taskset -c 0 "$JAVA" $JVM_OPTS -jar "$SERVER_JAR" --server.port="$PORT" --logging.level.root=WARN \
    $SERVER_ARGS > "$OUT/server-$run.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 3000); do
    curl -sf -o /dev/null "http://127.0.0.1:$PORT/actuator/health" && break
    kill -0 "$SERVER_PID" 2> /dev/null || { echo "server exited, see $OUT/server-$run.log" >&2; exit 1; }
    sleep 0.05
  done
  snapshot "before-$run"
  # the tool keeps the connections open and idle (--hold) while the server is measured
  taskset -c 1 java -jar "$BENCH_JAR" --port "$PORT" --subscribers "$N" --connect-concurrency 200 \
    --connect-timeout 300 --hold 3600 --threads 2 > "$OUT/tool-$run.log" 2>&1 &
  TOOL_PID=$!
  for _ in $(seq 1 3000); do
    grep -q "holding" "$OUT/tool-$run.log" 2> /dev/null && break
    kill -0 "$TOOL_PID" 2> /dev/null || { echo "load tool exited, see $OUT/tool-$run.log" >&2; exit 1; }
    sleep 0.2
  done
  snapshot "after-$run"
  echo "$(uptime | sed 's/.*load/load/')" > "$OUT/load-$run"
  kill "$TOOL_PID"; wait "$TOOL_PID" 2> /dev/null || true; TOOL_PID=""
  kill "$SERVER_PID"; wait "$SERVER_PID" 2> /dev/null || true; SERVER_PID=""
done

python3 - "$OUT" "$RUNS" "$N" "$LABEL" << 'EOF'
import os, re, statistics, sys
out, runs, n, label = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
def histo(path):
    rows = {}
    for line in open(path):
        m = re.match(r"\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)", line)
        if m:
            rows[m.group(3)] = (int(m.group(1)), int(m.group(2)))
    return rows
def heap_rss(run, name):
    # RSS of the mappings inside the Java heap's reserved range (GC.heap_info's addresses; -Xmx
    # and the heap base give the range), and the rest (metaspace, code, threads, native buffers)
    addrs = [int(a, 16) for a in re.findall(r"0x[0-9a-f]{8,}", open(os.path.join(out, "%s-%d.heap" % (name, run))).read())]
    lo, hi = min(addrs), max(addrs)
    inside = total = 0; cur = None
    for line in open(os.path.join(out, "%s-%d.smaps" % (name, run))):
        m = re.match(r"^([0-9a-f]+)-([0-9a-f]+) ", line)
        if m:
            cur = (int(m.group(1), 16), int(m.group(2), 16))
        elif line.startswith("Rss:"):
            kb = int(line.split()[1]); total += kb
            if cur[0] < hi and cur[1] > lo:
                inside += kb
    return inside, total - inside
def nmt(run, name):
    path = os.path.join(out, "%s-%d.nmt" % (name, run))
    if not os.path.exists(path):
        return {}
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"-\s+([\w ]+?) \(reserved=\d+KB, committed=(\d+)KB", open(path).read())}
rss, heap, last = [], [], None
for r in range(1, runs + 1):
    b = int(open(os.path.join(out, "before-%d.rss" % r)).read())
    a = int(open(os.path.join(out, "after-%d.rss" % r)).read())
    hb, ha = histo(os.path.join(out, "before-%d.histo" % r)), histo(os.path.join(out, "after-%d.histo" % r))
    dheap = sum(v[1] for v in ha.values()) - sum(v[1] for v in hb.values())
    load = open(os.path.join(out, "load-%d" % r)).read().strip()
    print("%s run %d: RSS %d -> %d KiB: %.2f KiB per connection; live heap +%.0f KiB: %.2f KiB per connection; %s"
          % (label, r, b, a, (a - b) / n, dheap / 1024, dheap / 1024 / n, load))
    (jb, ob), (ja, oa) = heap_rss(r, "before"), heap_rss(r, "after")
    print("  RSS inside the Java heap +%.2f KiB per connection (live heap above: +%.2f), outside it +%.2f"
          % ((ja - jb) / n, dheap / 1024 / n, (oa - ob) / n))
    nb, na = nmt(r, "before"), nmt(r, "after")
    grew = sorted(((na[k] - nb.get(k, 0), k) for k in na if na[k] != nb.get(k, 0)), reverse=True)
    if grew:
        print("  NMT committed, KiB per connection: " + ", ".join("%s %+.3f" % (k, d / n) for d, k in grew))
    rss.append((a - b) / n); heap.append(dheap / 1024 / n); last = (hb, ha)
print("== %s: median RSS per idle connection %.2f KiB, heap %.2f KiB (%d connections, %d runs)"
      % (label, statistics.median(rss), statistics.median(heap), n, runs))
hb, ha = last
grown = sorted(((ha[k][1] - hb.get(k, (0, 0))[1], ha[k][0] - hb.get(k, (0, 0))[0], k) for k in ha), reverse=True)
print("classes that grew most (last run), per connection: instances, bytes")
for dbytes, dcount, k in grown[:25]:
    if dbytes <= 0:
        break
    print("  %7.2f  %7.0f B  %s" % (dcount / n, dbytes / n, k))
EOF
