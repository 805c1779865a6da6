// The opaque token of client::list(query)'s next page: base64url of the sort keys of the
// previous page's last run, with a hash that binds them to the namespace and the query (in its
// canonical text), so a damaged token or one from another query is refused rather than read.
#pragma once

#include "store/rows.hpp"
#include "visibility/query.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace perdure::detail {

/// `query_key` names the namespace and the query; `keys` are the last run's sort keys.
std::string encode_page_token(std::string_view query_key, const std::vector<sort_value>& keys);

/// The sort keys a token carries. Throws invalid_argument, saying to list again without a
/// token, when it is not one encode_page_token made for `query_key` with `key_count` keys.
std::vector<sort_value> decode_page_token(std::string_view token, std::string_view query_key, std::size_t key_count);

/// What a list query's page asks of the store: its key for the tokens, where it resumes and how
/// many runs it holds (0 means 100, at most 1000). client::list and the CLI both use it, so a
/// token from either continues in the other.
struct page_request {
    std::string query_key;           ///< the namespace and the query's canonical text
    std::vector<sort_value> after;   ///< the sort keys the token carries; empty: the first page
    std::size_t size = 100;
};
page_request page_request_for(std::string_view ns, const visibility_query& q, std::string_view page_token,
                              std::size_t page_size);

}   // namespace perdure::detail
