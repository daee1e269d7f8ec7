#!/usr/bin/env bash
# Every documented build configuration configures and builds from a clean
# directory, and the --prefix=/usr one installs where a distribution expects:
#   defaults without cmocka (tests=auto: no tests, a message), --prefix=/usr,
#     built and installed into a DESTDIR;
#   -Dtests=disabled;
#   -Ddaemon=disabled -Dtests=disabled (library, device tree, service files, docs);
#   -Ddaemon=auto without libevent and libsystemd.
# A missing package is simulated with a pkg-config directory of links to
# every .pc file but the hidden ones, and CMake made unavailable to meson
# (it would otherwise find cmocka's or libevent's CMake files instead).
# Usage: build-configs.sh SRCDIR. Exit 77 (skip) without meson, ninja or pkg-config.
set -euo pipefail

src=$(cd "${1:?usage: build-configs.sh SRCDIR}" && pwd)
meson=${MESON:-meson}
for tool in "$meson" ninja pkg-config; do
	command -v "$tool" >/dev/null || { echo "SKIP: $tool not found"; exit 77; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/kcs-build-configs.XXXXXX")
trap 'rm -rf "$work"' EXIT
failed=0

fail() { echo "FAIL: $*"; failed=1; }

printf "[binaries]\ncmake = '/nonexistent/cmake'\n" >"$work/no-cmake.ini"

# pc_dir_without NAME...: a pkg-config directory with every .pc file but NAME.pc...
pc_dir_without() {
	local dir=$work/pc-without-$(IFS=-; echo "$*") d f name
	mkdir -p "$dir"
	IFS=: read -ra dirs <<<"${PKG_CONFIG_PATH:+$PKG_CONFIG_PATH:}$(pkg-config --variable pc_path pkg-config)"
	for d in "${dirs[@]}"; do
		for f in "$d"/*.pc; do
			[ -e "$f" ] || continue
			name=$(basename "$f" .pc)
			[[ " $* " == *" $name "* ]] && continue
			[ -e "$dir/$name.pc" ] || ln -s "$f" "$dir/$name.pc"
		done
	done
	echo "$dir"
}

# configure NAME PC_DIR ARGS...: meson setup into $work/NAME (log in NAME.log)
configure() {
	local name=$1 pcdir=$2
	shift 2
	if ! PKG_CONFIG_LIBDIR=$pcdir PKG_CONFIG_PATH='' \
		"$meson" setup --native-file "$work/no-cmake.ini" "$work/$name" "$src" "$@" \
		>"$work/$name.log" 2>&1; then
		cat "$work/$name.log"
		fail "$name: meson setup $*"
		return 1
	fi
}

build() {
	local name=$1
	if ! ninja -C "$work/$name" >>"$work/$name.log" 2>&1; then
		tail -40 "$work/$name.log"
		fail "$name: ninja"
		return 1
	fi
}

log_has() { grep -qF -- "$2" "$work/$1.log" || fail "$1: no '$2' in the meson output"; }
no_tests() {
	[ "$("$meson" introspect --tests "$work/$1")" = "[]" ] || fail "$1: tests were declared"
}
has_daemon() {
	"$meson" introspect --targets "$work/$1" | grep -q '"name": "kcs-uiod"'
}

all_pc=$(pc_dir_without)

name=defaults-no-cmocka
if configure $name "$(pc_dir_without cmocka)" --prefix=/usr && build $name; then
	log_has $name "cmocka not found: the test suite is not built"
	no_tests $name
	has_daemon $name || fail "$name: kcs-uiod not built"
	if DESTDIR="$work/destdir" "$meson" install -C "$work/$name" --no-rebuild \
		>>"$work/$name.log" 2>&1; then
		for f in usr/sbin/kcs-uiod usr/share/man/man8/kcs-uiod.8 \
			usr/share/kcs-uio/uio-dts/ast2600-kcs3-uio.dtsi usr/share/dbus-1/system.d/kcs-uiod.conf; do
			[ -e "$work/destdir/$f" ] || fail "$name: /$f not installed"
		done
	else
		fail "$name: meson install"
	fi
	echo "ok: $name (--prefix=/usr, installed)"
fi

name=tests-disabled
if configure $name "$all_pc" -Dtests=disabled && build $name; then
	no_tests $name
	has_daemon $name || fail "$name: kcs-uiod not built"
	echo "ok: $name"
fi

name=daemon-disabled
if configure $name "$all_pc" -Ddaemon=disabled -Dtests=disabled && build $name; then
	has_daemon $name && fail "$name: kcs-uiod built"
	echo "ok: $name"
fi

name=daemon-auto-no-libs
if configure $name "$(pc_dir_without libevent libsystemd)" -Ddaemon=auto -Dtests=disabled &&
	build $name; then
	log_has $name "libevent or libsystemd not found: kcs-uiod and the tools are not built"
	has_daemon $name && fail "$name: kcs-uiod built"
	echo "ok: $name"
fi

exit $failed
