#!/usr/bin/env bash
# The demo behind `./run demo`: a host sends real IPMI requests through
# simulated KCS hardware, kcs-uiod, a private D-Bus bus and OpenIPMI's
# ipmi_sim, and everything it starts is stopped and removed again, also on
# Ctrl-C.
#
#   tools/demo.sh BUILD_DIR
set -euo pipefail

build=$(cd "${1:?usage: demo.sh BUILD_DIR}" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d /tmp/kcs-demo.XXXXXX)
pids=()
channel=ipmi_kcs3
svc=xyz.openbmc_project.Ipmi.Channel.$channel
obj=/xyz/openbmc_project/Ipmi/Channel/$channel

# shellcheck source=tools/lib.sh
source "$top/tools/lib.sh"
trap cleanup_started EXIT
trap 'echo; echo "interrupted: stopping everything"; exit 130' INT TERM

if [ -t 1 ]; then bold=$'\e[1m'; dim=$'\e[2m'; off=$'\e[0m'; else bold= dim= off=; fi
step() { printf '\n%s== %s%s\n' "$bold" "$*" "$off"; }
show() { printf '%s$ %s%s\n' "$dim" "$*" "$off"; }

host() { "$build/tools/host/kcs-host" --sim "$tmp/kcs" "$@"; }

# host_raw TITLE NETFN CMD [DATA...]: one request, its answer in $cc/$data
host_raw() {
	local title=$1 out; shift
	show "kcs-host raw $*"
	out=$(host raw "$@") || true
	cc=$(sed -n 's/^cc 0x\([0-9a-f]*\):.*/\1/p' <<<"$out")
	data=$(sed -n 's/^data: *//p' <<<"$out")
	sed -e 's/^data:$/data: (none)/' -e 's/^/   /' <<<"$out"
	[ -n "$cc" ] || { echo "demo: $title got no answer" >&2; return 1; }
}

byte() { local a=($data); printf '%d' "0x${a[$1]}"; }

step "Starting a private D-Bus bus, ipmi_sim with the bridge, and kcs-uiod"
start_private_bus "$tmp"
echo "   bus:      $bus"

# shellcheck source=ipmi/sim-env.sh
source "$top/tools/ipmi/sim-env.sh"
start_ipmi_sim "$tmp" "$build"
echo "   ipmi_sim: pid $IPMI_SIM_PID, VM serial line on 127.0.0.1:$IPMI_SIM_PORT"
echo "   bridge:   pid $IPMI_SIM_BRIDGE_PID owns xyz.openbmc_project.Ipmi.Host"

show "kcs-uiod --sim $tmp/kcs --chip ast2600 --channel 3:$channel,addr=0xca2 --bus \$bus"
"$build/daemon/kcs-uiod" --sim "$tmp/kcs" --chip ast2600 --channel "3:$channel,addr=0xca2" \
	--bus "$bus" 2>"$tmp/daemon.log" &
daemon=$!
pids+=($daemon)
wait_for 5 "kcs-uiod to own $svc" busctl --address="$bus" status "$svc"
echo "   kcs-uiod: pid $daemon owns $svc"
sed 's/^<[0-9]>/   log: /' "$tmp/daemon.log"

step "The host reads the KCS status register"
show "kcs-host status"
host status | sed 's/^/   /'
echo "   (ERROR state: kcs-uiod force-aborts at start-up, as a freshly reset BMC does;"
echo "    the host's first transaction goes through the error exit)"

step "Get Device ID (NetFn App 0x06, Cmd 0x01)"
host_raw "Get Device ID" 06 01
printf '   device id 0x%02x, revision %d, firmware %d.%02x, IPMI %d.%d\n' \
	"$(byte 0)" $(($(byte 1) & 0x0f)) $(($(byte 2) & 0x7f)) "$(byte 3)" \
	$(($(byte 4) & 0x0f)) $(($(byte 4) >> 4))
printf '   manufacturer %d, product 0x%04x\n' \
	$(($(byte 6) | $(byte 7) << 8 | ($(byte 8) & 0x0f) << 16)) $(($(byte 9) | $(byte 10) << 8))

step "Get Self Test Results (0x06/0x04)"
host_raw "Get Self Test Results" 06 04
[ "$cc" != 00 ] || case "$(byte 0)" in
	85) echo "   0x55: no error, all self tests passed" ;;
	*) echo "   result byte $(byte 0)" ;;
esac

step "Get SEL Info (NetFn Storage 0x0A, Cmd 0x40)"
host_raw "Get SEL Info" 0a 40
printf '   SEL version %d.%d, %d entries, %d bytes free\n' \
	$(($(byte 0) & 0x0f)) $(($(byte 0) >> 4)) $(($(byte 1) | $(byte 2) << 8)) \
	$(($(byte 3) | $(byte 4) << 8))

step "FRU 0: inventory area, then its first 16 bytes"
host_raw "Get FRU Inventory Area Info" 0a 10 00
printf '   FRU area %d bytes, accessed by %s\n' $(($(byte 0) | $(byte 1) << 8)) \
	"$( (($(byte 2) & 1)) && echo words || echo bytes)"
host_raw "Read FRU Data" 0a 11 00 00 00 10
printf '   %d bytes read; common header format version %d\n' "$(byte 0)" "$(byte 1)"

step "An unknown command (0x06/0x99)"
host_raw "unknown command" 06 99

step "SMS attention: set and cleared by the BMC over D-Bus"
show "busctl call $svc $obj xyz.openbmc_project.Ipmi.Channel.SMS setAttention"
busctl --address="$bus" call "$svc" "$obj" xyz.openbmc_project.Ipmi.Channel.SMS setAttention
host status | sed 's/^/   /'
show "busctl call ... clearAttention"
busctl --address="$bus" call "$svc" "$obj" xyz.openbmc_project.Ipmi.Channel.SMS clearAttention
host status | sed 's/^/   /'

step "The host aborts (the KCS error exit), then carries on"
show "kcs-host abort"
host abort | sed 's/^/   /'
host_raw "Get Device ID after the abort" 06 01

step "kcs-uiod's counters for $channel"
props=(Requests Responses HostAborts Restarts LengthErrors IllegalCodes StaleResponses
       UpstreamTimeouts UpstreamNoService UpstreamServiceErrors ForceAborts SpuriousInterrupts)
values=($(busctl --address="$bus" get-property "$svc" "$obj" org.kcs_uio.Channel1 "${props[@]}" |
	awk '{ print $2 }'))
for i in "${!props[@]}"; do printf '   %-22s %s\n' "${props[$i]}" "${values[$i]}"; done

step "Stopping"
kill -TERM "$daemon"
wait "$daemon" && echo "   kcs-uiod exited 0"
pids=("${pids[@]/$daemon}")
host status | sed 's/^/   after SIGTERM: /'
echo
echo "Done: every process started here is stopped and $tmp is removed."
