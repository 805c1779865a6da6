// Opening the database for reading, and the lookups every read command makes.
#include "reading.hpp"

#include "command.hpp"
#include "store/queries.hpp"

#include <perdure/error.hpp>

namespace perdure::cli {

reading::reading(const std::string& path) {
    try {
        db_ = std::make_unique<detail::database>(path, durability::normal, detail::database::mode::reader);
        conn_ = db_->connect(true);
        // One snapshot for the whole command, so a run and its history agree while the engine writes.
        snapshot_.emplace(*conn_, false);
    } catch (const error& e) {
        throw cli_error(exit_code::database_problem, e.what());
    } catch (const detail::sql::sqlite_failure& f) {
        try {
            detail::throw_storage(f, path, "opening for reading", detail::database::mode::reader);
        } catch (const error& e) {
            throw cli_error(exit_code::database_problem, e.what());
        }
    }
}

reading::~reading() = default;

const std::vector<detail::namespace_row>& reading::namespaces() {
    if (!namespaces_) namespaces_ = detail::load_namespaces(*conn_);
    return *namespaces_;
}

const detail::namespace_row& reading::require_namespace(const std::string& name) {
    std::string known;
    for (const auto& ns : namespaces()) {
        if (ns.name == name) return ns;
        known += (known.empty() ? "" : ", ") + ns.name;
    }
    throw cli_error(exit_code::user_error, "namespace '" + name + "' does not exist (known: " +
                                               (known.empty() ? "none" : known) + ")");
}

std::string reading::namespace_name(std::int64_t ns_id) {
    for (const auto& ns : namespaces())
        if (ns.ns_id == ns_id) return ns.name;
    return "#" + std::to_string(ns_id);
}

detail::execution_row reading::require_run(const std::string& ns, const std::string& workflow_id,
                                           const std::string& run_id) {
    const auto ns_id = require_namespace(ns).ns_id;
    auto row = run_id.empty() ? detail::find_latest_run(*conn_, ns_id, workflow_id) : detail::find_run(*conn_, run_id);
    if (!row || row->ns_id != ns_id || row->workflow_id != workflow_id)
        throw cli_error(exit_code::user_error, "workflow " + workflow_id +
                                                   (run_id.empty() ? "" : " (run " + run_id + ")") +
                                                   " not found in namespace " + ns + "; see perdure workflow list");
    return std::move(*row);
}

}  // namespace perdure::cli
