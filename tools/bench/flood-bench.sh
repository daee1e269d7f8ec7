#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A hostile local user against kcs-uiod: dbus-flood calls what the shipped
# D-Bus policy lets everybody call on the channel object (GetAll,
# Introspect, Ping) from many connections, on a private dbus-daemon with
# the system bus defaults (deny by default, system limits) and the shipped
# policy, while a host runs Get Device ID through the simulated device.
# Prints the host's round trips before and during the flood (with the
# completion codes of failed ones), kcs-uiod's memory over time, and how
# long kcs-uiod takes to exit on SIGTERM in the middle of the flood.
# Asserts nothing.
#
#   tools/bench/flood-bench.sh BUILD_DIR [SECONDS] [CONNECTIONS]
#
# As root the flood runs as "nobody" (setpriv) and everything else as root;
# as another user everything runs as that user (the policy then lets the
# flood do more than it uses). KCS_UIOD=PATH measures another kcs-uiod (a
# build of an older commit, say) with this build's tools.
set -euo pipefail

build=$(cd "${1:?usage: flood-bench.sh BUILD_DIR [SECONDS] [CONNECTIONS]}" && pwd)
seconds=${2:-20}
connections=${3:-240}
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d /tmp/kcs-flood.XXXXXX)
pids=()

# shellcheck source=tools/lib.sh
source "$top/tools/lib.sh"
trap cleanup_started EXIT INT TERM

policy="$build/systemd/kcs-uiod.conf"
[ -f "$policy" ] || { echo "no $policy: build first" >&2; exit 1; }
me=$(id -un)
flood_as=()
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	flood_as=(setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups --)
	flood_user=nobody
else
	flood_user=$me
fi
chmod 755 "$tmp"  # the flood's user must reach the socket

sed -e "s|@SOCKET@|$tmp/bus|" -e "s|@POLICY@|$policy|" -e "s|@USER@|$me|" \
	"$top/tools/bench/system-like-bus.conf" >"$tmp/bus.conf"
dbus-daemon --config-file="$tmp/bus.conf" --nofork --print-address=3 3>"$tmp/bus.addr" 2>"$tmp/dbus.log" &
pids+=($!)
wait_for 5 "dbus-daemon's address" test -s "$tmp/bus.addr"
bus=$(head -n1 "$tmp/bus.addr")

"$build/tools/ipmi/ipmi-stub" --bus "$bus" >"$tmp/stub.out" 2>"$tmp/stub.log" &
pids+=($!)
wait_for 5 "ipmi-stub's READY" grep -q READY "$tmp/stub.out"

start_kcs_uiod "${KCS_UIOD:-$build/daemon/kcs-uiod}" "$tmp"

# A zombie still answers kill -0: look at its state.
running() { local s; s=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) && [ "$s" != Z ]; }
mem() { awk '/^VmRSS|^VmHWM/ { printf "%s %s kB  ", $1, $2 }' "/proc/$daemon/status"; }
host_bench() {
	# SIGINT ends the bench with what it has; the flood may stop the host cold.
	timeout -s INT "$1" "$build/tools/host/kcs-host" --sim "$tmp/kcs" bench --count 10000000 || true
}

echo "machine: $(nproc) CPUs, load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "kcs-uiod: ${KCS_UIOD:-$build/daemon/kcs-uiod}"
echo "flood: $connections connections as $flood_user, $seconds s; daemon and stub as $me"
echo "--- kcs-uiod at rest: $(mem)"
echo "--- host alone, 3 s"
host_bench 3

"${flood_as[@]}" "$build/tools/bench/dbus-flood" --bus "$bus" --channel ipmi_kcs3 \
	--connections "$connections" >"$tmp/flood.out" 2>"$tmp/flood.log" &
flood=$!
pids+=($flood)
if ! wait_for 60 "dbus-flood's READY" grep -q READY "$tmp/flood.out"; then
	cat "$tmp/flood.log" >&2
	exit 1
fi
echo "--- $(head -n1 "$tmp/flood.out")"
( for _ in $(seq "$seconds"); do sleep 1; echo "kcs-uiod: $(mem)"; done ) >"$tmp/mem.out" &
sampler=$!
echo "--- host during the flood, $seconds s"
host_bench "$seconds"
wait "$sampler" || true
echo "--- kcs-uiod memory, once a second during the flood"
cat "$tmp/mem.out"
echo "--- the flood as dbus-flood saw it (answers per second)"
tail -n +2 "$tmp/flood.out" | tail -n 5

echo "--- SIGTERM to kcs-uiod, flood still running"
start=$(date +%s%N)
kill -TERM "$daemon"
limit=$((SECONDS + 300))
while running "$daemon" && [ $SECONDS -lt $limit ]; do
	sleep 0.01
done
if running "$daemon"; then
	echo "kcs-uiod still running after 300 s: SIGKILL"
	kill -KILL "$daemon"
fi
end=$(date +%s%N)
wait "$daemon" && rc=0 || rc=$?
awk -v ns=$((end - start)) -v rc="$rc" 'BEGIN { printf "kcs-uiod exited %d, %.2f s after SIGTERM\n", rc, ns / 1e9 }'
echo "--- kcs-uiod's warnings (first 5 of $(grep -c . "$tmp/daemon.log" || true) lines)"
head -n 5 "$tmp/daemon.log"
