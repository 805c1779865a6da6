// Parsing a visibility query against a namespace's search attributes and answering it from the
// reader's snapshot, as client::list and client::count do on the engine's reader.
#include "visibility_reads.hpp"

#include "client/page_token.hpp"
#include "store/visibility_page.hpp"
#include "visibility/parser.hpp"
#include "visibility/query.hpp"

#include <perdure/error.hpp>

#include <algorithm>

namespace perdure::cli {

matching_page list_matching(reading& db, const detail::namespace_row& ns, const std::string& query,
                            std::size_t page_size, const std::string& page_token) {
    const auto q = detail::parse_query(query, ns.search_attributes);
    if (q.group_by)   // as Temporal's ListWorkflowExecutions
        throw invalid_argument("GROUP BY is for 'perdure workflow count', not list: remove it from the query");
    // The same key as client::list (client/reads.cpp), so a token from either continues in the other.
    const std::string key = ns.name + '\0' + detail::to_text(q);
    const auto after = page_token.empty() ? std::vector<detail::sort_value>{}
                                          : detail::decode_page_token(page_token, key, detail::sort_key_count(q));
    const std::size_t size = page_size == 0 ? 100 : std::min<std::size_t>(page_size, 1000);
    auto page = db.query(ns.ns_id, q, after, size);
    matching_page out{std::move(page.runs), {}};
    if (out.runs.size() == size) out.next_page_token = detail::encode_page_token(key, page.last_keys);
    return out;
}

workflow_counts count_matching(reading& db, const detail::namespace_row& ns, const std::string& query) {
    const auto q = detail::parse_query(query, ns.search_attributes);
    const bool by_status = q.group_by.has_value();
    workflow_counts out;
    for (const auto& [status, n] : db.count(ns.ns_id, q, by_status)) {
        out.count += n;
        if (by_status) out.groups.push_back({static_cast<workflow_status>(status), n});
    }
    return out;
}

}   // namespace perdure::cli
