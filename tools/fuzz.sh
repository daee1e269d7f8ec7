#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# fuzz.sh [SECONDS] [BUILD_DIR]
#
# Run every libFuzzer target of tests/fuzz for SECONDS each (default 60) and
# report what it did: executions, libFuzzer's coverage figures (cov: edges
# reached, ft: features, corp: inputs kept) and, when llvm-cov is installed,
# the line coverage of the file each target is about, measured by replaying
# the corpus through a separate build instrumented for source coverage.
#
# BUILD_DIR (default build-fuzz, the one ./run test uses) is configured with
# clang and -Dfuzz=enabled if needed. Corpora grow in BUILD_DIR/fuzz-corpus/
# from one run to the next, starting from the committed seeds; crashes are
# written to BUILD_DIR/fuzz-artifacts/ and make the script exit 1.
set -euo pipefail

seconds=${1:-60}
top=$(cd "$(dirname "$0")/.." && pwd)
build=${2:-$top/build-fuzz}
cov_build=$build-cov

# target  the file it is about (for line coverage)
targets=(
	"kcs_sm lib/kcs_sm.c"
	"execute_reply daemon/execute_reply.c"
	"options daemon/options.c"
)

die() {
	echo "fuzz.sh: $*" >&2
	exit 1
}

case $seconds in
'' | *[!0-9]* | 0) die "SECONDS must be a positive integer, not '$seconds'" ;;
esac
command -v clang >/dev/null 2>&1 || die "clang is not installed (Debian: apt-get install clang libclang-rt-14-dev)"

# setup DIR OPTIONS...: configure DIR for the fuzzers unless it already is.
setup() {
	local dir=$1
	shift
	[ -f "$dir/build.ninja" ] && return 0
	# meson runs test programs: with source coverage they would leave default.profraw behind.
	CC=clang LLVM_PROFILE_FILE=/dev/null meson setup "$dir" "$top" -Dtests=enabled -Dfuzz=enabled "$@" >/dev/null ||
		die "meson setup $dir failed"
}

setup "$build" -Db_sanitize=address,undefined -Db_lundef=false
ninja -C "$build" fuzzers >/dev/null || die "build failed in $build"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
mkdir -p "$build/fuzz-artifacts"
failed=0
printf '%-14s %10s %8s %6s %7s %6s\n' target executions exec/s cov ft corpus
for t in "${targets[@]}"; do
	name=${t%% *}
	corpus=$build/fuzz-corpus/$name
	log=$build/fuzz-artifacts/$name.log
	mkdir -p "$corpus"
	rc=0
	"$build/tests/fuzz/fuzz_$name" -max_total_time="$seconds" -print_final_stats=1 \
		-artifact_prefix="$build/fuzz-artifacts/$name-" \
		"$corpus" "$top/tests/fuzz/corpus/$name" >"$log" 2>&1 || rc=$?
	# The last status line: "#N DONE cov: C ft: F corp: K/Sb ... exec/s: E ..."
	python3 - "$name" "$log" "$rc" <<'PY'
import re, sys
name, log, rc = sys.argv[1], sys.argv[2], int(sys.argv[3])
text = open(log, errors="replace").read()
status = [l for l in text.splitlines() if re.match(r"#\d+\s", l) and " cov: " in l]
execs = re.search(r"stat::number_of_executed_units:\s+(\d+)", text)
rate = re.search(r"stat::average_exec_per_sec:\s+(\d+)", text)
fig = dict(re.findall(r"(cov|ft|corp): (\S+)", status[-1])) if status else {}
print(f"{name:<14} {execs.group(1) if execs else '?':>10} {rate.group(1) if rate else '?':>8} "
      f"{fig.get('cov', '?'):>6} {fig.get('ft', '?'):>7} {fig.get('corp', '?').split('/')[0]:>6}"
      + ("" if rc == 0 else f"  CRASHED (exit {rc}): see {log}"))
PY
	[ "$rc" -eq 0 ] || failed=1
done

# Line coverage: replay each corpus once through a source-coverage build.
if command -v llvm-profdata >/dev/null 2>&1 && command -v llvm-cov >/dev/null 2>&1; then
	setup "$cov_build" -Dc_args='-fprofile-instr-generate -fcoverage-mapping' \
		-Dc_link_args=-fprofile-instr-generate
	ninja -C "$cov_build" fuzzers >/dev/null || die "build failed in $cov_build"
	echo
	printf '%-14s %-24s %s\n' target file 'lines covered'
	for t in "${targets[@]}"; do
		name=${t%% *} file=${t#* }
		bin=$cov_build/tests/fuzz/fuzz_$name
		prof=$cov_build/fuzz-$name
		empty=$(mktemp -d)
		rm -f "$prof".profraw
		LLVM_PROFILE_FILE=$prof.profraw "$bin" -runs=0 "$empty" "$build/fuzz-corpus/$name" \
			"$top/tests/fuzz/corpus/$name" >/dev/null 2>&1 || true
		rmdir "$empty"
		llvm-profdata merge -o "$prof.profdata" "$prof.profraw"
		llvm-cov export -summary-only -instr-profile="$prof.profdata" "$bin" |
			python3 -c '
import json, os, sys
name, file = sys.argv[1], sys.argv[2]
files = [f for f in json.load(sys.stdin)["data"][0]["files"]
         if os.path.normpath(f["filename"]).endswith("/" + file)]
lines = files[0]["summary"]["lines"] if files else {"covered": 0, "count": 0, "percent": 0}
covered, count, percent = lines["covered"], lines["count"], lines["percent"]
print(f"{name:<14} {file:<24} {covered}/{count} ({percent:.1f}%)")
' "$name" "$file"
	done
else
	echo "(llvm-profdata/llvm-cov not installed: no line coverage; Debian: apt-get install llvm)"
fi
exit "$failed"
