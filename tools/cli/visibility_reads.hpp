// The visibility query reads of the CLI (`workflow list --query`, `workflow count`): a query
// parsed against the namespace's search attributes and answered from the reader's snapshot
// with the store's translated query, paged with the same tokens as client::list.
#pragma once

#include "reading.hpp"

#include <perdure/client.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace perdure::cli {

struct matching_page {
    std::vector<detail::execution_row> runs;
    std::string next_page_token;   ///< empty: there is no next page
};

/// A page of at most `page_size` runs (0: 100; at most 1000, as client::list) of `ns` matching
/// `query`, after the page `page_token` ends. A query or token the language refuses throws
/// perdure::invalid_argument, whose message points at the column.
matching_page list_matching(reading&, const detail::namespace_row& ns, const std::string& query, std::size_t page_size,
                            const std::string& page_token);

/// The runs of `ns` matching `query` counted, and per status when it ends in GROUP BY
/// ExecutionStatus (as client::count_groups).
workflow_counts count_matching(reading&, const detail::namespace_row& ns, const std::string& query);

}   // namespace perdure::cli
