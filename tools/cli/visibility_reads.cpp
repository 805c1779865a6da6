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
    const auto request = detail::page_request_for(ns.name, q, page_token, page_size);
    auto page = db.query(ns.ns_id, q, request.after, request.size);
    matching_page out{std::move(page.runs), {}};
    if (out.runs.size() == request.size)
        out.next_page_token = detail::encode_page_token(request.query_key, page.last_keys);
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
