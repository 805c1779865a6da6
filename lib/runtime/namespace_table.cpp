#include "runtime/namespace_table.hpp"

#include "history/fields.hpp"
#include "visibility/system_attributes.hpp"

#include <perdure/error.hpp>

#include <algorithm>
#include <cctype>

namespace perdure::detail {
namespace {

void validate_namespace_name(const std::string& name) {
    auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
    auto ok = [&](char c) { return alnum(c) || c == '-' || c == '_' || c == '.'; };
    const bool valid = !name.empty() && name.size() <= 255 && alnum(name.front()) && alnum(name.back()) &&
                       std::all_of(name.begin(), name.end(), ok);
    if (!valid)
        throw invalid_argument("invalid namespace name '" + name +
                               "': use 1 to 255 letters, digits, '-', '_' or '.', starting and ending with a letter "
                               "or digit");
}

constexpr std::int64_t default_retention_ms = 7LL * 24 * 3600 * 1000;

}   // namespace

namespace_info info_of(const namespace_row& r) {
    return {r.name, r.description, from_us(r.created_us), std::chrono::milliseconds(r.retention_ms)};
}

void namespace_table::load(std::vector<namespace_row> rows, std::int64_t max_id_ever) {
    next_id_ = max_id_ever + 1;
    std::lock_guard lk(snapshot_mutex_);
    rows_.clear();   // a standby reloads what the owner changed
    snapshot_.clear();
    attributes_snapshot_.clear();
    for (auto& ns : rows) {
        snapshot_[ns.name] = ns.ns_id;
        attributes_snapshot_[ns.ns_id] = ns.search_attributes;
        rows_.emplace(ns.name, std::move(ns));
    }
}

const namespace_row* namespace_table::find(std::string_view name) const {
    auto it = rows_.find(name);
    return it == rows_.end() ? nullptr : &it->second;
}

const namespace_row& namespace_table::at(std::string_view name) const {
    if (const auto* row = find(name)) return *row;
    std::string known;
    for (const auto& [n, row] : rows_) known += (known.empty() ? "" : ", ") + n;
    throw not_found("namespace '" + std::string(name) + "' does not exist (known: " + (known.empty() ? "none" : known) +
                    "); create it with engine.namespaces().ensure(name)");
}

const namespace_row* namespace_table::find_id(std::int64_t ns_id) const {
    for (const auto& [n, row] : rows_)
        if (row.ns_id == ns_id) return &row;
    return nullptr;
}

const namespace_row& namespace_table::add(std::string name, std::string description, std::int64_t now_us) {
    validate_namespace_name(name);
    namespace_row row{next_id_++, name, std::move(description), now_us, default_retention_ms};
    {
        std::lock_guard lk(snapshot_mutex_);
        snapshot_[name] = row.ns_id;
    }
    return rows_.emplace(std::move(name), std::move(row)).first->second;
}

const namespace_row& namespace_table::set_retention(std::string_view name, std::int64_t retention_ms) {
    if (retention_ms <= 0)
        throw invalid_argument("a namespace's retention must be positive, not " + std::to_string(retention_ms) + " ms");
    at(name);   // throws when it does not exist
    auto& row = rows_.find(name)->second;
    row.retention_ms = retention_ms;
    return row;
}

void namespace_table::remove(std::string_view name) {
    if (auto it = rows_.find(name); it != rows_.end()) rows_.erase(it);
    std::lock_guard lk(snapshot_mutex_);
    if (auto it = snapshot_.find(name); it != snapshot_.end()) {
        attributes_snapshot_.erase(it->second);
        snapshot_.erase(it);
    }
}

std::optional<std::int64_t> namespace_table::add_attribute(std::string_view name, const std::string& attr,
                                                           search_attribute_type type) {
    at(name);
    auto& row = rows_.find(name)->second;
    if (auto it = row.search_attributes.find(attr); it != row.search_attributes.end()) {
        if (it->second == type) return std::nullopt;
        throw already_exists("search attribute '" + attr + "' already exists in namespace '" + row.name + "' as " +
                             std::string(to_string(it->second)) + "; remove it first to give it another type");
    }
    check_custom_attribute_name(attr);
    row.search_attributes.emplace(attr, type);
    std::lock_guard lk(snapshot_mutex_);
    attributes_snapshot_[row.ns_id] = row.search_attributes;
    return row.ns_id;
}

std::int64_t namespace_table::remove_attribute(std::string_view name, std::string_view attr) {
    at(name);
    auto& row = rows_.find(name)->second;
    auto it = row.search_attributes.find(attr);
    if (it == row.search_attributes.end())
        throw not_found("namespace '" + row.name + "' has no search attribute '" + std::string(attr.substr(0, 100)) +
                        "'");
    row.search_attributes.erase(it);
    std::lock_guard lk(snapshot_mutex_);
    attributes_snapshot_[row.ns_id] = row.search_attributes;
    return row.ns_id;
}

std::map<std::string, search_attribute_type, std::less<>> namespace_table::attributes_snapshot(std::int64_t id) const {
    std::lock_guard lk(snapshot_mutex_);
    auto it = attributes_snapshot_.find(id);
    return it == attributes_snapshot_.end() ? std::map<std::string, search_attribute_type, std::less<>>{} : it->second;
}

std::optional<std::int64_t> namespace_table::id_snapshot(std::string_view name) const {
    std::lock_guard lk(snapshot_mutex_);
    auto it = snapshot_.find(name);
    if (it == snapshot_.end()) return std::nullopt;
    return it->second;
}

std::string namespace_table::name_snapshot(std::int64_t id) const {
    std::lock_guard lk(snapshot_mutex_);
    for (const auto& [n, i] : snapshot_)
        if (i == id) return n;
    return {};
}

}   // namespace perdure::detail
