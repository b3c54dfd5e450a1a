#!/usr/bin/env bash
# evaltui against the peer benchmark's floor (../shared/bench/peers: a semaphore, one aiohttp POST a
# case, exact match, nothing stored), runs interleaved so both see the same minute of this shared
# machine. Same 2,000 cases, same starlette server, same wall-clock measure (/usr/bin/time, start-up
# included) as run_peers.sh; Inspect AI and promptfoo are left to run_peers.sh (they need npm and
# take minutes). Usage: bench/peers_floor.sh [CONCURRENCY=50] [LATENCY_MS=100] [REPEATS=3]
# Env: PEERS_DIR (default ../shared/bench/peers from the repo root), PEERS_VENV (a venv with
# starlette, uvicorn and aiohttp; made on first use), EVALTUI (default .venv/bin/evaltui).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
C=${1:-50}; L=${2:-100}; R=${3:-3}; PORT=8011
PEERS_DIR=${PEERS_DIR:-$ROOT/../shared/bench/peers}
PEERS_VENV=${PEERS_VENV:-/tmp/evaltui-peers-floor}
EVALTUI=${EVALTUI:-$ROOT/.venv/bin/evaltui}
OUT=$(mktemp -d)
if [ ! -x "$PEERS_VENV/bin/python" ]; then
  python3 -m venv "$PEERS_VENV" && "$PEERS_VENV/bin/pip" install -q starlette uvicorn aiohttp >"$OUT/pip.log" 2>&1 \
    || { echo "pip failed: $OUT/pip.log"; exit 1; }
fi
PY=$PEERS_VENV/bin/python
PORT=$PORT LATENCY_MS=$L "$PY" "$PEERS_DIR/fake_openai.py" >"$OUT/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$OUT"' EXIT
for _ in $(seq 50); do curl -s "localhost:$PORT/stats" >/dev/null && break; sleep 0.2; done
N=$(wc -l <"$PEERS_DIR/cases.jsonl")
limit=$(python3 -c "print(f'{$N*$L/1000/$C:.2f}')")
echo "cases=$N concurrency=$C latency=${L}ms limit(N*L/C)=${limit}s"
printf '%-14s %8s %8s %9s %9s\n' tool wall_s cpu_s rss_MB pct_limit
measure() {  # name, command...
  local name=$1; shift
  /usr/bin/time -o "$OUT/time.txt" -f "%e %U %S %M" "$@" >"$OUT/out.txt" 2>&1 || { cat "$OUT/out.txt"; exit 1; }
  read -r wall user sys rss < <(tail -1 "$OUT/time.txt")
  python3 -c "w=$wall;print(f'%-14s %8.2f %8.2f %9.0f %8.0f%%' % ('$name', w, $user+$sys, $rss/1024, 100*$limit/w))"
}
cd "$PEERS_DIR"
for _ in $(seq "$R"); do
  measure floor:aiohttp "$PY" minimal_variants.py aiohttp cases.jsonl "$C" "http://127.0.0.1:$PORT/v1"
  rm -f "$OUT"/evaltui.db*
  BENCH_API_KEY=dummy measure evaltui "$EVALTUI" run evaltui_suite.yaml --concurrency "$C" --no-cache --db "$OUT/evaltui.db"
done
