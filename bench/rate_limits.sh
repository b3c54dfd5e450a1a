#!/usr/bin/env bash
# evaltui against a rate-limited API (issue 16's table): the peer benchmark's server with RATE=R (a
# token bucket of R requests a second holding one second's worth, a request past it answered 429 with
# Retry-After: 1, as hosted APIs do), at each R; then tests/fake_api.py with the same bucket and no
# Retry-After at all. 2,000 cases, 100 ms a request, concurrency 50. The best possible run takes
# about N/R seconds (a little less: the bucket starts full).
#   bench/rate_limits.sh [ROUNDS] [RATES...]     (default: 3 rounds at 0 20 100 400)
# Rate 0 is the control: no limit at all, so the best possible run takes N*L/C; on a loaded machine
# it shows how far from that the machine itself keeps evaltui and the server.
# Env: PEERS_DIR (the peer benchmark's folder), PY (a Python with starlette and uvicorn, for the peer
# server), EVALTUI (the evaltui to measure), EVALTUI_PY (a Python with aiohttp, for tests/fake_api.py;
# default: the one EVALTUI's script names), C (50), LATENCY_MS (100), QUIET_RATES (the rates also run
# without Retry-After; default "100").
# Prints one line a run (wall s, cpu s, wall / (N/R), requests, rate-limited share, cases lost), then
# the medians.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
if [ -z "${PEERS_DIR:-}" ]; then  # beside the main checkout, or beside the folder of worktrees
  for d in "$HERE/../../shared/bench/peers" "$HERE/../../../shared/bench/peers"; do [ -d "$d" ] && PEERS_DIR=$d && break; done
fi
PEERS_DIR=$(cd "${PEERS_DIR:?set PEERS_DIR to the peer benchmark folder}" && pwd) || exit 2
PY=${PY:-python3}
EVALTUI=${EVALTUI:-$(command -v evaltui)}
EVALTUI_PY=${EVALTUI_PY:-$(head -1 "$EVALTUI" | sed "s/^#!//")}  # a Python with aiohttp: it serves tests/fake_api.py
C=${C:-50}
L=${LATENCY_MS:-100}
ROUNDS=${1:-3}; shift || true
RATES=${*:-"0 20 100 400"}
QUIET_RATES=${QUIET_RATES:-100}
OUT=$(mktemp -d)
SERVER=
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null; rm -rf "$OUT"' EXIT
N=$(wc -l <"$PEERS_DIR/cases.jsonl")
cp "$PEERS_DIR/cases.jsonl" "$OUT/"
echo "cases=$N concurrency=$C latency=${L}ms rounds=$ROUNDS host=$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
# evaltui's bytecode written once, as a regular install has it: with PYTHONDONTWRITEBYTECODE set
# (this machine's shells set it) an editable install compiles every module on every start.
unset PYTHONDONTWRITEBYTECODE
"$EVALTUI" --help >/dev/null 2>&1
"$EVALTUI_PY" -m compileall -q "$(dirname "$("$EVALTUI_PY" -c 'import evaltui; print(evaltui.__file__)')")" >/dev/null 2>&1
echo "round rate retry_after wall_s cpu_s wall/best requests rate_limited% lost run_s run/best"
echo "(best: N/R, or N*L/C at rate 0; run_s: the run's own start to finish, without evaltui's start-up)"

serve() {  # rate, retry_after (yes|no): on a port nothing else listens on (a stray server would answer)
  PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  sed "s/8011/$PORT/" "$PEERS_DIR/evaltui_suite.yaml" >"$OUT/suite.yaml"
  if [ "$2" = yes ]; then
    PORT=$PORT LATENCY_MS=$L RATE=$1 "$PY" "$PEERS_DIR/fake_openai.py" >"$OUT/server.log" 2>&1 &
  else
    "$EVALTUI_PY" "$HERE/../tests/fake_api.py" --port "$PORT" --latency-ms "$L" --rate "$1" --no-retry-after >"$OUT/server.log" 2>&1 &
  fi
  SERVER=$!
  for _ in $(seq 100); do
    kill -0 "$SERVER" 2>/dev/null || break
    curl -s "localhost:$PORT/stats" >/dev/null && return
    sleep 0.1
  done
  echo "the server did not start:"; cat "$OUT/server.log"; exit 1
}

measure() {  # round, rate, retry_after
  serve "$2" "$3"
  rm -f "$OUT/a.db"*
  BENCH_API_KEY=dummy /usr/bin/time -o "$OUT/time.txt" -f "%e %U %S" \
    "$EVALTUI" run "$OUT/suite.yaml" --concurrency "$C" --no-cache --quiet --db "$OUT/a.db" >"$OUT/run.out" 2>&1
  read -r wall user sys < <(tail -1 "$OUT/time.txt")
  curl -s "localhost:$PORT/stats" >"$OUT/stats.json"
  kill $SERVER; wait $SERVER 2>/dev/null; SERVER=
  python3 - "$1" "$2" "$3" "$wall" "$user" "$sys" "$N" "$OUT/stats.json" "$OUT/a.db" "$L" "$C" <<'PY' | tee -a "$OUT/all.txt"
import json, sqlite3, sys
rnd, rate, ra, wall, user, sys_, n, stats, db, latency_ms, c = sys.argv[1:]
s = json.load(open(stats))
done, errors, started, finished = sqlite3.connect(db).execute(
    "SELECT done, errors, started_at, finished_at FROM runs"
).fetchone()
from datetime import datetime
run_s = (datetime.fromisoformat(finished) - datetime.fromisoformat(started)).total_seconds()
lost = int(n) - done + errors
requests, limited = s.get("requests", 0), s.get("rate_limited", 0)
ideal = int(n) / float(rate) if float(rate) else int(n) * float(latency_ms) / 1000 / int(c)
print(f"{rnd} {rate} {ra} {float(wall):.2f} {float(user) + float(sys_):.2f} {float(wall) / ideal:.3f} "
      f"{requests} {100 * limited / max(requests, 1):.1f} {lost} {run_s:.2f} {run_s / ideal:.3f}")
PY
}

for round in $(seq "$ROUNDS"); do
  for r in $RATES; do measure "$round" "$r" yes; done
  for r in $QUIET_RATES; do measure "$round" "$r" no; done
done
echo "medians (rate, retry_after: wall s, wall/best, rate-limited %, cases lost at most):"
python3 - "$OUT/all.txt" <<'PY'
import collections, statistics, sys
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    _, rate, ra, wall, cpu, ratio, requests, limited, lost, run_s, run_ratio = line.split()
    rows[(int(rate), ra)].append((float(wall), float(ratio), float(limited), float(run_ratio), int(lost)))
for (rate, ra), runs in sorted(rows.items()):
    med = [statistics.median(x[i] for x in runs) for i in range(4)]
    print(f"R={rate:<4} retry_after={ra:<3}  wall {med[0]:6.2f} s  {med[1]:.3f} x best  run {med[3]:.3f} x best  "
          f"rate-limited {med[2]:4.1f}%  lost {max(x[4] for x in runs)}  ({len(runs)} runs)")
PY
