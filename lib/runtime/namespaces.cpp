// The engine's namespace calls: the table changes on the strand, and each answer waits for
// the change (or, for reads, every earlier change) to commit.
#include "runtime/core.hpp"

#include <perdure/error.hpp>

namespace perdure::detail {

void engine_core::create_namespace(std::string name, std::string description, bool ensure,
                                   callback<namespace_info> cb) {
    if (standing_by())
        return namespace_via_owner(
            namespace_create_command{name, std::move(description), {}}, name,
            [this, name, ensure, cb = std::move(cb)](std::exception_ptr e, namespace_info n) mutable {
                if (!e || !ensure) return cb(e, std::move(n));
                try {
                    std::rethrow_exception(e);
                } catch (const already_exists&) {
                    return describe_namespace(std::move(name), std::move(cb));
                } catch (...) {
                    return cb(std::current_exception(), {});
                }
            });
    post([this, name = std::move(name), description = std::move(description), ensure, cb = std::move(cb)]() mutable {
        if (standing_by_) return create_namespace(std::move(name), std::move(description), ensure, std::move(cb));
        if (auto e = unavailable()) return cb(e, {});
        namespace_row row;
        try {
            if (const auto* existing = namespaces_.find(name)) {
                if (!ensure) throw already_exists("namespace '" + name + "' already exists");
                return cb(nullptr, info_of(*existing));
            }
            row = namespaces_.add(std::move(name), std::move(description), now_us());
        } catch (...) {
            return cb(std::current_exception(), {});
        }
        write_unit unit;
        unit.ops.emplace_back(upsert_namespace{row});
        unit.effects.emplace_back([cb = std::move(cb), row](std::exception_ptr e) mutable { cb(e, info_of(row)); });
        commit(std::move(unit));
    });
}

void engine_core::set_namespace_retention(std::string name, std::chrono::milliseconds retention,
                                          callback<namespace_info> cb) {
    if (standing_by()) return namespace_via_owner(namespace_update_command{name, retention}, name, std::move(cb));
    post([this, name = std::move(name), retention, cb = std::move(cb)]() mutable {
        if (standing_by_) return set_namespace_retention(std::move(name), retention, std::move(cb));
        if (auto e = unavailable()) return cb(e, {});
        namespace_row row;
        try {
            row = namespaces_.set_retention(name, retention.count());
        } catch (...) {
            return cb(std::current_exception(), {});
        }
        write_unit unit;
        unit.ops.emplace_back(upsert_namespace{row});
        unit.effects.emplace_back([this, cb = std::move(cb), row](std::exception_ptr e) mutable {
            if (!e) retention_.look_soon();
            cb(e, info_of(row));
        });
        commit(std::move(unit));
    });
}

void engine_core::remove_namespace(std::string name, callback<bool> cb) {
    if (standing_by()) return message_via_owner(namespace_delete_command{std::move(name)}, std::move(cb));
    post([this, name = std::move(name), cb = std::move(cb)]() mutable {
        if (standing_by_) return remove_namespace(std::move(name), std::move(cb));
        if (auto e = unavailable()) return cb(e, false);
        std::int64_t id = 0;
        try {
            id = namespace_id(name);
            for (const auto& [key, r] : lifecycle_.runs().all())
                if (r->ns_id == id && r->status == run_status::running)
                    throw failed_precondition("namespace '" + name +
                                              "' still has open workflows; cancel or terminate them first");
        } catch (...) {
            return cb(std::current_exception(), false);
        }
        namespaces_.remove(name);
        // Marked deleted now; its closed runs go in the background, as retention deletes runs.
        write_unit unit;
        unit.ops.emplace_back(delete_namespace{id});
        unit.effects.emplace_back([this, cb = std::move(cb)](std::exception_ptr e) mutable {
            if (!e) retention_.purge_deleted_namespaces_soon();
            cb(e, e == nullptr);
        });
        commit(std::move(unit));
    });
}

void engine_core::list_namespaces(callback<std::vector<namespace_info>> cb) {
    post([this, cb = std::move(cb)]() mutable {
        if (auto e = unavailable()) return cb(e, {});
        std::vector<namespace_info> out;
        for (const auto& [n, row] : namespaces_.all()) out.push_back(info_of(row));
        write_unit unit;   // answer once every earlier change is committed
        unit.effects.emplace_back(
            [cb = std::move(cb), out = std::move(out)](std::exception_ptr e) mutable { cb(e, std::move(out)); });
        commit(std::move(unit));
    });
}

void engine_core::describe_namespace(std::string name, callback<namespace_info> cb) {
    post([this, name = std::move(name), cb = std::move(cb)]() mutable {
        if (auto e = unavailable()) return cb(e, {});
        namespace_info info;
        try {
            info = info_of(namespaces_.at(name));
        } catch (...) {
            return cb(std::current_exception(), {});
        }
        write_unit unit;
        unit.effects.emplace_back(
            [cb = std::move(cb), info = std::move(info)](std::exception_ptr e) mutable { cb(e, std::move(info)); });
        commit(std::move(unit));
    });
}

}   // namespace perdure::detail
