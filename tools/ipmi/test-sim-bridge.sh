#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# ipmi_sim, with the shipped configuration, behind ipmi-sim-bridge on a
# private bus: the answers of the simulated BMC come back through execute,
# calls queue while one is in flight, a stalled ipmi_sim times out, and the
# bridge reconnects after ipmi_sim restarts.
#
#   tools/ipmi/test-sim-bridge.sh BUILD_DIR
# Exit 77 (skipped) without ipmi_sim, dbus-daemon or busctl.
set -euo pipefail

build=$(cd "${1:?usage: test-sim-bridge.sh BUILD_DIR}" && pwd)
for tool in ipmi_sim dbus-daemon busctl python3; do
	command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed"; exit 77; }
done

# shellcheck source=tools/lib.sh
source "$(dirname "$0")/../lib.sh"
tmp=$(mktemp -d /tmp/kcs-sim-bridge.XXXXXX)
pids=()
# cleanup_started also resumes an ipmi_sim a test left stopped
trap cleanup_started EXIT

fail() {
	echo "FAIL: $*" >&2
	echo "--- bridge log" >&2; cat "$tmp/bridge.log" >&2 || true
	exit 1
}

start_private_bus "$tmp" || fail "the private dbus-daemon did not start"

# shellcheck source=tools/ipmi/sim-env.sh
source "$(dirname "$0")/sim-env.sh"
start_ipmi_sim "$tmp" "$build" --timeout-ms 300 || fail "ipmi_sim and the bridge did not start"

execute() { # execute NETFN CMD DATA-LEN DATA...: print the reply, busctl's exit code
	busctl --address="$bus" --timeout=5 call xyz.openbmc_project.Ipmi.Host /xyz/openbmc_project/Ipmi \
		xyz.openbmc_project.Ipmi.Server execute 'yyyaya{sv}' "$1" 0 "${@:2}" 0
}

expect() { # expect LABEL "REPLY PREFIX" NETFN CMD DATA-LEN DATA...
	local label=$1 want=$2 got
	shift 2
	got=$(execute "$@" 2>&1) || fail "$label: call failed: $got"
	echo "$label: $got"
	[[ "$got" == "$want"* ]] || fail "$label: want '$want...'"
}

# The configuration in tools/ipmi/sim/bmc.emu, as it comes back.
expect "Get Device ID" \
	"yyyyay 7 0 1 0 15 32 1 1 0 2 191 207 194 0 83 75 0 0 0 0" 6 1 0
# ipmi_sim 2.0.33 has no Get Self Test Results: the bridge answers "passed".
expect "Get Self Test Results" "yyyyay 7 0 4 0 2 85 0" 6 4 0
expect "Get SEL Info (3 entries)" "yyyyay 11 0 64 0 14 81 3 0 " 0x0a 0x40 0
expect "Get SDR Repository Info (3 records)" "yyyyay 11 0 32 0 14 81 3 0 " 0x0a 0x20 0
expect "Get FRU Inventory Area Info (256 bytes)" "yyyyay 11 0 16 0 3 0 1 0" 0x0a 0x10 1 0
expect "Read FRU Data (common header)" \
	"yyyyay 11 0 17 0 9 8 1 0 0 1 7 0 0 247" 0x0a 0x11 4 0 0 0 8
expect "Get Sensor Reading 1 (40 C)" "yyyyay 5 0 45 0 4 40 " 4 0x2d 1 1
expect "unknown command" "yyyyay 7 0 153 193 0" 6 0x99 0
# More data than ipmi_sim accepts is refused by the bridge, not dropped.
mapfile -t ones < <(yes 1 | head -n 256)
expect "256 data bytes" "yyyyay 49 0 1 199 0" 0x30 1 256 "${ones[@]}"

# Calls arriving while one is in flight wait their turn.
callers=()
for i in $(seq 10); do
	execute 6 1 0 >"$tmp/queued.$i" 2>&1 &
	callers+=($!)
done
for p in "${callers[@]}"; do wait "$p" || fail "a queued call failed: $(cat "$tmp"/queued.*)"; done
[ "$(cat "$tmp"/queued.* | sort -u | wc -l)" = 1 ] || fail "queued calls differ: $(cat "$tmp"/queued.*)"
echo "10 concurrent calls: all answered"

# A stalled ipmi_sim: the call fails after --timeout-ms, and the late answer
# (released with SIGCONT) does not end up as the answer to the next call.
kill -STOP "$IPMI_SIM_PID"
if got=$(execute 6 1 0 2>&1); then fail "call to a stopped ipmi_sim succeeded: $got"; fi
[[ "$got" == *"did not answer within 300 ms"* ]] || fail "stopped ipmi_sim: $got"
echo "stopped ipmi_sim: $got"
kill -CONT "$IPMI_SIM_PID"
expect "after SIGCONT, Get SEL Info" "yyyyay 11 0 64 0 14 81 3 0 " 0x0a 0x40 0
grep -q "Dropped a late answer" "$tmp/bridge.log" || fail "the late answer was not dropped"

# ipmi_sim goes away: calls fail at once; it comes back: the bridge reconnects.
kill "$IPMI_SIM_PID"
wait "$IPMI_SIM_PID" 2>/dev/null || true
if got=$(execute 6 1 0 2>&1); then fail "call without ipmi_sim succeeded: $got"; fi
echo "ipmi_sim gone: $got"
run_ipmi_sim "$tmp"
wait_for 10 "the bridge to reconnect" execute 6 1 0 || fail "the bridge did not reconnect within 10 s"
expect "after reconnect, Get Device ID" "yyyyay 7 0 1 0 15 32 " 6 1 0

kill -TERM "$IPMI_SIM_BRIDGE_PID"
wait "$IPMI_SIM_BRIDGE_PID" || fail "the bridge exited $? on SIGTERM"
echo "PASS"
