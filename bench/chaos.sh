#!/usr/bin/env bash
# Durability under SIGKILL with the reviewers' chaos.mjs (../shared/bench): side-by-side's
# gateway (20 readers, 2,000 residents) behind a mosquitto with mosquitto-durable.conf's
# settings on a free port; ROUNDS SIGKILLs under 20,000 reads each; the journal read back
# read-only. Prints chaos.mjs's JSON line; exit 0 when no acknowledged read is missing or
# journaled twice. After `npm run build`:  bench/chaos.sh [ROUNDS] [WORKDIR]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED_BENCH:-$ROOT/../shared/bench}
ROUNDS=${1:-5}
OUT=${2:-$(mktemp -d /tmp/chaos-XXXXXX)}
[ -f "$SHARED/chaos.mjs" ] || { echo "chaos.mjs not found in $SHARED (set SHARED_BENCH)" >&2; exit 2; }
rm -rf "$OUT/gw" && mkdir -p "$OUT/gw"
PORT=$((20000 + RANDOM % 20000)); HTTP=$((40000 + RANDOM % 20000))
sed "s/^listener .*/listener $PORT 127.0.0.1/" "$SHARED/mosquitto-durable.conf" > "$OUT/mosquitto.conf"
mosquitto -c "$OUT/mosquitto.conf" > "$OUT/mosquitto.log" 2>&1 &
MQ=$!
trap 'kill $MQ 2>/dev/null || true' EXIT
cd "$ROOT"
CFG=$(node --input-type=module -e "
import { sideBySideGateway } from '$ROOT/dist/bench/sbs-gateway.js';
console.log(sideBySideGateway('$OUT/gw', { estateId: 'SH-CHAOS', estateName: '断电测试', gatewayId: 'gw-chaos',
  httpPort: $HTTP, mqttUrl: 'mqtt://127.0.0.1:$PORT', residents: 2000 }));")
READERS=$(node -e "console.log(Array.from({ length: 20 }, (_, i) => 'L' + String(i).padStart(2, '0')).join(','))")
EXPORT="node -e \"const D = require('$ROOT/node_modules/better-sqlite3'); const db = new D('$OUT/gw/gateway.db', { readonly: true });
for (const r of db.prepare('SELECT reader_id, record_id FROM journal').iterate()) console.log(JSON.stringify({ reader: r.reader_id, recordId: r.record_id }));\""
node "$SHARED/chaos.mjs" --url "mqtt://127.0.0.1:$PORT" --reader-ids "$READERS" --rounds "$ROUNDS" --ready-s 120 \
  --start "node --max-semi-space-size=4 --max-old-space-size=256 $ROOT/dist/cli/main.js run --config $CFG" \
  --export "$EXPORT"
