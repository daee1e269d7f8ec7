# shellcheck shell=bash
# SPDX-License-Identifier: Apache-2.0
# Helpers for scripts that need ipmi_sim behind ipmi-sim-bridge. Source it:
#
#   source tools/ipmi/sim-env.sh
#   bus=unix:path=...          # the D-Bus address the bridge should use
#   start_ipmi_sim "$tmp" "$build"
#
# start_ipmi_sim DIR BUILD_DIR [BRIDGE_OPTION...] starts ipmi_sim with the shipped
# configuration (tools/ipmi/sim/), its VM line on a free loopback port and
# its state in a fresh DIR/ipmi_sim-state, then ipmi-sim-bridge on $bus
# (with the extra options given, e.g. --timeout-ms 300), and returns once the bridge printed READY (at most 10 s). It appends both
# pids to the caller's `pids` array (for its cleanup trap) and sets
# IPMI_SIM_PID, IPMI_SIM_BRIDGE_PID and IPMI_SIM_PORT. Logs go to
# DIR/ipmi_sim.log and DIR/bridge.log. Returns 1 with a message on failure.
#
# run_ipmi_sim DIR (re)starts ipmi_sim alone, on the same port with a fresh
# state, e.g. after killing it to test the bridge's reconnect.

IPMI_SIM_ENV_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# A TCP port nobody listens on now (a race with other programs is possible,
# but a fresh ephemeral port is rarely taken back within a second).
ipmi_sim_free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])' 2>/dev/null || echo 9002
}

run_ipmi_sim() {
	local dir=${1:?run_ipmi_sim DIR}

	# a fresh state: ipmi_sim would otherwise add the SEL entries again
	rm -rf "$dir/ipmi_sim-state"
	mkdir -p "$dir/ipmi_sim-state"
	ipmi_sim -c "$dir/lan.conf" -f "$IPMI_SIM_ENV_DIR/sim/bmc.emu" -s "$dir/ipmi_sim-state" -n \
		>>"$dir/ipmi_sim.log" 2>&1 &
	IPMI_SIM_PID=$!
	pids+=("$IPMI_SIM_PID")
}

start_ipmi_sim() {
	local dir=${1:?start_ipmi_sim DIR BUILD_DIR} build=${2:?start_ipmi_sim DIR BUILD_DIR}
	local conf=$IPMI_SIM_ENV_DIR/sim deadline

	shift 2

	: "${bus:?start_ipmi_sim: set bus to the D-Bus address first}"
	command -v ipmi_sim >/dev/null || { echo "ipmi_sim not found (Debian: apt install openipmi)" >&2; return 1; }

	IPMI_SIM_PORT=$(ipmi_sim_free_port)
	sed -E "s/^([[:space:]]*serial 15 127\.0\.0\.1) [0-9]+/\1 $IPMI_SIM_PORT/" \
		"$conf/lan.conf" >"$dir/lan.conf"
	run_ipmi_sim "$dir"

	# The bridge retries until ipmi_sim listens, then prints READY.
	"$build/tools/ipmi/ipmi-sim-bridge" --bus "$bus" --port "$IPMI_SIM_PORT" "$@" \
		>"$dir/bridge.out" 2>"$dir/bridge.log" &
	IPMI_SIM_BRIDGE_PID=$!
	pids+=("$IPMI_SIM_BRIDGE_PID")

	deadline=$((SECONDS + 10))
	until grep -q READY "$dir/bridge.out" 2>/dev/null; do
		if ! kill -0 "$IPMI_SIM_PID" 2>/dev/null; then
			echo "ipmi_sim exited:" >&2; cat "$dir/ipmi_sim.log" >&2; return 1
		fi
		if ! kill -0 "$IPMI_SIM_BRIDGE_PID" 2>/dev/null; then
			echo "ipmi-sim-bridge exited:" >&2; cat "$dir/bridge.log" >&2; return 1
		fi
		if [ $SECONDS -ge $deadline ]; then
			echo "ipmi-sim-bridge not READY within 10 s:" >&2; cat "$dir/bridge.log" >&2; return 1
		fi
		sleep 0.05
	done
}
