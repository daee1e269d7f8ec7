# shellcheck shell=bash
# SPDX-License-Identifier: Apache-2.0
# Helpers for the tools' scripts that start processes and a scratch
# directory, and must leave nothing behind. Source it, then:
#
#   tmp=$(mktemp -d /tmp/kcs-NAME.XXXXXX)
#   pids=()
#   trap cleanup_started EXIT
#   start_private_bus "$tmp"   # sets bus
#
# cleanup_started stops every pid in the caller's `pids` array (stopped
# ones too: SIGCONT first), waits for them and removes $tmp.
#
# wait_for SECONDS WHAT CMD... runs CMD (quietly) every 50 ms until it
# succeeds; after SECONDS it says what it waited for and returns 1.
#
# start_private_bus DIR starts a dbus-daemon of its own on DIR/bus (log:
# DIR/dbus.log), appends its pid to `pids`, and sets `bus` to its address
# once it printed one (at most 5 s; else returns 1 with a message).
#
# start_kcs_uiod KCS_UIOD DIR starts kcs-uiod serving ast2600 channel 3 as
# ipmi_kcs3 on the simulated device DIR/kcs and on $bus (log: DIR/daemon.log,
# warnings and worse), appends its pid to `pids`, sets `daemon` to it, and
# returns once it owns its bus name (at most 5 s).

cleanup_started() {
	local p
	for p in "${pids[@]}"; do kill -CONT "$p" 2>/dev/null || true; kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "${tmp:?}"
}

wait_for() {
	local deadline=$((SECONDS + $1)) seconds=$1 what=$2
	shift 2
	until "$@" >/dev/null 2>&1; do
		if [ $SECONDS -ge $deadline ]; then
			echo "timed out after $seconds s waiting for $what" >&2
			return 1
		fi
		sleep 0.05
	done
}

start_private_bus() {
	local dir=${1:?start_private_bus DIR}

	dbus-daemon --session --nofork --print-address=3 --address="unix:path=$dir/bus" \
		3>"$dir/bus.addr" 2>"$dir/dbus.log" &
	pids+=($!)
	if ! wait_for 5 "dbus-daemon's address in $dir/bus.addr" test -s "$dir/bus.addr"; then
		cat "$dir/dbus.log" >&2
		return 1
	fi
	# shellcheck disable=SC2034 # for the caller
	bus=$(head -n1 "$dir/bus.addr")
}

start_kcs_uiod() {
	local kcs_uiod=${1:?start_kcs_uiod KCS_UIOD DIR} dir=${2:?start_kcs_uiod KCS_UIOD DIR}

	"$kcs_uiod" --sim "$dir/kcs" --chip ast2600 --channel 3:ipmi_kcs3 \
		--bus "$bus" --log-level warning 2>"$dir/daemon.log" &
	daemon=$!
	pids+=("$daemon")
	wait_for 5 "kcs-uiod to own xyz.openbmc_project.Ipmi.Channel.ipmi_kcs3" \
		busctl --address="$bus" status xyz.openbmc_project.Ipmi.Channel.ipmi_kcs3
}
