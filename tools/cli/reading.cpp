// Opening the store for reading, and the reads the commands make, each on one snapshot.
#include "reading.hpp"

#include "command.hpp"

#include <perdure/error.hpp>

namespace perdure::cli {

reading::reading(const std::string& path) {
    on_store([&] {
        store_ = detail::open_store({.database = path, .durability = durability::normal}, detail::open_mode::reader);
        // One snapshot for the whole command, so a run and its history agree while the engine writes.
        snapshot_ = store_->snapshot();
    });
}

reading::~reading() = default;

template <class F>
auto reading::read(F&& f) -> decltype(f(std::declval<detail::store_reads&>())) {
    return on_store([&] { return f(*snapshot_); });
}

const std::vector<detail::namespace_row>& reading::namespaces() {
    if (!namespaces_) namespaces_ = read([](detail::store_reads& r) { return r.namespaces(); });
    return *namespaces_;
}

const detail::namespace_row& reading::require_namespace(const std::string& name) {
    std::string known;
    for (const auto& ns : namespaces()) {
        if (ns.name == name) return ns;
        known += (known.empty() ? "" : ", ") + ns.name;
    }
    throw cli_error(exit_code::user_error,
                    "namespace '" + name + "' does not exist (known: " + (known.empty() ? "none" : known) + ")");
}

std::string reading::namespace_name(std::int64_t ns_id) {
    for (const auto& ns : namespaces())
        if (ns.ns_id == ns_id) return ns.name;
    return "#" + std::to_string(ns_id);
}

detail::execution_row reading::require_run(const std::string& ns, const std::string& workflow_id,
                                           const std::string& run_id) {
    const auto ns_id = require_namespace(ns).ns_id;
    auto row = read([&](detail::store_reads& r) {
        return run_id.empty() ? r.find_latest_run(ns_id, workflow_id) : r.find_run(std::string_view(run_id));
    });
    if (!row || row->ns_id != ns_id || row->workflow_id != workflow_id)
        throw cli_error(exit_code::user_error, "workflow " + workflow_id +
                                                   (run_id.empty() ? "" : " (run " + run_id + ")") +
                                                   " not found in namespace " + ns + "; see perdure workflow list");
    return std::move(*row);
}

std::vector<detail::execution_row> reading::runs(std::int64_t ns_id, std::optional<detail::run_status> status,
                                                 std::size_t limit) {
    return read([&](detail::store_reads& r) { return r.list_runs(ns_id, status, limit, 0); });
}

detail::run_page reading::query(std::int64_t ns_id, const detail::visibility_query& q,
                                const std::vector<detail::sort_value>& after, std::size_t limit) {
    return read([&](detail::store_reads& r) { return r.query_runs(ns_id, q, after, limit); });
}

std::vector<std::pair<int, std::int64_t>> reading::count(std::int64_t ns_id, const detail::visibility_query& q,
                                                         bool by_status) {
    return read([&](detail::store_reads& r) { return r.count_runs(ns_id, q, by_status); });
}

std::vector<detail::event> reading::history(std::int64_t run_key) {
    return read([&](detail::store_reads& r) { return r.history(run_key); });
}

std::int64_t reading::history_length(std::int64_t run_key) {
    return read([&](detail::store_reads& r) { return r.history_length(run_key); });
}

std::int64_t reading::open_runs(std::int64_t ns_id) {
    return read([&](detail::store_reads& r) { return r.count_open_runs(ns_id); });
}

std::vector<detail::endpoint_row> reading::endpoints() {
    return read([&](detail::store_reads& r) { return r.endpoints(); });
}

void reading::refresh() {
    on_store([&] {
        snapshot_.reset();
        snapshot_ = store_->snapshot();
    });
}

}   // namespace perdure::cli
