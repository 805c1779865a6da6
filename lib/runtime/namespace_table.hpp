// The namespaces that exist, by name, owned by the strand; a copy of the name-to-id map is
// kept under a lock so clients off the strand can resolve a name without a round trip.
#pragma once

#include "store/rows.hpp"

#include <perdure/namespaces.hpp>

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace perdure::detail {

class namespace_table {
public:
    /// The namespaces a store holds, replacing those known; ids continue after `max_id_ever`
    /// (deleted ones' ids are never reused).
    void load(std::vector<namespace_row> rows, std::int64_t max_id_ever);

    // ---- the strand's view ----
    const namespace_row* find(std::string_view name) const;
    /// The namespace called `name`; throws not_found naming the namespaces that exist and how
    /// to create one.
    const namespace_row& at(std::string_view name) const;
    std::int64_t id_of(std::string_view name) const { return at(name).ns_id; }
    /// The namespace with id `ns_id`; null when it no longer exists.
    const namespace_row* find_id(std::int64_t ns_id) const;
    const std::map<std::string, namespace_row, std::less<>>& all() const noexcept { return rows_; }

    /// Adds a namespace (throws invalid_argument for a bad name); the caller checked it is new.
    const namespace_row& add(std::string name, std::string description, std::int64_t now_us);
    /// Changes a namespace's retention (throws for a missing one or a retention that is not
    /// positive); returns the row to store.
    const namespace_row& set_retention(std::string_view name, std::int64_t retention_ms);
    void remove(std::string_view name);
    /// Registers the search attribute `attr` of `type` in namespace `name` and returns the
    /// namespace's id, or nullopt when it is already registered with that type. Throws
    /// not_found, invalid_argument (a bad or reserved name), already_exists (another type).
    std::optional<std::int64_t> add_attribute(std::string_view name, const std::string& attr,
                                              search_attribute_type type);
    /// Unregisters it; returns the namespace's id. Throws not_found.
    std::int64_t remove_attribute(std::string_view name, std::string_view attr);

    // ---- thread-safe, for callers off the strand ----
    std::optional<std::int64_t> id_snapshot(std::string_view name) const;
    /// The name of a namespace id, or empty when it does not exist (any more).
    std::string name_snapshot(std::int64_t id) const;
    /// The custom search attributes of a namespace, by name; empty when it does not exist.
    std::map<std::string, search_attribute_type, std::less<>> attributes_snapshot(std::int64_t id) const;

private:
    std::map<std::string, namespace_row, std::less<>> rows_;
    std::int64_t next_id_ = 1;
    mutable std::mutex snapshot_mutex_;
    std::map<std::string, std::int64_t, std::less<>> snapshot_;
    std::map<std::int64_t, std::map<std::string, search_attribute_type, std::less<>>> attributes_snapshot_;
};

/// A namespace as the public API describes it.
namespace_info info_of(const namespace_row& row);

}   // namespace perdure::detail
