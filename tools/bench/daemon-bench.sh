#!/usr/bin/env bash
# Round trips through the whole daemon path, with the daemon's CPU cost:
#   kcs-host -> simulated registers -> kcs-uiod -> private dbus-daemon -> backend
# next to a direct D-Bus execute loop to the same backend (the difference is
# what KCS handling adds). Prints figures; asserts nothing.
#
#   tools/bench/daemon-bench.sh BUILD_DIR [COUNT] [BACKEND]
#   BACKEND: stub (default: tools/ipmi/ipmi-stub) or sim (ipmi_sim via the bridge;
#   2-byte requests only: ipmi_sim has no echo command for the large ones)
set -euo pipefail

build=$(cd "${1:?usage: daemon-bench.sh BUILD_DIR [COUNT] [stub|sim]}" && pwd)
count=${2:-2000}
backend=${3:-stub}
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d /tmp/kcs-bench.XXXXXX)
pids=()

# shellcheck source=tools/lib.sh
source "$top/tools/lib.sh"
trap cleanup_started EXIT INT TERM

start_private_bus "$tmp"

sizes=(2 250)
case "$backend" in
stub)
	"$build/tools/ipmi/ipmi-stub" --bus "$bus" >"$tmp/stub.out" &
	pids+=($!)
	wait_for 5 "ipmi-stub's READY" grep -q READY "$tmp/stub.out"
	;;
sim)
	source "$top/tools/ipmi/sim-env.sh"
	start_ipmi_sim "$tmp" "$build"
	sizes=(2)
	;;
*) echo "unknown backend $backend" >&2; exit 2 ;;
esac

start_kcs_uiod "$build/daemon/kcs-uiod" "$tmp"

# CPU time (user + system) the scheduler gave the process, in nanoseconds.
cpu_ns() { awk '{ print $1 }' "/proc/$1/schedstat"; }

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "backend: $backend, $count round trips per run"
for size in "${sizes[@]}"; do
	before=$(cpu_ns "$daemon")
	echo "--- kcs-host bench, $size-byte requests (through KCS and kcs-uiod)"
	"$build/tools/host/kcs-host" --sim "$tmp/kcs" bench --count "$count" --size "$size"
	after=$(cpu_ns "$daemon")
	awk -v t=$((after - before)) -v n="$count" \
		'BEGIN { printf "kcs-uiod CPU: %.1f us per round trip (%.3f s in all)\n", t / 1e3 / n, t / 1e9 }'
	echo "--- execute-bench, $size-byte requests (direct D-Bus to the same backend)"
	"$build/tools/bench/execute-bench" --bus "$bus" --count "$count" --size "$size"
done
echo "--- kcs-uiod memory"
grep -E 'VmRSS|VmHWM' "/proc/$daemon/status"
