// The runs the engine tracks (open ones, and closed ones until their waiters are answered), by
// run key and, while open, by workflow id; and the cache of their live instances, least
// recently used first. Strand only.
#pragma once

#include "runtime/run_state.hpp"
#include "store/rows.hpp"
#include "support/unique_function.hpp"

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <string_view>
#include <unordered_map>

namespace perdure::detail {

class run_table {
public:
    using runs_by_key = std::unordered_map<std::int64_t, std::unique_ptr<run_state>>;

    run_state* find(std::int64_t run_key);
    bool contains(std::int64_t run_key) const { return runs_.contains(run_key); }
    /// The open run of a workflow id, if any.
    run_state* find_open(std::int64_t ns_id, std::string_view workflow_id);
    /// Tracks a new or recovered run, as the open run of its workflow id. Its namespace and
    /// workflow id must not change while it is tracked: the index keys on a view of them.
    run_state& add(std::unique_ptr<run_state> r);
    /// Forgets a closed run whose waiters were answered.
    void erase(std::int64_t run_key);
    /// Forgets every run: they are another engine's now.
    void clear();
    const runs_by_key& all() const noexcept { return runs_; }

    /// Where keys for new runs come from: blocks the store hands out, unique across the engines
    /// sharing it. Asked for the first block when the first run is created.
    void take_keys_from(unique_function<key_block()> source) { key_source_ = std::move(source); }
    /// A key for a new run. Throws what the key source throws (a store that cannot be reached).
    std::int64_t next_key();

    // ---- the instance cache ----
    /// The run's instance was used: most recently used now, and its size counted again.
    void touch(run_state& r);
    /// Destroys the run's instance (rebuilt by replay when needed).
    void drop_instance(run_state& r);
    /// Drops least recently used instances while the cache is over `max_instances` or
    /// `max_bytes`, skipping those `may_drop` refuses, looking at a bounded number per call.
    template <class Predicate>
    void evict(std::size_t max_instances, std::size_t max_bytes, Predicate may_drop);
    std::size_t live_instances() const noexcept { return live_instances_; }

private:
    struct open_key {
        std::int64_t ns_id;
        std::string_view workflow_id;   // points into the run's own run_state
        bool operator==(const open_key&) const = default;
    };
    struct open_key_hash {
        std::size_t operator()(const open_key& k) const noexcept {
            return std::hash<std::string_view>{}(k.workflow_id) ^
                   (static_cast<std::size_t>(k.ns_id) * 0x9e3779b97f4a7c15ull);
        }
    };
    static constexpr std::size_t eviction_scan_limit = 64;

    runs_by_key runs_;
    std::unordered_map<open_key, std::int64_t, open_key_hash> open_;
    unique_function<key_block()> key_source_;
    key_block keys_{};   // what is left of the current block
    std::list<std::int64_t> lru_;
    std::size_t live_instances_ = 0;
    std::size_t live_bytes_ = 0;
};

template <class Predicate>
void run_table::evict(std::size_t max_instances, std::size_t max_bytes, Predicate may_drop) {
    std::size_t scanned = 0;
    auto it = lru_.begin();
    while ((live_instances_ > max_instances || live_bytes_ > max_bytes) && it != lru_.end() &&
           scanned++ < eviction_scan_limit) {
        auto* r = find(*it);
        ++it;
        if (r && may_drop(*r)) drop_instance(*r);
    }
}

}   // namespace perdure::detail
