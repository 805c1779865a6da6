#!/bin/sh
# Compile-time checks. Usage: check.sh CHECK CXX INCLUDE_DIR
#   await-guard   forbidden awaits fail with the fixed static_assert message; allowed ones compile
#   payload-guard a payload type Boost.JSON cannot convert fails with one short error naming the
#                 remedy; every kind of payload perdure accepts compiles
#   gcc12         perdure.hpp refuses g++ < 13 unless PERDURE_ALLOW_GCC12 is defined
#   headers       every public header compiles on its own, warning-free, and the headers a
#                 workflow includes pull in no Asio; the engine's internals are out of reach;
#                 members named like perdure types leave the types usable (with g++ too, when
#                 installed: it refuses a class that uses a name as a type and then redeclares it)
set -u
check=$1
cxx=$2
inc=$3
here=$(cd "$(dirname "$0")" && pwd)
flags="-std=c++20 -fsyntax-only -Wall -Wextra -Wpedantic -I$inc"
failed=0

fail() {
    echo "FAIL: $*"
    failed=1
}

expect_error() {   # file message [extra flags]
    file=$1
    message=$2
    shift 2
    if out=$($cxx $flags "$@" "$file" 2>&1); then
        fail "$file compiled but must not"
    elif ! printf '%s' "$out" | grep -qF -- "$message"; then
        fail "$file failed without the message: $message"
        printf '%s\n' "$out" | head -20
    else
        echo "ok: $(basename "$file") refused with the expected message"
    fi
}

expect_short_error() {   # file message max_lines
    expect_error "$1" "$2"
    lines=$($cxx $flags "$1" 2>&1 | wc -l)
    errors=$($cxx $flags "$1" 2>&1 | grep -c "error:")
    if [ "$lines" -gt "$3" ] || [ "$errors" -ne 1 ]; then
        fail "$1: $errors errors in $lines lines of compiler output; one error in at most $3 lines expected"
    else
        echo "ok: $(basename "$1") gives one error in $lines lines"
    fi
}

expect_compiles() {   # file
    if out=$($cxx $flags -Werror "$1" 2>&1); then
        echo "ok: $(basename "$1") compiles"
    else
        fail "$(basename "$1") does not compile"
        printf '%s\n' "$out" | head -30
    fi
}

case $check in
await-guard)
    msg="perdure: workflow code may only co_await perdure awaitables"
    expect_error "$here/forbidden_asio_awaitable.cpp" "$msg"
    expect_error "$here/forbidden_suspend_always.cpp" "$msg"
    expect_compiles "$here/allowed_awaits.cpp"
    ;;
payload-guard)
    msg="perdure payloads convert through Boost.JSON, and this type (or a type it holds) does not:"
    msg="$msg describe it with BOOST_DESCRIBE_STRUCT"
    expect_short_error "$here/forbidden_payload.cpp" "$msg" 30
    expect_short_error "$here/forbidden_payload_member.cpp" "$msg" 30
    expect_compiles "$here/allowed_payloads.cpp"
    ;;
gcc12)
    as_gcc12="-U__clang__ -U__GNUC__ -D__GNUC__=12 -Wno-builtin-macro-redefined -Wno-macro-redefined"
    expect_error "$here/gcc12.cpp" "g++ older than 13 destroys temporaries inside co_await expressions twice" $as_gcc12
    out=$($cxx $flags $as_gcc12 -DPERDURE_ALLOW_GCC12 "$here/gcc12.cpp" 2>&1)
    if printf '%s' "$out" | grep -qF "g++ older than 13"; then
        fail "PERDURE_ALLOW_GCC12 did not lift the refusal"
    else
        echo "ok: PERDURE_ALLOW_GCC12 lifts the refusal"
    fi
    ;;
headers)
    for h in $(cd "$inc" && find perdure -name '*.hpp' | sort); do
        if out=$(printf '#include <%s>\n' "$h" | $cxx $flags -Werror -x c++ - 2>&1); then
            echo "ok: $h"
        else
            fail "$h does not compile on its own"
            printf '%s\n' "$out" | head -20
        fi
    done
    for h in perdure/perdure.hpp perdure/workflow_context.hpp perdure/future.hpp perdure/definitions.hpp; do
        if printf '#include <%s>\n' "$h" | $cxx -std=c++20 -I"$inc" -x c++ -M - 2>/dev/null | grep -q "boost/asio"; then
            fail "$h pulls in Asio"
        else
            echo "ok: $h includes no Asio"
        fi
    done
    expect_compiles "$here/member_type_names.cpp"
    if command -v g++ >/dev/null 2>&1; then
        for f in "$here/member_type_names.cpp" "$here/asio_header.cpp"; do
            if out=$(g++ $flags -Werror -DPERDURE_ALLOW_GCC12 "$f" 2>&1); then
                echo "ok: $(basename "$f") compiles with g++"
            else
                fail "$(basename "$f") does not compile with g++"
                printf '%s\n' "$out" | head -20
            fi
        done
    fi
    for reach in 'perdure::engine e; (void)e.core();' \
                 'perdure::engine e; auto c = e.client_for("x"); (void)c.core();' \
                 'perdure::client c(nullptr, "x");' \
                 'perdure::namespace_registry r(nullptr);' \
                 'perdure::nexus::operation_context ctx; (void)ctx.engine;'; do
        if printf '#include <perdure/perdure.hpp>\nvoid f() { %s }\n' "$reach" | $cxx $flags -x c++ - >/dev/null 2>&1; then
            fail "the public API reaches the engine core: $reach"
        else
            echo "ok: refused: $reach"
        fi
    done
    ;;
*)
    echo "unknown check $check"
    exit 2
    ;;
esac
exit $failed
