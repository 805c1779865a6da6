// Page tokens: {"k":[keys],"h":"<hash>"} in base64url. The hash (FNV-1a, 64 bits) is not a
// secret: a token is only ever read into typed values bound as parameters, so one made by hand
// can at worst start a page somewhere else; the hash catches damage and tokens of other queries.
#include "client/page_token.hpp"

#include "codec/json_parse.hpp"
#include "nexus/token.hpp"
#include "store/visibility_page.hpp"

#include <perdure/error.hpp>

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cstdio>

namespace perdure::detail {
namespace {

std::string hash_of(std::string_view query_key, std::string_view keys_json) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    const auto mix = [&](std::string_view s) {
        for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
    };
    mix(query_key);
    mix(std::string_view("\x1f", 1));
    mix(keys_json);
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

[[noreturn]] void refuse(const char* why) {
    throw invalid_argument(std::string("the page token ") + why +
                           "; list again without a page token to start from the first page");
}

}   // namespace

page_request page_request_for(std::string_view ns, const visibility_query& q, std::string_view page_token,
                              std::size_t page_size) {
    // The canonical text, so that spacing or keyword case does not change which tokens fit.
    page_request r{
        std::string(ns) + '\0' + to_text(q), {}, page_size == 0 ? 100 : std::min<std::size_t>(page_size, 1000)};
    if (!page_token.empty()) r.after = decode_page_token(page_token, r.query_key, sort_key_count(q));
    return r;
}

std::string encode_page_token(std::string_view query_key, const std::vector<sort_value>& keys) {
    boost::json::array k;
    for (const auto& v : keys)
        std::visit(
            [&](const auto& x) {
                if constexpr (std::is_same_v<std::decay_t<decltype(x)>, std::monostate>)
                    k.emplace_back(nullptr);
                else
                    k.emplace_back(x);
            },
            v);
    const auto keys_json = boost::json::serialize(k);
    return base64url_encode(
        boost::json::serialize(boost::json::object{{"k", k}, {"h", hash_of(query_key, keys_json)}}));
}

std::vector<sort_value> decode_page_token(std::string_view token, std::string_view query_key, std::size_t key_count) {
    if (token.size() > 64 * 1024) refuse("is too long to be one this engine gave");
    const auto text = base64url_decode(token);
    if (!text) refuse("is damaged (not base64url)");
    boost::system::error_code ec;
    const auto v = detail::parse_json(*text, ec);
    const auto* o = ec ? nullptr : v.if_object();
    const auto* k = o ? o->if_contains("k") : nullptr;
    const auto* h = o ? o->if_contains("h") : nullptr;
    if (!k || !k->is_array() || !h || !h->is_string()) refuse("is damaged");
    if (h->get_string() != hash_of(query_key, boost::json::serialize(*k)))
        refuse("belongs to another query or namespace, or is damaged");
    if (k->get_array().size() != key_count) refuse("does not fit this query");
    std::vector<sort_value> out;
    for (const auto& x : k->get_array()) {
        if (x.is_null())
            out.emplace_back(std::monostate{});
        else if (x.is_int64())
            out.emplace_back(x.get_int64());
        else if (x.is_uint64())
            refuse("is damaged");
        else if (x.is_double())
            out.emplace_back(x.get_double());
        else if (x.is_string())
            out.emplace_back(std::string(x.get_string()));
        else
            refuse("is damaged");
    }
    return out;
}

}   // namespace perdure::detail
