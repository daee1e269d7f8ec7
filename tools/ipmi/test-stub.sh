#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# ipmi-stub on a private bus: its fixed answers, every fault it injects, a
# delayed call not holding up the next, --delay-ms, a clean SIGTERM with
# a call still unanswered, and an exit mid-call (30/08).
#
#   tools/ipmi/test-stub.sh PATH/TO/ipmi-stub
# Exit 77 (skipped) without dbus-daemon or busctl.
set -euo pipefail

stub=${1:?usage: test-stub.sh PATH/TO/ipmi-stub}
for tool in dbus-daemon busctl; do
	command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed"; exit 77; }
done

# shellcheck source=tools/lib.sh
source "$(dirname "$0")/../lib.sh"
tmp=$(mktemp -d /tmp/kcs-stub.XXXXXX)
pids=()
trap cleanup_started EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

wait_for_line() { # wait_for_line FILE TEXT PID [N]: until FILE holds N (1) lines with TEXT, at most 5 s
	local deadline=$((SECONDS + 5))
	until [ "$(grep -c "$2" "$1" 2>/dev/null)" -ge "${4:-1}" ]; do
		kill -0 "$3" 2>/dev/null || fail "process $3 exited before printing $2"
		[ $SECONDS -lt $deadline ] || fail "no $2 in $1 within 5 s"
		sleep 0.02
	done
}

start_private_bus "$tmp" || fail "the private dbus-daemon did not start"

start_stub() { # start_stub [OPTION...]: sets stub_pid once READY
	"$stub" --bus "$bus" "$@" >"$tmp/stub.out" 2>"$tmp/stub.log" &
	stub_pid=$!
	pids+=("$stub_pid")
	wait_for_line "$tmp/stub.out" READY "$stub_pid"
}

execute() { # execute NETFN CMD DATA-LEN DATA...
	busctl --address="$bus" --timeout=5 call xyz.openbmc_project.Ipmi.Host /xyz/openbmc_project/Ipmi \
		xyz.openbmc_project.Ipmi.Server execute 'yyyaya{sv}' "$1" 0 "${@:2}" 0
}

expect() { # expect LABEL "REPLY" NETFN CMD DATA-LEN DATA...
	local label=$1 want=$2 got
	shift 2
	got=$(execute "$@" 2>&1) || fail "$label: call failed: $got"
	[ "$got" = "$want" ] || fail "$label: got '$got', want '$want'"
	echo "$label: $got"
}

expect_error() { # expect_error LABEL "TEXT IN THE ERROR" NETFN CMD DATA-LEN DATA...
	local label=$1 want=$2 got
	shift 2
	if got=$(execute "$@" 2>&1); then fail "$label: succeeded: $got"; fi
	[[ "$got" == *"$want"* ]] || fail "$label: got '$got', want '*$want*'"
	echo "$label: $got"
}

ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

start_stub --log-level debug

expect "Get Device ID" "yyyyay 7 0 1 0 15 32 1 1 0 2 191 207 194 0 85 75 0 0 0 0" 6 1 0
expect "Get Self Test Results" "yyyyay 7 0 4 0 2 85 0" 6 4 0
expect "unknown command" "yyyyay 11 0 64 193 0" 0x0a 0x40 0
expect "echo" "yyyyay 49 0 1 0 4 160 161 170 0" 0x30 1 4 0xa0 0xa1 0xaa 0
expect "echo, nothing" "yyyyay 49 0 1 0 0" 0x30 1 0
expect "oversized reply" "yyyyay 49 0 6 0 5 0 1 2 3 4" 0x30 6 2 5 0
expect "oversized reply, short request" "yyyyay 49 0 6 199 0" 0x30 6 1 5
expect "delay, short request" "yyyyay 49 0 2 199 0" 0x30 2 0
expect "unknown OEM command" "yyyyay 49 0 9 193 0" 0x30 9 0
expect_error "D-Bus error" "injected failure" 0x30 3 0
expect_error "ServiceUnknown from the stub itself" "injected ServiceUnknown" 0x30 7 0
expect "malformed reply" 's "not an IPMI response"' 0x30 5 0
big=$(execute 0x30 6 2 0x2c 0x01) || fail "300-byte reply failed"
[ "$(echo "$big" | wc -w)" = $((6 + 300)) ] || fail "300-byte reply: $big"
echo "300-byte reply: $(echo "$big" | cut -c1-40)..."

# The LUN comes back as sent.
got=$(busctl --address="$bus" call xyz.openbmc_project.Ipmi.Host /xyz/openbmc_project/Ipmi \
	xyz.openbmc_project.Ipmi.Server execute 'yyyaya{sv}' 6 3 4 0 0)
[ "$got" = "yyyyay 7 3 4 0 2 85 0" ] || fail "LUN 3: $got"

# A 1 s delayed call does not hold up a call made after it.
start=$(date +%s%N)
execute 0x30 2 2 0xe8 0x03 >"$tmp/delayed" &
delayed=$!
expect "while a delayed call waits" "yyyyay 7 0 4 0 2 85 0" 6 4 0
fast=$(ms_since "$start")
wait "$delayed" || fail "the delayed call failed"
slow=$(ms_since "$start")
[ "$(cat "$tmp/delayed")" = "yyyyay 49 0 2 0 2 232 3" ] || fail "delayed reply: $(cat "$tmp/delayed")"
if [ "$fast" -ge 1000 ] || [ "$slow" -lt 1000 ]; then
	fail "delayed call ${slow} ms, the other ${fast} ms"
fi
echo "delay 1000 ms: answered after ${slow} ms; a later call after ${fast} ms"

# Never answered: the caller times out.
if got=$(busctl --address="$bus" --timeout=0.3 call xyz.openbmc_project.Ipmi.Host \
	/xyz/openbmc_project/Ipmi xyz.openbmc_project.Ipmi.Server execute 'yyyaya{sv}' 0x30 0 4 0 0 2>&1); then
	fail "never-answered call returned: $got"
fi
echo "never answered: $got"

# The name is taken: a second stub fails.
if "$stub" --bus "$bus" >/dev/null 2>"$tmp/second.log"; then fail "a second stub started"; fi
grep -q "already owned" "$tmp/second.log" || fail "second stub: $(cat "$tmp/second.log")"

# SIGTERM with a call still unanswered: exit 0.
execute 0x30 4 0 >/dev/null 2>&1 &
pending=$!
# the second call of 0x30/0x04 (the first one timed out above) reached the stub
wait_for_line "$tmp/stub.log" "netfn 0x30 lun 0 cmd 0x04" "$stub_pid" 2
kill -TERM "$stub_pid"
wait "$stub_pid" || fail "stub exited $? on SIGTERM"
wait "$pending" && fail "the unanswered call succeeded"
echo "SIGTERM with a call pending: exit 0"

# --delay-ms applies to every reply.
start_stub --delay-ms 200
start=$(date +%s%N)
expect "--delay-ms 200" "yyyyay 7 0 4 0 2 85 0" 6 4 0
[ "$(ms_since "$start")" -ge 200 ] || fail "--delay-ms 200 answered after $(ms_since "$start") ms"
kill -TERM "$stub_pid"
wait "$stub_pid" || fail "stub exited $? on SIGTERM"

# 30/08: the stub dies with the call unanswered; the caller hears it from the bus.
start_stub
expect_error "exit mid-call" "disconnected from message bus without replying" 0x30 8 0
wait "$stub_pid" || fail "stub exited $? after 30/08"

# Usage errors exit 2.
set +e
"$stub" --delay-ms soon >/dev/null 2>&1; [ $? = 2 ] || fail "--delay-ms soon did not exit 2"
"$stub" extra >/dev/null 2>&1; [ $? = 2 ] || fail "an extra argument did not exit 2"
set -e
echo "PASS"
