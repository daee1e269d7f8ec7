#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Prepares the QEMU test bed in OUT (normally build/qemu):
#   OUT/sysroot/       Debian armhf packages unpacked (headers, libraries, guest programs)
#   OUT/cross.ini      meson cross file for that sysroot (absolute paths)
#   OUT/cross/         kcs-uiod and ipmi-stub cross-built for armhf
#   OUT/vmlinuz, OUT/modules/uio.ko, OUT/modules/uio_pdrv_genirq.ko
#   OUT/dts/base.dtb   aspeed-ast2600-evb.dts from the kernel source, with symbols
#   OUT/ast2600-evb-kcs-uio.dtb  that tree with all four KCS UIO overlays and
#                                tests/qemu/kcs-polled-uio.dtso (no interrupt)
#   OUT/debian-ast2600-evb.dtb   Debian's tree, without them
#   OUT/initramfs.gz   busybox, the programs, dbus-daemon, the guest script
# Downloads, the sysroot and the kernel pieces are made once (stamp files;
# remove OUT to start again, e.g. for a newer Debian kernel);
# the cross build, the device tree and the initramfs are brought up to date
# on every run, which takes seconds. Needs network access to the Debian
# archive on the first run only; the packages ./run installs (cross gcc,
# flex, bison, bc, cpio, libssl-dev, dtc) must be there.
#
# usage: tests/qemu/prepare.sh OUT
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/tests/qemu
[ $# -eq 1 ] || { echo "usage: $0 OUT" >&2; exit 2; }
mkdir -p "$1"
out=$(cd "$1" && pwd)
triplet=arm-linux-gnueabihf
cross_cc=$triplet-gcc

die() { printf 'prepare: %s\n' "$*" >&2; exit 1; }
say() { printf 'prepare: %s\n' "$*"; }

# run LOG CMD...: run CMD with its output in LOG; on failure show the log's end
run() {
	local log=$1; shift
	if ! "$@" >"$log" 2>&1; then
		tail -n 30 "$log" >&2
		die "'$*' failed (full log: $log)"
	fi
}

# Headers and libraries to build against (the sysroot), and what the guest
# runs besides: libsystemd's and dbus-daemon's dependencies, busybox.
sysroot_packages=(
	libc6 libc6-dev linux-libc-dev libgcc-s1
	libevent-dev libevent-2.1-7 libevent-core-2.1-7
	libsystemd-dev libsystemd0 libcap2 libgcrypt20 libgpg-error0 liblzma5 libzstd1 liblz4-1
	dbus-daemon dbus-bin libdbus-1-3 libexpat1 libapparmor1 libaudit1 libcap-ng0
	libselinux1 libpcre2-8-0
	busybox-static
)
# Architecture-independent: the session bus configuration the guest's bus uses
common_packages=(dbus-session-bus-common)

need_tools() {
	local t missing=()
	for t in "$cross_cc" apt-get apt-cache dpkg-deb flex bison bc cpio gzip xz \
		dtc fdtoverlay fdtget cpp readelf strings flock meson ninja make; do
		command -v "$t" >/dev/null || missing+=("$t")
	done
	[ ${#missing[@]} -eq 0 ] || die "missing tools: ${missing[*]} (./run test installs them)"
	dpkg --print-foreign-architectures | grep -qx armhf ||
		die "dpkg has no armhf architecture (dpkg --add-architecture armhf; apt-get update; ./run test does it)"
}

candidate() {
	apt-cache policy "$1" 2>/dev/null | sed -n 's/^  Candidate: //p'
}

# The kernel: the ABI that linux-image-armmp points to, whose version must be
# the version of linux-source-6.1 (the module is built from that source).
pick_kernel() {
	abi=$(apt-cache depends linux-image-armmp:armhf 2>/dev/null |
		sed -n 's/^ *Depends: linux-image-\(.*\)-armmp:armhf$/\1/p' | head -n 1)
	[ -n "$abi" ] || die "no linux-image-armmp:armhf in the package lists (apt-get update after dpkg --add-architecture armhf)"
	kversion=$(candidate "linux-image-$abi-armmp:armhf")
	local src hdr
	src=$(candidate linux-source-6.1)
	hdr=$(candidate "linux-headers-$abi-armmp:armhf")
	[ "$kversion" = "$src" ] && [ "$kversion" = "$hdr" ] ||
		die "versions differ: linux-image-$abi-armmp $kversion, linux-headers-$abi-armmp ${hdr:-none}, linux-source-6.1 ${src:-none}"
	krelease=$abi-armmp
}

# download DIR PACKAGE...: apt-get download into DIR once per package list
download() {
	local dir=$1; shift
	local want="$*"
	[ -f "$dir/.stamp" ] && [ "$(cat "$dir/.stamp")" = "$want" ] && return 0
	say "downloading ${#@} Debian packages into ${dir#"$out"/}"
	rm -rf "$dir"; mkdir -p "$dir"
	(cd "$dir" && run "$dir/../download.log" apt-get download "$@")
	printf '%s' "$want" >"$dir/.stamp"
}

# Absolute symlinks inside an unpacked tree point at the host's files:
# make them relative to the tree.
relativise_links() {
	local root=$1 link target
	find "$root" -type l | while read -r link; do
		target=$(readlink "$link")
		case $target in
		/*) ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$root$target")" "$link" ;;
		esac
	done
}

make_sysroot() {
	local debs=$out/debs/sysroot sysroot=$out/sysroot
	download "$debs" "${sysroot_packages[@]/%/:armhf}" "${common_packages[@]/%/:all}"
	[ -f "$sysroot/.stamp" ] && [ "$(cat "$sysroot/.stamp")" = "$(cat "$debs/.stamp")" ] && return 0
	say "unpacking the armhf sysroot"
	rm -rf "$sysroot"; mkdir -p "$sysroot"
	local deb
	for deb in "$debs"/*.deb; do
		dpkg-deb -x "$deb" "$sysroot" || die "cannot unpack $deb"
	done
	relativise_links "$sysroot"
	cp "$debs/.stamp" "$sysroot/.stamp"
}

write_cross_file() {
	local sysroot=$out/sysroot
	cat >"$out/cross.ini.new" <<EOF
# Generated by tests/qemu/prepare.sh: armhf against $sysroot
[binaries]
c = '$cross_cc'
ar = '$triplet-ar'
strip = '$triplet-strip'
pkgconfig = 'pkg-config'

[built-in options]
c_args = ['--sysroot=$sysroot']
c_link_args = ['--sysroot=$sysroot']

[properties]
sys_root = '$sysroot'
pkg_config_libdir = '$sysroot/usr/lib/$triplet/pkgconfig:$sysroot/usr/share/pkgconfig'

[host_machine]
system = 'linux'
cpu_family = 'arm'
cpu = 'armv7'
endian = 'little'
EOF
	if cmp -s "$out/cross.ini.new" "$out/cross.ini"; then
		rm "$out/cross.ini.new"
	else
		mv "$out/cross.ini.new" "$out/cross.ini"
	fi
}

# The trap: the cross compiler also knows /usr/include, where the amd64
# event-config.h lives. With --sysroot it must see the armhf one only.
check_sysroot_headers() {
	local sysroot=$out/sysroot
	echo '#include <event2/event-config.h>
_Static_assert(EVENT__SIZEOF_LONG == 4, "not the armhf event-config.h");
_Static_assert(sizeof(long) == 4, "not a 32-bit target");' |
		"$cross_cc" --sysroot="$sysroot" -x c -fsyntax-only - 2>"$out/header-check.log" ||
		{ cat "$out/header-check.log" >&2; die "the cross compiler does not use the sysroot's event-config.h"; }
}

cross_build() {
	local dir=$out/cross
	if [ ! -f "$dir/build.ninja" ]; then
		say "configuring the armhf cross build"
		rm -rf "$dir"
		run "$out/cross-setup.log" meson setup "$dir" "$top" --cross-file "$out/cross.ini" \
			-Dtests=disabled -Dbuildtype=debugoptimized
	fi
	run "$out/cross-build.log" meson compile -C "$dir" kcs-uiod ipmi-stub
	local exe
	for exe in kcs-uiod ipmi-stub; do
		cross_exe "$exe" >/dev/null
	done
}

# cross_exe NAME: the path of a cross-built program, checked to be ARM code
cross_exe() {
	local path
	path=$(find "$out/cross" -name "$1" -type f -perm -u+x -not -path '*/meson-*' | head -n 1)
	[ -n "$path" ] || die "the cross build made no $1"
	readelf -h "$path" | grep -q 'Machine: *ARM$' || die "$path is not an ARM program"
	echo "$path"
}

make_kernel() {
	local kdir=$out/kernel
	local debs=$out/debs/kernel
	if [ -f "$out/modules/.stamp" ] && [ -f "$out/dts/base.dtb" ]; then
		read -r krelease kversion <"$out/modules/.stamp"
		return 0
	fi
	pick_kernel
	download "$debs" "linux-image-$krelease:armhf" "linux-headers-$krelease:armhf" linux-source-6.1
	local want="$krelease $kversion"

	say "unpacking linux $kversion ($krelease) and its source"
	rm -rf "$kdir" "$out/modules"; mkdir -p "$kdir/image" "$kdir/headers" "$out/modules"
	dpkg-deb -x "$debs"/linux-image-*.deb "$kdir/image" || die "cannot unpack the kernel image"
	dpkg-deb -x "$debs"/linux-headers-*.deb "$kdir/headers" || die "cannot unpack the kernel headers"
	dpkg-deb --fsys-tarfile "$debs"/linux-source-6.1_*.deb |
		tar -xO ./usr/src/linux-source-6.1.tar.xz | tar -xJ -C "$kdir" ||
		die "cannot unpack linux-source-6.1"
	local src=$kdir/linux-source-6.1
	local hdr=$kdir/headers/usr/src/linux-headers-$krelease
	[ -f "$hdr/.config" ] || die "no .config in linux-headers-$krelease"

	# Debian does not build uio_pdrv_genirq. Build it from the same source
	# with Debian's configuration and symbol versions; the tools Debian's
	# amd64 kbuild package ships cannot post-process ARM modules, so the
	# source tree prepares its own.
	say "building uio_pdrv_genirq.ko for $krelease"
	cp "$hdr/.config" "$hdr/Module.symvers" "$src/"
	local kmake=(make -C "$src" ARCH=arm CROSS_COMPILE=$triplet- KERNELRELEASE="$krelease")
	run "$kdir/modules_prepare.log" "${kmake[@]}" olddefconfig modules_prepare
	mkdir -p "$kdir/uio_pdrv_genirq"
	cp "$src/drivers/uio/uio_pdrv_genirq.c" "$kdir/uio_pdrv_genirq/"
	echo 'obj-m := uio_pdrv_genirq.o' >"$kdir/uio_pdrv_genirq/Kbuild"
	run "$kdir/module.log" "${kmake[@]}" M="$kdir/uio_pdrv_genirq" modules

	local module uio
	module=$kdir/uio_pdrv_genirq/uio_pdrv_genirq.ko
	uio=$(find "$kdir/image/lib/modules/$krelease" -name 'uio.ko*' | head -n 1)
	[ -n "$uio" ] || die "linux-image-$krelease has no uio.ko"
	case $uio in
	*.xz) xz -dc "$uio" >"$out/modules/uio.ko" ;;
	*) cp "$uio" "$out/modules/uio.ko" ;;
	esac
	cp "$module" "$out/modules/"
	local magic
	magic=$(strings "$out/modules/uio.ko" | sed -n 's/^vermagic=//p')
	[ "$(strings "$module" | sed -n 's/^vermagic=//p')" = "$magic" ] ||
		die "uio_pdrv_genirq.ko's vermagic differs from uio.ko's ($magic)"
	cp "$kdir/image/boot/vmlinuz-$krelease" "$out/vmlinuz"
	# Debian's own tree, without symbols: the test of a guest without overlays
	cp "$kdir/image/usr/lib/linux-image-$krelease/aspeed-ast2600-evb.dtb" "$out/debian-ast2600-evb.dtb"
	make_base_dtb "$src"
	# What is left is 1.5 GB of unpacked source and packages nothing reads again.
	rm -rf "$src" "$kdir/image" "$kdir/headers" "$debs"
	echo "$want" >"$out/modules/.stamp"
}

# The EVB device tree from the kernel source SRC, with symbols so that
# overlays apply (the .dtb Debian ships has none).
make_base_dtb() {
	local src=$1 dts=$out/dts
	mkdir -p "$dts"
	cpp -nostdinc -I "$src/include" -I "$src/arch/arm/boot/dts" -undef -D__DTS__ \
		-x assembler-with-cpp "$src/arch/arm/boot/dts/aspeed-ast2600-evb.dts" >"$dts/base.dts" ||
		die "cannot preprocess aspeed-ast2600-evb.dts"
	run "$dts/dtc.log" dtc -@ -q -I dts -O dtb -o "$dts/base.dtb" "$dts/base.dts"
}

# The project's four AST2600 overlays applied to the base tree, and the
# test's interrupt-less node over the same page: the guest has UIO devices
# kcs1..kcs4 with their interrupts and kcs-polled without one.
make_dtb() {
	local dts=$out/dts n overlays=()
	for n in 1 2 3 4; do
		run "$dts/dtc.log" dtc -@ -q -I dts -O dtb -i "$top/uio-dts" -o "$dts/kcs$n.dtbo" \
			"$top/uio-dts/ast2600-kcs$n-uio.dtso"
		overlays+=("$dts/kcs$n.dtbo")
	done
	run "$dts/dtc.log" dtc -@ -q -I dts -O dtb -o "$dts/kcs-polled.dtbo" "$here/kcs-polled-uio.dtso"
	overlays+=("$dts/kcs-polled.dtbo")
	fdtoverlay -i "$dts/base.dtb" -o "$dts/all.dtb" "${overlays[@]}" 2>"$dts/fdtoverlay.log" ||
		{ cat "$dts/fdtoverlay.log" >&2; die "the uio-dts overlays do not apply to aspeed-ast2600-evb.dtb"; }
	local lpc=/ahb/apb/lpc@1e789000 node
	for n in 1 2 3 4 -polled; do
		node=$lpc/kcs$n-uio@0
		[ "$(fdtget "$dts/all.dtb" "$node" linux,uio-name 2>/dev/null)" = "kcs$n" ] ||
			die "the overlaid tree has no UIO node named kcs$n under the LPC controller"
	done
	! fdtget "$dts/all.dtb" "$lpc/kcs-polled-uio@0" interrupts >/dev/null 2>&1 ||
		die "the kcs-polled UIO node has an interrupts property"
	mv "$dts/all.dtb" "$out/ast2600-evb-kcs-uio.dtb"
}

# copy_lib ROOT NAME: a shared library from the sysroot into the guest's /lib
copy_lib() {
	local root=$1 name=$2 dir
	for dir in lib/$triplet usr/lib/$triplet lib; do
		if [ -e "$out/sysroot/$dir/$name" ]; then
			mkdir -p "$root/$dir"
			cp -L "$out/sysroot/$dir/$name" "$root/$dir/$name"
			return 0
		fi
	done
	die "no $name in the armhf sysroot (add its package to sysroot_packages)"
}

# copy_needed ROOT FILE: FILE's shared libraries, and theirs, into ROOT
copy_needed() {
	local root=$1 file=$2 lib
	for lib in $(readelf -d "$file" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
		if [ -z "$(find "$root/lib" "$root/usr/lib" -name "$lib" 2>/dev/null | head -n 1)" ]; then
			copy_lib "$root" "$lib"
			copy_needed "$root" "$(find "$root/lib" "$root/usr/lib" -name "$lib" | head -n 1)"
		fi
	done
}

make_initramfs() {
	local root=$out/initramfs sysroot=$out/sysroot
	rm -rf "$root"
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/lib,dev,proc,sys,run,tmp,etc,lib/modules}
	cp "$sysroot/bin/busybox" "$root/bin/busybox"
	cp "$(cross_exe kcs-uiod)" "$(cross_exe ipmi-stub)" "$root/usr/bin/"
	cp "$sysroot/usr/bin/dbus-daemon" "$sysroot/usr/bin/dbus-send" "$root/usr/bin/"
	mkdir -p "$root/usr/share/dbus-1"
	cp "$sysroot/usr/share/dbus-1/session.conf" "$root/usr/share/dbus-1/"
	local exe interp
	for exe in "$root"/usr/bin/*; do
		interp=$(readelf -l "$exe" | sed -n 's/.*Requesting program interpreter: \(.*\)]$/\1/p')
		[ -e "$root$interp" ] || cp -L "$sysroot$interp" "$root$interp" ||
			die "no $interp in the armhf sysroot"
		copy_needed "$root" "$exe"
	done
	cp "$out"/modules/*.ko "$root/lib/modules/"
	cp "$here/guest-init.sh" "$root/init"
	chmod 755 "$root/init"
	echo 'root:x:0:0:root:/:/bin/sh' >"$root/etc/passwd"
	echo 'root:x:0:' >"$root/etc/group"
	echo 0123456789abcdef0123456789abcdef >"$root/etc/machine-id"
	(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -1) >"$out/initramfs.gz.new" ||
		die "cannot pack the initramfs"
	mv "$out/initramfs.gz.new" "$out/initramfs.gz"
}

main() {
	need_tools
	exec 9>"$out/.lock"
	flock 9
	local start=$SECONDS
	make_sysroot
	write_cross_file
	check_sysroot_headers
	cross_build
	make_kernel
	make_dtb
	make_initramfs
	say "test bed ready in $((SECONDS - start)) s: $out (linux $krelease $kversion)"
}

main
