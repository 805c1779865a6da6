// Named crash points for durability tests: when the environment variable PERDURE_FAILPOINT
// names a point, the process kills itself (SIGKILL) on reaching it. Unset, it costs one
// comparison.
#pragma once

namespace perdure::detail {

void failpoint(const char* name) noexcept;

}   // namespace perdure::detail
