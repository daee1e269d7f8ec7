#!/bin/busybox sh
# SPDX-License-Identifier: Apache-2.0
# /init of the QEMU test guest (busybox). It loads uio_pdrv_genirq, starts a
# private dbus-daemon and ipmi-stub, then takes commands from the console,
# one a line: "ID COMMAND [CH [ARG]]". The lines it prints for the host
# start with "@@" (test_qemu.py reads them):
#   @@up                    ready for commands
#   @@fail REASON           set-up failed; the guest powers off
#   @@done ID rc=N          command ID finished with status N
#   @@ready CH              kcs-uiod on channel CH logged that it is ready
#   @@exit CH rc=N          kcs-uiod on channel CH exited with status N
# Commands: start CH, stop CH (SIGTERM), kill CH SIGNAL, sms CH set|clear,
# irqs CH (its line of /proc/interrupts), poweroff.
# Programs' logs go to the console prefixed "kcsCH: ", "stub: ", "dbus: ".

/bin/busybox --install -s /bin
export PATH=/usr/bin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /run /tmp
stty -echo 2>/dev/null
# Kernel messages below warnings would cut into the lines for the host.
echo 4 >/proc/sys/kernel/printk

bus=unix:path=/run/kcs-bus

poweroff_now() {
	sync
	reboot -f
}

fail() {
	echo "@@fail $*"
	poweroff_now
}

# prefix TAG [FIFO WORD]: copy stdin to the console, each line prefixed;
# the first line equal to WORD is reported by a line written into FIFO
prefix() {
	while IFS= read -r line; do
		echo "$1: $line"
		if [ -n "${3:-}" ] && [ "$line" = "$3" ]; then
			echo "$line" >"$2"
		fi
	done
}

insmod /lib/modules/uio.ko || fail "insmod uio.ko failed"
insmod /lib/modules/uio_pdrv_genirq.ko of_id=generic-uio ||
	fail "insmod uio_pdrv_genirq.ko of_id=generic-uio failed"
for ch in 1 2 3 4; do
	grep -qx "kcs$ch" /sys/class/uio/uio*/name 2>/dev/null ||
		fail "no UIO device named kcs$ch in /sys/class/uio (overlay not applied or driver not bound)"
done
grep . /sys/class/uio/uio*/name
grep kcs /proc/interrupts

# Readiness is a line in a FIFO, read here: dbus-daemon prints its address
# once it listens, ipmi-stub prints READY once it owns its name.
mkfifo /run/bus.ready /run/stub.ready
dbus-daemon --session --address="$bus" --nofork --print-address=3 3>/run/bus.ready 2>&1 |
	prefix dbus &
read -r address </run/bus.ready || fail "dbus-daemon did not start"
echo "dbus: listening on $address"

{
	{ ipmi-stub --bus "$bus" 2>&1; echo "exited with status $?"; } | prefix stub /run/stub.ready READY
	echo exited >/run/stub.ready
} &
read -r word </run/stub.ready
[ "$word" = READY ] || fail "ipmi-stub exited before it was ready"

start_daemon() {
	local ch=$1
	{
		kcs-uiod --uio "kcs$ch" --chip ast2600 --channel "$ch:ipmi_kcs$ch" --bus "$bus" 2>&1 &
		echo $! >"/run/kcs$ch.pid"
		wait $!
		echo "@@exit $ch rc=$?"
	} | while IFS= read -r line; do
		case $line in
		@@*) echo "$line" ;;
		*"Ready: "*) echo "kcs$ch: $line"; echo "@@ready $ch" ;;
		*) echo "kcs$ch: $line" ;;
		esac
	done &
}

sms() {
	local name=ipmi_kcs$1 method
	case $2 in
	set) method=setAttention ;;
	clear) method=clearAttention ;;
	*) echo "sms: set or clear, not '$2'"; return 2 ;;
	esac
	dbus-send --bus="$bus" --print-reply --dest="xyz.openbmc_project.Ipmi.Channel.$name" \
		"/xyz/openbmc_project/Ipmi/Channel/$name" "xyz.openbmc_project.Ipmi.Channel.SMS.$method"
}

echo "@@up"
while read -r id cmd ch arg; do
	case $cmd in
	start) start_daemon "$ch"; rc=$? ;;
	stop) kill -TERM "$(cat "/run/kcs$ch.pid")"; rc=$? ;;
	kill) kill -"$arg" "$(cat "/run/kcs$ch.pid")"; rc=$? ;;
	sms) sms "$ch" "$arg"; rc=$? ;;
	irqs) grep " kcs$ch\$" /proc/interrupts; rc=$? ;;
	poweroff) echo "@@done $id rc=0"; poweroff_now ;;
	*) echo "unknown command '$cmd'"; rc=2 ;;
	esac
	echo "@@done $id rc=$rc"
done
fail "the console closed"
