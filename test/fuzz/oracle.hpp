// What the fuzz targets accept: the documented errors are expected answers to bad input; any
// other exception is a finding, reported with its type and message before aborting, so that
// libFuzzer keeps the input as a crash.
#pragma once

#include <perdure/payload.hpp>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <typeinfo>

namespace perdure::fuzz {

/// Call from a catch (...) block: reports the exception being handled and aborts.
[[noreturn]] inline void unexpected_exception(const char* target) {
    try {
        throw;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "\n%s: FINDING: an undocumented exception escaped: %s: %s\n", target,
                     detail::demangle(typeid(e)).c_str(), e.what());
    } catch (...) {
        std::fprintf(stderr, "\n%s: FINDING: an exception that is not a std::exception escaped\n", target);
    }
    std::abort();
}

/// Aborts with `what` when `ok` is false: a broken property, kept by libFuzzer as a crash.
inline void check(bool ok, const char* target, const char* what) {
    if (ok) return;
    std::fprintf(stderr, "\n%s: FINDING: %s\n", target, what);
    std::abort();
}

}   // namespace perdure::fuzz
