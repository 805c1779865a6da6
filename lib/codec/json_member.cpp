#include "codec/json_member.hpp"

#include <boost/json/serializer.hpp>

namespace perdure::detail {
namespace {

void drain(boost::json::serializer& sr, std::string& out) {
    char buf[4096];
    while (!sr.done()) {
        const auto piece = sr.read(buf, sizeof buf);
        out.append(piece.data(), piece.size());
    }
}

}   // namespace

void append_with_member(std::string& out, const boost::json::object& o, std::string_view member,
                        std::string_view member_json) {
    out.reserve(out.size() + member_json.size() + 512);
    boost::json::serializer sr;
    out += '{';
    bool first = true;
    for (const auto& m : o) {
        if (!first) out += ',';
        first = false;
        sr.reset(m.key());
        drain(sr, out);
        out += ':';
        if (m.key() == member) {
            out += member_json;
        } else {
            sr.reset(&m.value());
            drain(sr, out);
        }
    }
    out += '}';
}

}   // namespace perdure::detail
