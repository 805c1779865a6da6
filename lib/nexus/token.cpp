// Workflow-run operation tokens.
#include "nexus/token.hpp"

#include "codec/json_parse.hpp"

#include <boost/json/serialize.hpp>

namespace perdure::detail {
namespace {
constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::size_t max_token_bytes = 4096;

int value_of(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
}
}   // namespace

std::string base64url_encode(std::string_view in) {
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                           static_cast<unsigned char>(in[i + 2]);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += alphabet[v & 63];
    }
    if (const std::size_t rest = in.size() - i; rest > 0) {
        unsigned v = static_cast<unsigned char>(in[i]) << 16;
        if (rest == 2) v |= static_cast<unsigned char>(in[i + 1]) << 8;
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        if (rest == 2) out += alphabet[(v >> 6) & 63];
    }
    return out;
}

std::optional<std::string> base64url_decode(std::string_view in) {
    if (in.size() % 4 == 1) return std::nullopt;
    std::string out;
    unsigned buffer = 0;
    int bits = 0;
    for (char c : in) {
        const int v = value_of(c);
        if (v < 0) return std::nullopt;
        buffer = (buffer << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buffer >> bits) & 0xff);
        }
    }
    return out;
}

std::string encode_token(const workflow_run_token& t) {
    return base64url_encode(
        boost::json::serialize(boost::json::object{{"t", 1}, {"ns", t.ns}, {"wid", t.workflow_id}}));
}

std::optional<workflow_run_token> decode_token(std::string_view token) {
    if (token.empty() || token.size() > max_token_bytes) return std::nullopt;
    auto raw = base64url_decode(token);
    if (!raw) return std::nullopt;
    boost::system::error_code ec;
    auto v = detail::parse_json(*raw, ec);
    if (ec || !v.is_object()) return std::nullopt;
    const auto& o = v.get_object();
    const auto* t = o.if_contains("t");
    const auto* ns = o.if_contains("ns");
    const auto* wid = o.if_contains("wid");
    if (o.contains("v") || !t || !t->is_int64() || t->get_int64() != 1 || !ns || !ns->is_string() ||
        ns->get_string().empty() || !wid || !wid->is_string() || wid->get_string().empty())
        return std::nullopt;
    return workflow_run_token{std::string(ns->get_string()), std::string(wid->get_string())};
}

}   // namespace perdure::detail
