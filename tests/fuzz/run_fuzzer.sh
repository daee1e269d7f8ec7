#!/bin/sh
# run_fuzzer.sh FUZZER SEEDS RUNS ARTIFACT_PREFIX: a short, repeatable libFuzzer
# run (fixed seed, fixed number of inputs) on top of the committed seed corpus.
# New inputs go to a temporary directory, never into the source tree; a crash
# leaves its input at ARTIFACT_PREFIXcrash-... and fails the test.
set -eu
fuzzer=$1 seeds=$2 runs=$3 prefix=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
exec_status=0
"$fuzzer" -seed=1 -runs="$runs" -artifact_prefix="$prefix" -print_final_stats=1 \
	"$work" "$seeds" || exec_status=$?
exit "$exec_status"
