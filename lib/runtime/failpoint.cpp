// Crash points.
#include "runtime/failpoint.hpp"

#include <csignal>
#include <cstdlib>
#include <cstring>

namespace perdure::detail {

void failpoint(const char* name) noexcept {
    static const char* armed = std::getenv("PERDURE_FAILPOINT");
    if (armed && std::strcmp(armed, name) == 0) std::raise(SIGKILL);
}

}   // namespace perdure::detail
