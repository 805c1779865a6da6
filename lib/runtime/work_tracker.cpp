// Descriptions of outstanding work.
#include "runtime/work_tracker.hpp"

namespace perdure::detail {

std::string work_tracker::holders() const {
    static constexpr const char* names[kinds] = {"strand tasks", "uncommitted writes", "running activities",
                                                 "history reads", "running Nexus handlers"};
    std::string out;
    for (int k = 0; k < kinds; ++k)
        if (const long n = counts_[k].load(); n != 0)
            out += (out.empty() ? "" : ", ") + std::to_string(n) + " " + names[k];
    return out.empty() ? "nothing" : out;
}

}   // namespace perdure::detail
