// The read side of the CLI: the store opened as a reader, which takes no ownership, so reads
// work beside a running engine; it never creates, migrates or changes the data. Every read of
// one command sees the same committed state.
#pragma once

#include "store/rows.hpp"
#include "store/store.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace perdure::cli {

class reading {
public:
    /// Opens `path` for reading; a missing file, a file that is not a perdure database or a
    /// newer schema is a cli_error with exit code 3.
    explicit reading(const std::string& path);
    ~reading();
    reading(const reading&) = delete;
    reading& operator=(const reading&) = delete;

    // Each read throws a cli_error with exit code 3 when the store fails.

    const std::vector<detail::namespace_row>& namespaces();
    /// The namespace named `name`; a user error naming the known ones when there is none.
    const detail::namespace_row& require_namespace(const std::string& name);
    std::string namespace_name(std::int64_t ns_id);
    /// The run (the newest of the workflow id when `run_id` is empty); a user error when there is none.
    detail::execution_row require_run(const std::string& ns, const std::string& workflow_id, const std::string& run_id);
    /// Runs of a namespace (all of them when ns_id is 0), newest first.
    std::vector<detail::execution_row> runs(std::int64_t ns_id, std::optional<detail::run_status>, std::size_t limit);
    /// Runs of a namespace matching a parsed visibility query, in its order, after `after`.
    detail::run_page query(std::int64_t ns_id, const detail::visibility_query&,
                           const std::vector<detail::sort_value>& after, std::size_t limit);
    /// {-1, total}, or with `by_status` one {status, count} per status that has runs.
    std::vector<std::pair<int, std::int64_t>> count(std::int64_t ns_id, const detail::visibility_query&,
                                                    bool by_status);
    std::vector<detail::event> history(std::int64_t run_key);
    std::int64_t history_length(std::int64_t run_key);
    std::int64_t open_runs(std::int64_t ns_id);
    std::vector<detail::endpoint_row> endpoints();
    /// Takes a new snapshot, so the next reads see what was committed since (following a run).
    void refresh();

private:
    template <class F>
    auto read(F&& f) -> decltype(f(std::declval<detail::store_reads&>()));

    std::unique_ptr<detail::store> store_;
    std::unique_ptr<detail::store_reads> snapshot_;   // one state for the whole command
    std::optional<std::vector<detail::namespace_row>> namespaces_;
};

}   // namespace perdure::cli
