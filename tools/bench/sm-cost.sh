#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# sm-cost.sh [BUILD_DIR] [COUNT]
#
# The KCS state machine's cost in instructions (callgrind's Ir), which unlike
# a time does not depend on the machine or its load. Runs kcs_sm_bench
# (COUNT Get Device ID exchanges, default 100000) twice under callgrind:
#   - collecting only inside bench_exchange: one whole exchange, the host's
#     side and the in-memory registers included;
#   - collecting only inside kcs_sm_handle_irq and kcs_sm_respond: the state
#     machine itself (register accesses included, as silicon would have them).
#     The bench answers outside the request callback on purpose: a toggle
#     function called inside another would switch collection off again.
# Then divides by the exchanges and by the message bytes moved.
set -eu

build=${1:-build}
count=${2:-100000}
bench=$build/tools/bench/kcs_sm_bench

die() {
	echo "sm-cost.sh: $*" >&2
	exit 1
}

[ -x "$bench" ] || die "$bench not found; build first: meson setup $build && ninja -C $build"
command -v valgrind >/dev/null 2>&1 || die "valgrind is not installed (Debian: apt-get install valgrind)"
case $count in
'' | *[!0-9]*) die "COUNT must be a positive integer, not '$count'" ;;
esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# collect NAME FUNCTION...: total Ir collected inside the functions.
collect() {
	name=$1
	shift
	set -- $(for f in "$@"; do printf -- '--toggle-collect=%s ' "$f"; done)
	valgrind --tool=callgrind --callgrind-out-file="$tmp/$name.out" "$@" \
		"$bench" "$count" >"$tmp/$name.stdout" 2>"$tmp/$name.log" ||
		{ cat "$tmp/$name.log" >&2; die "kcs_sm_bench failed under callgrind"; }
	ir=$(sed -n 's/^\(totals\|summary\): *\([0-9][0-9]*\).*/\2/p' "$tmp/$name.out" | head -n 1)
	[ -n "$ir" ] && [ "$ir" -gt 0 ] || die "no instructions collected for $*: was kcs_sm_bench built with its symbols?"
	echo "$ir"
}

exchange_ir=$(collect exchange bench_exchange)
sm_ir=$(collect sm kcs_sm_handle_irq kcs_sm_respond)

field() {
	sed -n "s/^$1: *//p" "$tmp/exchange.stdout"
}
exchanges=$(field exchanges)
bytes=$(field 'message bytes per exchange')
irqs=$(field 'interrupts per exchange')
[ "$exchanges" = "$count" ] || die "kcs_sm_bench reported '$exchanges' exchanges, expected $count"

awk -v n="$exchanges" -v bytes="$bytes" -v irqs="$irqs" -v ex="$exchange_ir" -v sm="$sm_ir" 'BEGIN {
	printf "exchanges: %d (Get Device ID: request 2 bytes, response 18 bytes)\n", n
	printf "message bytes per exchange: %d\n", bytes
	printf "interrupts per exchange: %d\n", irqs
	printf "instructions per exchange: %.1f (bench_exchange: host side, registers and state machine)\n", ex / n
	printf "instructions per byte: %.1f\n", ex / n / bytes
	printf "state machine instructions per exchange: %.1f (kcs_sm_handle_irq + kcs_sm_respond)\n", sm / n
	printf "state machine instructions per byte: %.1f\n", sm / n / bytes
	printf "state machine instructions per interrupt: %.1f\n", sm / n / irqs
}'
