#!/bin/sh
# perdure works as a Meson subproject: a consumer's dependency('perdure') falls back to the
# subproject's perdure_dep, with its tests, examples and benchmarks off. Configures the
# consumer only: compiling the library a second time would say nothing new.
# Usage: subproject_check.sh SOURCE_ROOT CXX
set -eu
src=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/app/subprojects"
ln -s "$src" "$work/app/subprojects/perdure"
cp "$src/examples/hello/hello.cpp" "$work/app/app.cpp"
cat >"$work/app/meson.build" <<'MESON'
project('app', 'cpp', default_options : ['cpp_std=c++20'])
perdure_dep = dependency('perdure', fallback : ['perdure', 'perdure_dep'],
  default_options : ['tests=false', 'examples=false', 'benchmarks=false'])
executable('app', 'app.cpp', dependencies : perdure_dep)
MESON
CXX="$2" meson setup "$work/app/build" "$work/app" --wrap-mode=nodownload >"$work/setup.log" 2>&1 ||
    { cat "$work/setup.log"; exit 1; }
grep -q "Subproject perdure finished" "$work/setup.log" || { cat "$work/setup.log"; echo "FAIL: perdure was not used as a subproject"; exit 1; }
echo "ok: dependency('perdure') resolved through the subproject"
