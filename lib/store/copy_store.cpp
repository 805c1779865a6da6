// Everything goes through the store interface, so any two stores copy into each other.
#include "store/copy_store.hpp"

#include "store/store.hpp"

#include <perdure/error.hpp>

#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace perdure::detail {
namespace {

/// Units of this many writes: large enough that commits cost little, small enough that a unit
/// of one long history does not hold everything in memory at once.
constexpr std::size_t ops_per_unit = 2'000;
constexpr std::size_t runs_per_page = 500;

/// The first failure the destination's writer reports (on its own thread).
class first_failure {
public:
    void set(const std::string& message) {
        std::lock_guard lock(mutex_);
        if (message_.empty()) message_ = message;
    }
    std::string get() {
        std::lock_guard lock(mutex_);
        return message_;
    }

private:
    std::mutex mutex_;
    std::string message_;
};

/// Appends writes in units of ops_per_unit.
class unit_writer {
public:
    unit_writer(store& to, first_failure& failure) : to_(to), failure_(failure) {}

    void add(write_op op) {
        ops_.push_back(std::move(op));
        if (ops_.size() >= ops_per_unit) flush();
    }
    /// Commits everything added; throws the writer's failure.
    void finish() {
        flush();
        to_.stop_writes();
        if (const auto why = failure_.get(); !why.empty())
            throw storage_error("copying into " + to_.name() + " failed: " + why);
    }

private:
    void flush() {
        if (!ops_.empty()) to_.append(std::exchange(ops_, {}));
    }

    store& to_;
    first_failure& failure_;
    std::vector<write_op> ops_;
};

void require_empty(store& to) {
    auto& r = to.reads();
    if (!r.namespaces().empty() || !r.endpoints().empty() || r.max_run_key() != 0)
        throw failed_precondition("the destination " + to.name() +
                                  " already holds data; copy into a new, empty database (or delete this one first)");
}

void copy_runs(store_reads& from, std::int64_t ns_id, unit_writer& out, copy_counts& n, std::set<std::int64_t>& keys) {
    std::int64_t before = 0;
    for (;;) {
        auto page = from.list_runs(ns_id, std::nullopt, runs_per_page, before);
        if (page.empty()) return;
        before = page.back().run_key;
        for (auto& run : page) {
            const auto key = run.run_key;
            keys.insert(key);
            ++n.runs;
            const auto status = run.status;
            const auto closed_us = run.close_time_us;
            auto task_failure = std::move(run.task_failure);
            out.add(insert_execution{std::move(static_cast<run_identity&>(run))});
            for (const auto& e : from.history(key)) {
                out.add(insert_event{key, e});
                ++n.events;
            }
            if (status != run_status::running) {
                out.add(close_execution{key, status, closed_us});
                continue;
            }
            ++n.open_runs;
            if (!task_failure.empty()) out.add(set_task_failure{key, std::move(task_failure)});
        }
    }
}

}   // namespace

copy_counts copy_store(const engine_options& from, const engine_options& to) {
    auto source = open_store(from, open_mode::maintenance);
    auto& in = source->reads();
    first_failure failure;   // outlives the destination, whose writer may report while it closes
    auto destination = open_store(
        to, open_mode::create,
        {[](std::uint64_t) {}, [&failure](std::uint64_t, const commit_failure& f) { failure.set(f.message); }});
    require_empty(*destination);
    unit_writer out(*destination, failure);

    copy_counts n;
    const auto namespaces = in.namespaces();
    for (const auto& ns : namespaces) {
        out.add(upsert_namespace{ns});
        for (const auto& [name, type] : ns.search_attributes) out.add(add_search_attribute{ns.ns_id, name, type});
        ++n.namespaces;
    }
    for (const auto& e : in.endpoints()) {
        out.add(upsert_endpoint{e});
        ++n.endpoints;
    }
    // Runs of deleted namespaces are left behind: they are being deleted.
    std::set<std::int64_t> keys;
    for (const auto& ns : namespaces) copy_runs(in, ns.ns_id, out, n, keys);
    for (const auto& t : in.tasks()) {
        if (!keys.contains(t.run_key)) continue;
        out.add(upsert_task{t});
        ++n.tasks;
    }
    for (const auto& d : in.deadlines()) {
        if (!keys.contains(d.run_key)) continue;
        out.add(insert_deadline{d});
        ++n.deadlines;
    }
    out.finish();
    // Runs the copy's engine creates get keys above the copied ones.
    destination->reserve_keys_above(in.max_run_key());
    destination->close();
    source->close();
    return n;
}

}   // namespace perdure::detail
