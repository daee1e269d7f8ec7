#!/bin/sh
# lib/ must stay free of I/O and OS headers so it runs anywhere the tests do:
# only C standard library headers and lib's own headers may be included,
# and no call that does I/O may appear.
set -eu
lib=${1:?usage: check_lib_headers.sh LIBDIR}
std='assert|ctype|errno|float|inttypes|limits|stdalign|stdarg|stdatomic|stdbool|stddef|stdint|stdio|stdlib|stdnoreturn|string'
bad=$(grep -HnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*<' "$lib"/*.c "$lib"/*.h |
	grep -vE "<($std)\.h>" || true)
if [ -n "$bad" ]; then
	echo "lib/ includes headers beyond the C standard library:" >&2
	echo "$bad" >&2
	exit 1
fi
io=$(grep -HnE '\b(open|read|write|mmap|ioctl|printf|fprintf|puts|fopen|malloc|calloc|free)[[:space:]]*\(' \
	"$lib"/*.c | grep -vE '^[^:]+:[0-9]+:[[:space:]]*(/\*|\*)' | grep -vE '\.(read|write)[[:space:]]*\(|->(read|write)[[:space:]]*\(' || true)
if [ -n "$io" ]; then
	echo "lib/ does I/O or allocates:" >&2
	echo "$io" >&2
	exit 1
fi
echo "lib/: C standard headers only, no I/O"
