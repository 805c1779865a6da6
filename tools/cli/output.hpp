// Rendering results for people and for scripts: aligned tables with a header row, label/value
// cards for the describe commands, and compact JSON on one line.
#pragma once

#include <boost/json/value.hpp>

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace perdure::cli {

/// Columns aligned on the widest cell, two spaces apart; no trailing spaces.
class table {
public:
    /// An empty header prints no header row.
    explicit table(std::vector<std::string> header) {
        if (!header.empty()) rows_.push_back(std::move(header));
    }
    void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
    void print(std::ostream&) const;

private:
    std::vector<std::vector<std::string>> rows_;
};

/// Label/value lines with the values aligned; a value's later lines are indented to match.
using card = std::vector<std::pair<std::string, std::string>>;
void print_card(std::ostream&, const card&);

void print_json(std::ostream&, const boost::json::value&);

/// RFC 3339 in UTC with microseconds; "" for 0, which the store uses for "never".
std::string time_text(std::int64_t unix_us);
/// The same as JSON: a string, or null for 0.
boost::json::value time_json(std::int64_t unix_us);
/// A retention for people: "7d", "36h", "90m", "45s" (the largest unit that divides it).
std::string retention_text(std::int64_t ms);
/// A table cell on one line: line breaks and tabs become spaces.
std::string one_line(std::string_view);
/// How many columns `text` takes (UTF-8 code points, not bytes).
std::size_t display_width(std::string_view text);

}   // namespace perdure::cli
