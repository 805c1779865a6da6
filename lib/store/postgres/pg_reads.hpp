// The reads of the store interface on one PostgreSQL session: the SQLite store's queries in
// PostgreSQL's dialect, giving back the same rows in the same order.
#pragma once

#include "store/postgres/pg_connection.hpp"
#include "store/store.hpp"
#include "store/visibility_page.hpp"

#include <functional>
#include <string>

namespace perdure::detail {

class pg_reads : public store_reads {
public:
    /// Reads on `s` (the caller's thread only); `name` (the redacted URI) and `opened_as` make
    /// the error messages. Both must outlive this object.
    pg_reads(pg::session& s, const std::string& name, open_mode opened_as) noexcept
        : s_(s), name_(name), opened_as_(opened_as) {}

    std::vector<namespace_row> namespaces() override;
    std::int64_t max_namespace_id() override;
    std::vector<std::int64_t> runs_of_deleted_namespaces(std::size_t limit) override;
    std::vector<endpoint_row> endpoints() override;
    std::int64_t max_run_key() override;
    void open_runs(const std::function<void(open_run_row)>& each) override;
    std::vector<event> history(std::int64_t run_key, std::int64_t first_event_id) override;
    std::optional<event> event_at(std::int64_t run_key, std::int64_t event_id) override;
    std::optional<event> last_event(std::int64_t run_key) override;
    std::int64_t history_length(std::int64_t run_key) override;
    std::vector<task_row> tasks() override;
    std::vector<deadline_row> deadlines() override;
    std::int64_t min_task_seq() override;
    std::optional<execution_row> find_run(std::string_view run_id) override;
    std::optional<execution_row> find_run(std::int64_t run_key) override;
    std::optional<execution_row> find_latest_run(std::int64_t ns_id, std::string_view workflow_id) override;
    std::vector<execution_row> list_runs(std::int64_t ns_id, std::optional<run_status>, std::size_t limit,
                                         std::int64_t before_run_key) override;
    std::int64_t count_open_runs(std::int64_t ns_id) override;
    run_page query_runs(std::int64_t ns_id, const visibility_query& q, const std::vector<sort_value>& after,
                        std::size_t limit) override;
    std::vector<std::pair<int, std::int64_t>> count_runs(std::int64_t ns_id, const visibility_query& q,
                                                         bool by_status) override;
    std::vector<std::int64_t> expired_runs(std::int64_t ns_id, std::int64_t before_us, std::size_t limit) override;
    std::vector<pending_command> pending_commands(std::int64_t now_us, std::size_t limit) override;
    std::vector<std::int64_t> abandoned_commands() override;

    /// The next block of keys for new runs (the owner's thread; not part of store_reads).
    key_block reserve_run_keys();
    /// Moves the sequence past `largest_key`'s block (never back).
    void reserve_keys_above(std::int64_t largest_key);

private:
    /// Runs one query, turning a libpq failure into the perdure error for `doing`.
    pg::result query(const char* doing, const char* sql, const pg::params& p = {});
    pg::result visibility_query_result(const char* doing, const visibility_statement& st);

    pg::session& s_;
    const std::string& name_;
    open_mode opened_as_;
};

}   // namespace perdure::detail
