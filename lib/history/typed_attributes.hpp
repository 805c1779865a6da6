// Search attribute values with their types, as a run holds them and as its events and its
// executions row record them. The type travels with each value because the value alone cannot
// say it (a string is Keyword or Text; a Datetime is stored as a string in JSON).
#pragma once

#include <perdure/search_attributes.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace perdure::detail {

struct typed_attribute {
    search_attribute_type type{};
    search_attribute_value value{};
    bool operator==(const typed_attribute&) const = default;
};

/// A run's search attributes by name.
using typed_attributes = std::map<std::string, typed_attribute, std::less<>>;

/// {"Name": {"type": "Keyword", "value": ...}, ...}: Datetime as RFC 3339, KeywordList as an
/// array. What the started and upsert events record and the executions row keeps.
boost::json::object to_json(const typed_attributes&);
/// Reads to_json's form back; members that cannot be read are skipped (an odd row never stops
/// a read).
typed_attributes typed_attributes_from_json(const boost::json::value&);

/// Applies an UpsertWorkflowSearchAttributes event's indexed_fields to a run's attributes: a
/// name's new value replaces the old one, a null value removes the name. Appends the names it
/// touches to `changed`.
void apply_upsert(typed_attributes& into, const boost::json::object& indexed_fields, std::vector<std::string>& changed);

/// The values without their types, as the public API gives them.
search_attributes values_of(const typed_attributes&);
/// Each value typed by what it holds (a string as Keyword), for values_of to give back as they
/// were: where the engine types them again against its namespace (workflow code and other
/// processes cannot know the registered types).
typed_attributes typed_by_value(const search_attributes&);

}   // namespace perdure::detail
