// Tables, cards and JSON for the CLI's read and write commands.
#include "output.hpp"

#include "codec/duration.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>

namespace perdure::cli {

std::size_t display_width(std::string_view text) {
    // UTF-8 continuation bytes (10xxxxxx) do not start a character.
    return static_cast<std::size_t>(
        std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

void table::print(std::ostream& out) const {
    std::vector<std::size_t> widths;
    for (const auto& row : rows_) {
        if (widths.size() < row.size()) widths.resize(row.size(), 0);
        for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], display_width(row[i]));
    }
    for (const auto& row : rows_) {
        std::string line;
        for (std::size_t i = 0; i < row.size(); ++i) {
            line += row[i];
            if (i + 1 < row.size()) line.append(widths[i] - display_width(row[i]) + 2, ' ');
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();   // an empty last cell
        out << line << '\n';
    }
}

void print_card(std::ostream& out, const card& lines) {
    std::size_t width = 0;
    for (const auto& [label, value] : lines) width = std::max(width, display_width(label));
    const std::string indent(width + 2, ' ');
    for (const auto& [label, value] : lines) {
        std::string_view rest = value;
        while (rest.ends_with('\n')) rest.remove_suffix(1);
        out << label;
        for (bool first = true; first || !rest.empty(); first = false) {
            const auto end = std::min(rest.find('\n'), rest.size());
            const auto line = rest.substr(0, end);
            if (!line.empty()) out << (first ? std::string(width - display_width(label) + 2, ' ') : indent) << line;
            out << '\n';
            rest.remove_prefix(std::min(end + 1, rest.size()));
        }
    }
}

void print_json(std::ostream& out, const boost::json::value& v) { out << boost::json::serialize(v) << '\n'; }

std::string time_text(std::int64_t unix_us) { return unix_us ? detail::format_time(unix_us) : std::string(); }

boost::json::value time_json(std::int64_t unix_us) {
    if (!unix_us) return nullptr;
    return boost::json::value(detail::format_time(unix_us));
}

std::string retention_text(std::int64_t ms) {
    struct unit {
        std::int64_t ms;
        const char* suffix;
    };
    for (const unit u : {unit{86'400'000, "d"}, unit{3'600'000, "h"}, unit{60'000, "m"}, unit{1'000, "s"}})
        if (ms >= u.ms && ms % u.ms == 0) return std::to_string(ms / u.ms) + u.suffix;
    return std::to_string(ms) + "ms";
}

std::string one_line(std::string_view text) {
    std::string out(text);
    std::replace_if(
        out.begin(), out.end(), [](char c) { return c == '\n' || c == '\r' || c == '\t'; }, ' ');
    return out;
}

}   // namespace perdure::cli
