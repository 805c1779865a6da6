#!/bin/sh
# Runs one example in a fresh temporary directory (its database goes there) and passes on its
# exit status.
set -eu
exe="$1"
shift
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
"$exe" "$@"
