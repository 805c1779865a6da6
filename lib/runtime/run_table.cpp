#include "runtime/run_table.hpp"

#include <perdure/error.hpp>

#include <algorithm>
#include <limits>

namespace perdure::detail {

run_state* run_table::find(std::int64_t run_key) {
    auto it = runs_.find(run_key);
    return it == runs_.end() ? nullptr : it->second.get();
}

run_state* run_table::find_open(std::int64_t ns_id, std::string_view workflow_id) {
    auto it = open_.find(open_key{ns_id, workflow_id});
    return it == open_.end() ? nullptr : find(it->second);
}

run_state& run_table::add(std::unique_ptr<run_state> owned) {
    auto& r = *owned;
    // A new run of a workflow id replaces the closed one still tracked: its key must point
    // into the new run's own id, which outlives the entry.
    open_.erase(open_key{r.ns_id, r.workflow_id});
    open_.emplace(open_key{r.ns_id, r.workflow_id}, r.run_key);
    runs_.emplace(r.run_key, std::move(owned));
    return r;
}

std::int64_t run_table::next_key() {
    if (keys_.first >= keys_.end) {
        if (!key_source_) throw failed_precondition("no source of keys for new runs");
        keys_ = key_source_();
        if (keys_.first >= keys_.end) throw failed_precondition("the store has no keys left for new runs");
    }
    return keys_.first++;
}

void run_table::erase(std::int64_t run_key) {
    auto it = runs_.find(run_key);
    if (it == runs_.end()) return;
    auto& r = *it->second;
    drop_instance(r);
    if (auto m = open_.find(open_key{r.ns_id, r.workflow_id}); m != open_.end() && m->second == run_key) open_.erase(m);
    runs_.erase(it);
}

void run_table::clear() {
    open_.clear();
    runs_.clear();
    lru_.clear();
    live_instances_ = 0;
    live_bytes_ = 0;
}

void run_table::touch(run_state& r) {
    if (!r.inst) return;
    if (r.in_lru) {
        lru_.splice(lru_.end(), lru_, r.lru);
    } else {
        lru_.push_back(r.run_key);
        r.lru = std::prev(lru_.end());
        r.in_lru = true;
        ++live_instances_;
    }
    live_bytes_ -= r.counted_bytes;
    r.counted_bytes = static_cast<std::uint32_t>(
        std::min<std::size_t>(r.inst->approximate_bytes(), std::numeric_limits<std::uint32_t>::max()));
    live_bytes_ += r.counted_bytes;
}

void run_table::drop_instance(run_state& r) {
    if (r.in_lru) {
        lru_.erase(r.lru);
        r.in_lru = false;
        --live_instances_;
        live_bytes_ -= r.counted_bytes;
        r.counted_bytes = 0;
    }
    r.inst.reset();
}

}   // namespace perdure::detail
