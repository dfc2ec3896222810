#!/bin/bash
# Instructions the server executes per read by id, counted by valgrind's callgrind (not seconds: on a shared VM
# the count moves far less than req/s, as long as the machine is not saturated while it runs).
#
#   bench/read-instructions.sh ROOT DATABASE PORT USER|none OUT [confide start flags...]
#
# ROOT: a checkout (this one, or a worktree of another commit) whose `confide start` is run under valgrind with
# `node --single-threaded` (no background compiler or GC threads) on the PostgreSQL database DATABASE (already
# seeded: `confide seed`); USER: the account whose token the reads carry (`none`: no Authorization header, for a
# commit from before authentication). Warm-up of WARMUP reads (default 30,000: with 1,500, half of the counted
# instructions were still V8 compiling the request path; with 30,000 about a fifth, see the compilation share that
# lib/callgrind-functions.mjs prints), counters zeroed, N reads (default 1,000) from 4 connections, dump; then the
# counters again over IDLE seconds (default 20) with no load: the server's own timers, to subtract. Prints both
# totals; OUT.<pid>.* are callgrind's files. With BENCH_SERVER_NODE_ARGS=--perf-basic-prof, the instructions per
# function (JIT code named): node bench/lib/callgrind-functions.mjs OUT.<pid>.1 /tmp/perf-<pid>.map --per N
# (valgrind's pid is node's). The warm-up takes 6-8 minutes under valgrind.
set -euo pipefail
ROOT=$1; DB=$2; PORT=$3; WHO=$4; OUT=$5; shift 5
HERE=$(cd "$(dirname "$0")" && pwd)
URL=postgres://postgres@127.0.0.1:5432/$DB
cd "$ROOT"
DATABASE_URL=$URL valgrind --tool=callgrind --callgrind-out-file="$OUT.%p" node --single-threaded ${BENCH_SERVER_NODE_ARGS:-} apps/cli/bin/confide.js start --port "$PORT" --no-demo "$@" > "$OUT.log" 2>&1 &
for _ in $(seq 1 400); do curl -s -m 2 "http://127.0.0.1:$PORT/healthz" > /dev/null && break; sleep 1; done
TOKEN=none
if [ "$WHO" != none ]; then
  DATABASE_URL=$URL node apps/cli/bin/confide.js token --user "$WHO" --ttl 7200 --public-url "http://127.0.0.1:$PORT" 2> /dev/null | tail -1 > "$OUT.token"
  TOKEN=$OUT.token
fi
psql -h 127.0.0.1 -U postgres -d "$DB" -Atc 'SELECT id FROM "Observation" LIMIT 500' > "$OUT.ids"
PID=$(pgrep -f "valgrind.bin --tool=callgrind.*--port $PORT" | head -1)
IDS=$OUT.ids node "$HERE/lib/keepalive-reads.mjs" "$PORT" "${WARMUP:-30000}" "$TOKEN" 4
callgrind_control -z "$PID" > /dev/null
IDS=$OUT.ids node "$HERE/lib/keepalive-reads.mjs" "$PORT" "${N:-1000}" "$TOKEN" 4
callgrind_control -d "$PID" > /dev/null
sleep 2
callgrind_control -z "$PID" > /dev/null
sleep "${IDLE:-20}"
callgrind_control -d "$PID" > /dev/null
sleep 2
kill "$PID"
sleep 2
for f in $(ls "$OUT.$PID".* | sort -t. -k3 -n); do grep -h '^summary' "$f"; done
