#!/usr/bin/env bash
# The HTTP stack against the peer benchmark's floors, side by side in one run: the shared peer
# benchmark (../shared/bench/peers: its server, cases, floor clients and evaltui suite) without the
# slow peers, the tools interleaved round by round so that load from elsewhere on the machine falls
# on all of them alike. Prints one line a tool a round, then the medians. Besides wall and CPU
# seconds (the process's own, start-up included), each run's first request is timed (the server's
# count polled every 20 ms until it moves): the wall a tool spends before asking anything.
#   bench/peers_http.sh [ROUNDS] [CONCURRENCY...]     (default: 5 rounds at 50 and 200, latency 100 ms)
# Env: PEERS_DIR (the peer benchmark's folder), PY (a Python with aiohttp, httpx, httpx-aiohttp,
# starlette, uvicorn), EVALTUI (the evaltui to measure), EVALTUI_B (optional: a second one, such as
# an older checkout, measured beside it), LATENCY_MS (100), FLOORS ("aiohttp httpx-aiohttp").
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
if [ -z "${PEERS_DIR:-}" ]; then  # beside the main checkout, or beside the folder of worktrees
  for d in "$HERE/../../shared/bench/peers" "$HERE/../../../shared/bench/peers"; do [ -d "$d" ] && PEERS_DIR=$d && break; done
fi
PEERS_DIR=$(cd "${PEERS_DIR:?set PEERS_DIR to the peer benchmark folder}" && pwd) || exit 2
PY=${PY:-python3}
EVALTUI=${EVALTUI:-$(command -v evaltui)}
EVALTUI_B=${EVALTUI_B:-}
L=${LATENCY_MS:-100}
FLOORS=${FLOORS:-"aiohttp httpx-aiohttp"}
ROUNDS=${1:-5}; shift || true
CONCS=${*:-"50 200"}
PORT=${PORT:-8011}
OUT=$(mktemp -d)
PORT=$PORT LATENCY_MS=$L "$PY" "$PEERS_DIR/fake_openai.py" >"$OUT/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$OUT"' EXIT
for _ in $(seq 50); do curl -s "localhost:$PORT/stats" >/dev/null && break; sleep 0.2; done
N=$(wc -l <"$PEERS_DIR/cases.jsonl")
sed "s/8011/$PORT/" "$PEERS_DIR/evaltui_suite.yaml" >"$OUT/suite.yaml"; cp "$PEERS_DIR/cases.jsonl" "$OUT/"
echo "cases=$N latency=${L}ms rounds=$ROUNDS host=$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
# One unmeasured run of each evaltui first, allowed to write its bytecode: with
# PYTHONDONTWRITEBYTECODE set (some shells and CI set it) an editable install compiles every
# evaltui module on every start, CPU the floors' installed packages never spend.
unset PYTHONDONTWRITEBYTECODE
for e in "$EVALTUI" ${EVALTUI_B:+"$EVALTUI_B"}; do
  rm -f "$OUT/w.db"*; BENCH_API_KEY=dummy $e run "$OUT/suite.yaml" --concurrency 200 --no-cache --db "$OUT/w.db" >/dev/null 2>&1
done
cat >"$OUT/timed.py" <<'PY'
"""Run a command: its wall, its CPU (user + sys), and when its first request reached the server."""
import http.client, json, os, subprocess, sys, time
port, out, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
conn = http.client.HTTPConnection("127.0.0.1", port)
def requests():
    conn.request("GET", "/stats")
    return json.loads(conn.getresponse().read())["requests"]
before = requests()
start = time.perf_counter()
with open(out, "wb") as log:
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
first = None
while first is None and proc.poll() is None:
    if requests() > before:
        first = time.perf_counter() - start
    else:
        time.sleep(0.02)
_, status, usage = os.wait4(proc.pid, 0)
wall = time.perf_counter() - start
print(f"{wall:.3f} {usage.ru_utime + usage.ru_stime:.3f} {first if first is not None else wall:.3f} {status}")
PY
measure() {  # round, concurrency, name, command...
  local round=$1 c=$2 name=$3; shift 3
  read -r wall cpu first status < <(python3 "$OUT/timed.py" "$PORT" "$OUT/run.out" "$@")
  [ "$status" = 0 ] || { echo "$name failed:"; tail -5 "$OUT/run.out"; }
  python3 -c "w=$wall; l=$N*$L/1000/$c; print(f'$round $c %-16s %6.2f %6.2f %5.1f %5.2f' % ('$name', w, $cpu, 100*l/w, $first))" | tee -a "$OUT/all.txt"
}
for round in $(seq "$ROUNDS"); do
  for c in $CONCS; do
    tools=()
    for k in $FLOORS; do tools+=("floor:$k"); done
    tools+=(evaltui); [ -n "$EVALTUI_B" ] && tools+=(evaltui-b)
    # rotate the order each round: no tool always runs first (or right after another)
    for i in $(seq 0 $((${#tools[@]} - 1))); do
      t=${tools[$(( (i + round) % ${#tools[@]} ))]}
      case $t in
        floor:*) measure "$round" "$c" "$t" "$PY" "$PEERS_DIR/minimal_variants.py" "${t#floor:}" "$OUT/cases.jsonl" "$c" "http://127.0.0.1:$PORT/v1" ;;
        evaltui) rm -f "$OUT/a.db"*; BENCH_API_KEY=dummy measure "$round" "$c" evaltui "$EVALTUI" run "$OUT/suite.yaml" --concurrency "$c" --no-cache --db "$OUT/a.db" ;;
        evaltui-b) rm -f "$OUT/b.db"*; BENCH_API_KEY=dummy measure "$round" "$c" evaltui-b $EVALTUI_B run "$OUT/suite.yaml" --concurrency "$c" --no-cache --db "$OUT/b.db" ;;
      esac
    done
  done
done
echo "medians (wall s, cpu s, % of the limit N*L/C, first request s) and each tool's wall as % of the aiohttp floor's:"
python3 - "$OUT/all.txt" <<'PY'
import statistics, sys, collections
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    r, c, name, wall, cpu, pct, first = line.split()
    rows[(int(c), name)].append((float(wall), float(cpu), float(pct), float(first)))
for (c, name), vals in sorted(rows.items()):
    wall = statistics.median(v[0] for v in vals); cpu = statistics.median(v[1] for v in vals)
    pct = statistics.median(v[2] for v in vals)
    first = statistics.median(v[3] for v in vals)
    floor = rows.get((c, "floor:aiohttp"))
    rel = f"{100 * statistics.median(v[0] for v in floor) / wall:5.1f}%" if floor else "-"
    spread = f"{min(v[0] for v in vals):.2f}-{max(v[0] for v in vals):.2f}"
    print(
        f"C={c:<4} {name:<20} wall {wall:6.2f} (range {spread})  cpu {cpu:6.2f}  {pct:5.1f}% of limit  "
        f"first request {first:5.2f}  floor/this {rel}"
    )
PY
