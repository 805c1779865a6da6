// The options a store test opens its file with: no fsync, since no test here outlives a power loss.
#pragma once

#include <perdure/engine_options.hpp>

#include <string>

namespace perdure::test {

inline engine_options store_options(const std::string& path) {
    engine_options o;
    o.database = path;
    o.durability = durability::off;
    return o;
}

}   // namespace perdure::test
