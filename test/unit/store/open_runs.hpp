// A store's open runs all at once, for the tests that look at them (the engine takes them one at
// a time).
#pragma once

#include "store/store.hpp"

#include <vector>

namespace perdure::test {

inline std::vector<detail::open_run_row> every_open_run(detail::store_reads& reads) {
    std::vector<detail::open_run_row> all;
    reads.open_runs([&](detail::open_run_row row) { all.push_back(std::move(row)); });
    return all;
}

}   // namespace perdure::test
