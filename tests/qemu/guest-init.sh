#!/bin/busybox sh
# SPDX-License-Identifier: Apache-2.0
# /init of the QEMU test guest (busybox). It loads uio_pdrv_genirq, starts a
# private dbus-daemon and ipmi-stub, then takes commands from the console,
# one a line: "ID COMMAND [WORD [ARG...]]". The lines it prints for the host
# start with "@@" (test_qemu.py reads them):
#   @@up                    ready for commands
#   @@fail REASON           set-up failed; the guest powers off
#   @@done ID rc=N          command ID finished with status N
#   @@pid TAG N             kcs-uiod TAG runs as pid N
#   @@ready TAG             kcs-uiod TAG logged that it is ready
#   @@exit TAG rc=N         kcs-uiod TAG exited with status N
# Commands: start TAG ARGS... (kcs-uiod --chip ast2600 ARGS --bus BUS, known
# as TAG), stop TAG (SIGTERM), kill TAG SIGNAL, sms CH set|clear, irqs NAME
# (the UIO device's line of /proc/interrupts), uioread NAME (one read of its
# interrupt count), poweroff.
# Programs' logs go to the console prefixed "kcsTAG: ", "stub: ", "dbus: ".

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
for name in kcs1 kcs2 kcs3 kcs4 kcs-polled; do
	grep -qx "$name" /sys/class/uio/uio*/name 2>/dev/null ||
		fail "no UIO device named $name in /sys/class/uio (overlay not applied or driver not bound)"
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

# start_daemon TAG ARGS: ARGS split into words on purpose
start_daemon() {
	local tag=$1 args=$2
	{
		# shellcheck disable=SC2086
		kcs-uiod --chip ast2600 $args --bus "$bus" 2>&1 &
		echo $! >"/run/kcs$tag.pid"
		echo "@@pid $tag $!"
		wait $!
		echo "@@exit $tag rc=$?"
	} | while IFS= read -r line; do
		case $line in
		@@*) echo "$line" ;;
		*"Ready: "*) echo "kcs$tag: $line"; echo "@@ready $tag" ;;
		*) echo "kcs$tag: $line" ;;
		esac
	done &
}

# uio_read NAME: one read of the UIO device's interrupt count. It blocks on a
# device with an interrupt until the next one: meant for a device without,
# where uio_pdrv_genirq fails it at once.
uio_read() {
	local dir
	for dir in /sys/class/uio/uio*; do
		if [ "$(cat "$dir/name")" = "$1" ]; then
			dd if="/dev/${dir##*/}" of=/dev/null bs=4 count=1
			return
		fi
	done
	echo "no UIO device named $1"
	return 2
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
	start) start_daemon "$ch" "$arg"; rc=$? ;;
	stop) kill -TERM "$(cat "/run/kcs$ch.pid")"; rc=$? ;;
	kill) kill -"$arg" "$(cat "/run/kcs$ch.pid")"; rc=$? ;;
	sms) sms "$ch" "$arg"; rc=$? ;;
	irqs) grep " $ch\$" /proc/interrupts; rc=$? ;;
	uioread) uio_read "$ch" 2>&1; rc=$? ;;
	poweroff) echo "@@done $id rc=0"; poweroff_now ;;
	*) echo "unknown command '$cmd'"; rc=2 ;;
	esac
	echo "@@done $id rc=$rc"
done
fail "the console closed"
