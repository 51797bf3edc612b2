#!/usr/bin/env bash
# Run from the repository root.
# The S1 CPU split (bench/s1-kernel-split.sh, mode split) for Herald and its peers, alternated:
# RUNS rounds of herald, nchan, soketi (each a fresh server), then per server the median of the
# total, the loopback-receive part (net_rx_action inclusive: the subscriber's side of TCP, which
# loopback runs in the sender's context) and the rest, the server's own, in µs per delivery.
# Each run holds the shared measuring lock (/tmp/herald-bench.lock) and releases it after;
# LOCK=round holds it for a whole round instead (fewer waits on a busy lock: keep a round under
# ~5 minutes, e.g. 5 servers with 10 s warm + 10 s window).
# Usage: bench/s1-split-side-by-side.sh [runs] [warm-s] [window-s]
#   SERVERS (default "herald nchan soketi"); an entry LABEL=JAR is a Herald build (old vs new:
#   SERVERS="main=/tmp/main.jar new=standalone/target/herald-standalone-0.1.0-SNAPSHOT-exec.jar");
#   JVM_ARGS_<LABEL> (exported): JVM options of that entry's server, e.g.
#   JVM_ARGS_w1=-Dreactor.netty.ioWorkerCount=1 with SERVERS="new=A.jar w1=A.jar";
#   MODE (default split; plain measures without perf); JAR, BENCH, PORT, SOKETI_DIR, TOOL_ARGS as for
#   s1-kernel-split.sh; OUT (default /tmp/s1-split-side-by-side).
set -u
RUNS=${1:-3}; WARM=${2:-15}; WINDOW=${3:-15}
SERVERS=${SERVERS:-herald nchan soketi}
OUT=${OUT:-/tmp/s1-split-side-by-side}; mkdir -p "$OUT"
MODE=${MODE:-split}; LOCK=${LOCK:-run}
SPLIT=$(cd "$(dirname "$0")" && pwd)/s1-kernel-split.sh
labels=()
for entry in $SERVERS; do labels+=("${entry%%=*}"); done
# one_run ENTRY ROUND: one fresh server of the entry, its summary in $OUT/LABEL-ROUND.txt
one_run() {
  local s=${1%%=*} server jar=${JAR:-} lock=(flock /tmp/herald-bench.lock)
  server=$s
  if [ "$s" != "$1" ]; then server=herald; jar=${1#*=}; fi
  [ "$LOCK" = round ] && lock=()
  local jvm="JVM_ARGS_$s"
  OUT=$OUT/$s-$2 SERVER=$server JAR=$jar JVM_ARGS="${!jvm:-${JVM_ARGS:-}}" "${lock[@]}" "$SPLIT" "$MODE" 2000 50 "$WARM" "$WINDOW" \
    > "$OUT/$s-$2.txt" 2>&1
  grep -E '^server=' "$OUT/$s-$2.txt" | sed "s/^server=[a-z]*/$s/" | cut -c1-220
}
export -f one_run; export OUT MODE WARM WINDOW SPLIT LOCK
for r in $(seq 1 "$RUNS"); do
  if [ "$LOCK" = round ]; then
    # shellcheck disable=SC2016
    flock /tmp/herald-bench.lock bash -c 'for e in "$@"; do one_run "$e" '"$r"'; done' _ $SERVERS
  else
    for entry in $SERVERS; do one_run "$entry" "$r"; done
  fi
done
python3 - "$OUT" "${labels[@]}" << 'PY'
import re, statistics, sys, glob
out, servers = sys.argv[1], sys.argv[2:]
def num(pattern, text):
    m = re.search(pattern, text)
    return float(m.group(1)) if m else float('nan')
print('| server | total µs/delivery | loopback receive | server\'s own | p99 ms | runs (total / own) | load |')
print('| --- | --- | --- | --- | --- | --- | --- |')
for s in servers:
    rows = []
    for f in sorted(glob.glob(f'{out}/{s}-*.txt')):
        t = open(f).read()
        rows.append((num(r'us_total=([0-9.]+)', t), num(r'net_rx_action\): [0-9.]+ % = ([0-9.]+)', t),
                     num(r"server's own .*= ([0-9.]+)", t), num(r'p99 ([0-9.]+)', t.split('latency', 1)[-1]),
                     re.search(r"load='([^']*)'", t).group(1) if "load='" in t else '?'))
    if not rows:
        continue
    med = lambda i: statistics.median(r[i] for r in rows)
    runs = ', '.join(f'{r[0]:.2f}/{r[2]:.2f}' for r in rows)
    print(f'| {s} | {med(0):.2f} | {med(1):.2f} | {med(2):.2f} | {med(3):.0f} | {runs} | {"; ".join(r[4] for r in rows)} |')
PY
