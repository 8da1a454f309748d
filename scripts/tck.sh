#!/usr/bin/env bash
# scripts/tck.sh: run the A2A TCK's mandatory tests over JSON-RPC against
# (a) a soisnode node and (b) a bare a2a-go v2 server with its in-memory
# store (testbed/a2agosut), and compare them (docs/a2a.md records a run).
#
#   scripts/tck.sh /path/to/a2a-tck      a checkout of github.com/a2aproject/a2a-tck
#                                        (docs/a2a.md names the commit last run)
#   TCK_DIR=/path/to/a2a-tck scripts/tck.sh
#   TCK_OUT=bin/tck                      where the two pytest logs are kept
#   TCK_PYTHON=python3                   a Python with the TCK's packages
#
# The TCK is Python. It needs pytest, pytest-asyncio, requests, httpx,
# jsonschema, PyYAML, python-dotenv, deepdiff, and grpcio with protobuf
# (one mandatory test module imports the TCK's gRPC client, and pytest
# then fails to collect it; no gRPC call is made): from PyPI into a venv,
# or from Debian
#   apt-get install python3-pytest python3-pytest-asyncio python3-requests \
#     python3-httpx python3-jsonschema python3-yaml python3-dotenv python3-deepdiff \
#     python3-grpcio python3-protobuf
# This script installs nothing itself.
#
# Both servers listen on 127.0.0.1 with a free port. The node runs on a
# fresh SQLite database with the built-in local agent, and the TCK sends
# its two headers (A2A_AUTH_HEADERS); the a2a-go server asks for none.
# The TCK is given http://127.0.0.1:PORT/a2a, the JSON-RPC endpoint of
# both. Exit status: 0 when the node has fewer failures than a2a-go and
# fails no test a2a-go passes, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

TCK_DIR=${1:-${TCK_DIR:-}}
if [[ -z "$TCK_DIR" || ! -d "$TCK_DIR/tests/mandatory" ]]; then
	echo "usage: scripts/tck.sh /path/to/a2a-tck (a checkout of github.com/a2aproject/a2a-tck)" >&2
	exit 2
fi
TCK_DIR=$(cd "$TCK_DIR" && pwd)
PY=${TCK_PYTHON:-python3}
OUT=${TCK_OUT:-bin/tck}
GO=${GO:-go}
if ! "$PY" -c 'import pytest, pytest_asyncio, requests, httpx, jsonschema, yaml, dotenv, deepdiff, grpc, google.protobuf' 2>/dev/null; then
	echo "scripts/tck.sh: $PY lacks the TCK's packages (see the comment at the top of this script)" >&2
	exit 2
fi

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

$GO build -o "$work/soisnode" ./cmd/soisnode
$GO build -o "$work/a2agosut" ./testbed/a2agosut

freeport() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
waitfor() { # url
	for _ in $(seq 1 100); do
		curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
		sleep 0.2
	done
	echo "scripts/tck.sh: $1 did not answer" >&2
	exit 1
}

# (b) the bare a2a-go server.
goport=$(freeport)
"$work/a2agosut" -listen "127.0.0.1:$goport" >"$OUT/a2agosut.log" 2>&1 &
pids+=($!)

# (a) the node: a new workspace on a fresh database, then serve.
nodeport=$(freeport)
export SOIS_DATABASE_URL="sqlite://$work/sois.db" SOIS_LISTEN="127.0.0.1:$nodeport" SOIS_PUBLIC_URL="http://127.0.0.1:$nodeport"
"$work/soisnode" init --json >"$work/creds.json"
"$work/soisnode" serve >"$OUT/soisnode.log" 2>&1 &
pids+=($!)
headers=$("$PY" -c 'import json,sys; c=json.load(open(sys.argv[1])); print(json.dumps({"Authorization": "Bearer "+c["token"], "X-Api-Key": c["api_key"]}))' "$work/creds.json")

waitfor "http://127.0.0.1:$goport/.well-known/agent-card.json"
waitfor "http://127.0.0.1:$nodeport/.well-known/agent-card.json"

# run NAME URL [auth headers]: the mandatory JSON-RPC category, as
# `run_tck.py --category mandatory --transports jsonrpc` selects it.
run() {
	local name=$1 url=$2 auth=${3:-}
	echo "== TCK mandatory (JSON-RPC) against $name at $url"
	(cd "$TCK_DIR" && env ${auth:+A2A_AUTH_HEADERS="$auth"} "$PY" -m pytest tests/mandatory/ \
		--sut-url="$url" --test-scope=all --transports jsonrpc \
		-m 'mandatory or mandatory_protocol or mandatory_jsonrpc' \
		-p no:cacheprovider -q -rA --tb=line >"$OUT/$name.txt" 2>&1) || true
	tail -n 1 "$OUT/$name.txt"
}
run a2a-go "http://127.0.0.1:$goport/a2a"
run soisnode "http://127.0.0.1:$nodeport/a2a" "$headers"

# outcomes NAME: "OUTCOME test-id" lines from pytest's -rA summary.
outcomes() { grep -E '^(PASSED|FAILED|ERROR) tests/' "$OUT/$1.txt" | awk '{print $1, $2}' | sort -u; }
# count NAME WORD: the number pytest's last line gives for WORD (passed, failed, ...).
count() { tail -n 1 "$OUT/$1.txt" | grep -oE "[0-9]+ $2" | grep -oE '[0-9]+' || echo 0; }
echo
printf '%-10s %7s %7s %7s %7s\n' server passed failed errors skipped
for s in a2a-go soisnode; do
	printf '%-10s %7s %7s %7s %7s\n' "$s" "$(count "$s" passed)" "$(count "$s" failed)" "$(count "$s" error)" "$(count "$s" skipped)"
done
theirs_passed=$(outcomes a2a-go | awk '$1=="PASSED"{print $2}' | sort)
ours_failed=$(outcomes soisnode | awk '$1!="PASSED"{print $2}' | sort)
regress=$(comm -12 <(echo "$theirs_passed") <(echo "$ours_failed") | sed '/^$/d')
echo
if [[ -n "$regress" ]]; then
	echo "failed on soisnode, passed on a2a-go:"
	echo "$regress" | sed 's/^/  /'
fi
echo "failed on soisnode only:"
comm -13 <(outcomes a2a-go | awk '$1!="PASSED"{print $2}' | sort) <(echo "$ours_failed") | sed '/^$/d; s/^/  /'
echo "failed on both:"
comm -12 <(outcomes a2a-go | awk '$1!="PASSED"{print $2}' | sort) <(echo "$ours_failed") | sed '/^$/d; s/^/  /'
echo "failed on a2a-go only:"
comm -23 <(outcomes a2a-go | awk '$1!="PASSED"{print $2}' | sort) <(echo "$ours_failed") | sed '/^$/d; s/^/  /'
echo "logs: $OUT/a2a-go.txt $OUT/soisnode.txt $OUT/soisnode.log"
ours=$(($(count soisnode failed) + $(count soisnode error)))
theirs=$(($(count a2a-go failed) + $(count a2a-go error)))
[[ -z "$regress" && $ours -lt $theirs ]]
