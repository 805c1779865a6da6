#include "nexus/links.hpp"

namespace perdure::detail {
namespace {

bool unreserved(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~';
}

void append_escaped(std::string& out, char c) {
    static constexpr char hex[] = "0123456789ABCDEF";
    const auto byte = static_cast<unsigned char>(c);
    out += '%';
    out += hex[byte >> 4];
    out += hex[byte & 15];
}

/// One path segment: what may stand in a segment as it is stays, the rest is %XX (a '/' in a
/// workflow id must not read as a separator).
void append_segment(std::string& out, std::string_view s) {
    for (char c : s) {
        const bool keeps = unreserved(c) || c == '$' || c == '&' || c == '+' || c == ':' || c == '=' || c == '@';
        keeps ? void(out += c) : append_escaped(out, c);
    }
}

/// One query value: a space is '+', anything but an unreserved character %XX.
void append_query_value(std::string& out, std::string_view s) {
    for (char c : s) {
        if (unreserved(c))
            out += c;
        else if (c == ' ')
            out += '+';
        else
            append_escaped(out, c);
    }
}

std::string history_path(std::string_view ns, std::string_view wid, std::string_view rid) {
    std::string url = "temporal:///namespaces/";
    append_segment(url, ns);
    url += "/workflows/";
    append_segment(url, wid);
    url += '/';
    append_segment(url, rid);
    url += "/history?";
    return url;
}

}   // namespace

std::string workflow_event_url(std::string_view ns, std::string_view wid, std::string_view rid, std::int64_t event_id,
                               std::string_view event_type) {
    auto url = history_path(ns, wid, rid);
    url += "eventID=" + std::to_string(event_id) + "&eventType=";
    append_query_value(url, event_type);
    url += "&referenceType=EventReference";
    return url;
}

std::string request_id_url(std::string_view ns, std::string_view wid, std::string_view rid, std::string_view request_id,
                           std::string_view event_type) {
    auto url = history_path(ns, wid, rid);
    url += "eventType=";
    append_query_value(url, event_type);
    url += "&referenceType=RequestIdReference&requestID=";
    append_query_value(url, request_id);
    return url;
}

}   // namespace perdure::detail
