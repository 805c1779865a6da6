// The SQLite store's visibility reads: a page of a query's runs and its counts, with the
// statements visibility_page makes. The statements are prepared per call, not cached: their
// text depends on the query.
#include "store/sqlite/sqlite_store.hpp"

#include "store/stored_rows.hpp"
#include "store/visibility_page.hpp"

#include <perdure/error.hpp>

namespace perdure::detail {
namespace {

void bind_all(sql::statement& s, const std::vector<bound_value>& params) {
    for (std::size_t i = 0; i < params.size(); ++i)
        std::visit([&](const auto& v) { s.bind(static_cast<int>(i + 1), v); }, params[i]);
}

}   // namespace

run_page sqlite_reads::query_runs(std::int64_t ns_id, const visibility_query& q, const std::vector<sort_value>& after,
                                  std::size_t limit) {
    if (!after.empty() && after.size() != sort_key_count(q))
        throw invalid_argument("the page token does not fit the query; list again without a page token");
    const auto st = page_statement(q, ns_id, after, limit, placeholder_style::question_mark);
    try {
        auto s = c_.prepare(st.sql);
        bind_all(s, st.params);
        run_page page;
        std::vector<sort_value> keys;
        while (s.step()) {
            page.runs.push_back(stored_execution(s));
            keys.clear();
            for (std::size_t k = 0; k < st.keys.size(); ++k) {
                const int col = PERDURE_EXECUTION_COLUMN_COUNT + static_cast<int>(k);
                if (s.is_null(col))
                    keys.emplace_back(std::monostate{});
                else if (st.keys[k] == key_kind::integer)
                    keys.emplace_back(s.int64(col));
                else if (st.keys[k] == key_kind::floating)
                    keys.emplace_back(s.real(col));
                else
                    keys.emplace_back(std::string(s.text(col)));
            }
        }
        page.last_keys = std::move(keys);
        return page;
    } catch (const sql::sqlite_failure& failure) {
        throw_storage(failure, db_, "listing workflows");
    }
}

std::vector<std::pair<int, std::int64_t>> sqlite_reads::count_runs(std::int64_t ns_id, const visibility_query& q,
                                                                   bool by_status) {
    const auto st = count_statement(q, ns_id, by_status, placeholder_style::question_mark);
    try {
        auto s = c_.prepare(st.sql);
        bind_all(s, st.params);
        std::vector<std::pair<int, std::int64_t>> out;
        while (s.step()) out.emplace_back(by_status ? static_cast<int>(s.int64(0)) : -1, s.int64(by_status ? 1 : 0));
        return out;
    } catch (const sql::sqlite_failure& failure) {
        throw_storage(failure, db_, "counting workflows");
    }
}

}   // namespace perdure::detail
