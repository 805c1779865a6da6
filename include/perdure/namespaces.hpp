// Namespaces: isolated sets of workflows in one database. Persisted; names validated.
#pragma once

#include <perdure/search_attributes.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace perdure {

namespace detail {
class engine_core;
struct core_access;
}   // namespace detail

struct namespace_info {
    std::string name{}, description{};
    std::chrono::system_clock::time_point created{};
    std::chrono::milliseconds retention{};   ///< closed runs are kept this long
    bool operator==(const namespace_info&) const = default;
};

class namespace_registry {
public:
    /// Creates a namespace; returns after it is committed. Throws already_exists, invalid_argument.
    namespace_info create(std::string name, std::string description = {});
    /// Creates it, or returns the existing one (idempotent setup).
    namespace_info ensure(std::string name, std::string description = {});
    std::vector<namespace_info> list();
    /// Throws not_found.
    namespace_info describe(std::string_view name);
    /// How long closed runs are kept (7 days unless set), like Temporal's namespace retention;
    /// older ones are deleted in the background. Throws not_found, invalid_argument.
    namespace_info set_retention(std::string_view name, std::chrono::milliseconds retention);
    /// Throws not_found, or failed_precondition while it has open workflows.
    void remove(std::string_view name);

    /// Registers a custom search attribute in namespace `ns` (Temporal's
    /// `operator search-attribute create`); returns after it is committed. Registering it again
    /// with the same type does nothing. Throws not_found (namespace), invalid_argument (a name
    /// that is not 1 to 64 letters, digits or '_' starting with a letter, or one Temporal
    /// reserves), already_exists (registered with another type).
    void add_search_attribute(std::string_view ns, std::string_view name, search_attribute_type type);
    /// The custom search attributes of namespace `ns`, by name. Throws not_found.
    std::map<std::string, search_attribute_type> search_attributes(std::string_view ns);
    /// Unregisters a custom search attribute and deletes every run's values of it; queries stop
    /// finding runs by it once this returns. Throws not_found (namespace or attribute).
    void remove_search_attribute(std::string_view ns, std::string_view name);

private:
    friend class engine;
    friend struct detail::core_access;
    explicit namespace_registry(std::shared_ptr<detail::engine_core> core) : core_(std::move(core)) {}
    std::shared_ptr<detail::engine_core> core_;
};

}   // namespace perdure
