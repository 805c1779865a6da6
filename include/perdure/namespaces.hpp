// Namespaces: isolated sets of workflows in one database. Persisted; names validated.
#pragma once

#include <chrono>
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

private:
    friend class engine;
    friend struct detail::core_access;
    explicit namespace_registry(std::shared_ptr<detail::engine_core> core) : core_(std::move(core)) {}
    std::shared_ptr<detail::engine_core> core_;
};

}   // namespace perdure
