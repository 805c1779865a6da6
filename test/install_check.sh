#!/bin/sh
# meson install puts the headers, the library and perdure.pc in place, and a user's program
# builds against them with pkg-config alone; the installed perdure and perdure-bench start from
# their own bin/ without LD_LIBRARY_PATH, whatever the prefix.
# Usage: install_check.sh BUILD_DIR CXX SOURCE EXTRA_FLAGS TOOL...  (the build's sanitizer flags, if any;
# the installed programs to start)
set -eu
build=$1
cxx=$2
source=$3
extra=${4:-}
shift 4
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
meson install -C "$build" --destdir "$dest" --no-rebuild --quiet >/dev/null
pc=$(find "$dest" -name perdure.pc | head -n 1)
[ -n "$pc" ] || { echo "FAIL: perdure.pc was not installed"; exit 1; }
prefix=$(sed -n 's/^prefix=//p' "$pc")
export PKG_CONFIG_PATH=$(dirname "$pc")
export PKG_CONFIG_SYSROOT_DIR=$dest
flags=$(pkg-config --cflags --libs perdure)
libdir=$(dirname "$(find "$dest" -name 'libperdure.so*' | head -n 1)")
$cxx -std=c++20 $extra $flags "$source" -o "$dest/hello"
cd "$dest"
LD_LIBRARY_PATH="$libdir" ./hello hello.db >/dev/null
for tool in "$@"; do
    bin=$(find "$dest" -path "*/bin/$tool" | head -n 1)
    [ -n "$bin" ] || { echo "FAIL: $tool was not installed"; exit 1; }
    "$bin" --help >/dev/null || { echo "FAIL: the installed $tool does not start"; exit 1; }
done
echo "ok: installed under $prefix, built with pkg-config --cflags --libs perdure, ran"
