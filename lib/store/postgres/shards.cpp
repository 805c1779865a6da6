// The workflow-to-shard map (doc/storage.md, "PostgreSQL").
#include "store/postgres/shards.hpp"

namespace perdure::detail {

int shard_of(std::int64_t ns_id, std::string_view workflow_id, int shard_count) noexcept {
    std::uint64_t h = 14695981039346656037ull;
    const auto mix = [&h](unsigned char byte) {
        h ^= byte;
        h *= 1099511628211ull;
    };
    const auto ns = static_cast<std::uint64_t>(ns_id);
    for (int i = 0; i < 8; ++i) mix(static_cast<unsigned char>(ns >> (8 * i)));
    for (const char c : workflow_id) mix(static_cast<unsigned char>(c));
    return shard_count > 0 ? static_cast<int>(h % static_cast<std::uint64_t>(shard_count)) : 0;
}

}   // namespace perdure::detail
