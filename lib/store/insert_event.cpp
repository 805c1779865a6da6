// The stored form of an event's attributes, made once when the engine hands the event over.
#include "store/rows.hpp"

#include <boost/json/serialize.hpp>
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

insert_event::insert_event(std::int64_t run_key, const event& e)
    : run_key(run_key),
      event_id(e.id),
      type(e.type),
      time_us(e.time_us),
      attrs(e.attrs.empty() ? std::string("{}") : boost::json::serialize(e.attrs)) {
}   // every WorkflowTaskCompleted is empty

insert_event::insert_event(std::int64_t run_key, const event& e, std::string_view member_name,
                           std::string_view member_json)
    : run_key(run_key), event_id(e.id), type(e.type), time_us(e.time_us) {
    // Member by member, the text boost::json::serialize makes of the whole object
    // ({"key":value,...} with no spaces), with the serialized member's text taken as it is.
    attrs.reserve(member_json.size() + 512);
    boost::json::serializer sr;
    attrs += '{';
    bool first = true;
    for (const auto& member : e.attrs) {
        if (!first) attrs += ',';
        first = false;
        sr.reset(member.key());
        drain(sr, attrs);
        attrs += ':';
        if (member.key() == member_name) {
            attrs += member_json;
        } else {
            sr.reset(&member.value());
            drain(sr, attrs);
        }
    }
    attrs += '}';
}

}   // namespace perdure::detail
