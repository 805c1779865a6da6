// Commands from other processes (the perdure CLI beside a running engine): polled from the
// inbox table every 50 ms, claimed atomically (so a CLI that withdrew its row knows it did not
// run), applied through the same core code as the API, and answered in the row.
#include "codec/duration.hpp"
#include "history/fields.hpp"
#include "runtime/core.hpp"
#include "runtime/inbox_answers.hpp"

#include "store/store.hpp"

#include <perdure/error.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace perdure::detail {
namespace {

constexpr auto poll_interval = std::chrono::milliseconds(50);

std::optional<std::string> opt(const boost::json::object& o, const char* key) {
    if (const auto* v = o.if_contains(key); v && v->is_string()) return std::string(v->get_string());
    return std::nullopt;
}

std::optional<double> number(const boost::json::object& o, const char* key) {
    if (const auto* v = o.if_contains(key); v && v->is_number()) return v->to_number<double>();
    return std::nullopt;
}

const char* code_of(std::exception_ptr e) {
    try {
        std::rethrow_exception(e);
    } catch (const error& err) {
        switch (static_cast<errc>(err.code().value())) {
        case errc::not_found: return "not_found";
        case errc::already_exists: return "already_exists";
        case errc::invalid_argument: return "invalid_argument";
        case errc::failed_precondition: return "failed_precondition";
        case errc::database_locked: return "database_locked";
        case errc::storage_error: return "storage_error";
        default: return "failed_precondition";
        }
    } catch (...) {
        return "invalid_argument";
    }
}

std::string message_of(std::exception_ptr e) {
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& ex) {
        return ex.what();
    } catch (...) {
        return "unknown error";
    }
}

}  // namespace

boost::json::object inbox_answer(const namespace_info& n) {
    return {{"name", n.name}, {"description", n.description}, {"retention", format_duration(n.retention)}};
}

boost::json::object inbox_answer(const nexus::endpoint& e) {
    return {{"id", e.id},
            {"version", e.version},
            {"name", e.spec.name},
            {"target_namespace", e.spec.target_namespace},
            {"target_task_queue", e.spec.target_task_queue},
            {"description", e.spec.description},
            {"max_operations_per_second", e.spec.max_operations_per_second}};
}

void engine_core::start_inbox() {
    if (store_->in_memory()) return;
    inbox_timer_.expires_after(poll_interval);
    inbox_timer_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
        auto self = weak.lock();
        if (ec || !self || self->stopping_.load() || self->failed_.load()) return;
        try {
            self->poll_inbox();
        } catch (...) {
            // A command we cannot read is left for the next poll; the engine itself is fine.
        }
        self->maybe_sweep_retention();   // deletion left for an idle writer needs no commit to wake it
        self->start_inbox();
    });
}

void engine_core::poll_inbox() {
    for (auto& cmd : store_->reads().pending_commands(now_us_wall(), 32)) {
        if (!inbox_seen_.insert(cmd.id).second) continue;   // already being claimed
        auto claimed = std::make_shared<std::atomic<bool>>(false);
        write_unit unit;
        unit.ops.emplace_back(claim_inbox{cmd.id, claimed});
        unit.effects.emplace_back([this, id = cmd.id, command = std::move(cmd.command), claimed](std::exception_ptr e) mutable {
            inbox_seen_.erase(id);
            if (!e && claimed->load()) apply_inbox(id, command);
        });
        commit(std::move(unit));
    }
}

void engine_core::apply_inbox(std::int64_t id, const std::string& command) {
    auto answer = [this, id](std::exception_ptr e, boost::json::object result) {
        if (e) result = {{"error", message_of(e)}, {"code", code_of(e)}};
        write_unit unit;
        unit.ops.emplace_back(finish_inbox{id, e ? "failed" : "done", boost::json::serialize(result)});
        commit(std::move(unit));
    };
    boost::json::object c;
    try {
        auto v = boost::json::parse(command);
        if (!v.is_object()) throw invalid_argument("an inbox command must be a JSON object");
        c = std::move(v.get_object());
    } catch (const std::exception& ex) {
        return answer(std::make_exception_ptr(invalid_argument(std::string("malformed inbox command: ") + ex.what())), {});
    }
    const auto op = text(c, "op");
    auto done = [answer](std::exception_ptr e, bool) mutable { answer(e, {}); };
    auto namespace_answer = [answer](std::exception_ptr e, namespace_info n) mutable { answer(e, inbox_answer(n)); };
    std::chrono::milliseconds retention{0};
    if (const auto* r = c.if_contains("retention_ms")) {
        if (!r->is_int64())
            return answer(std::make_exception_ptr(invalid_argument("an inbox command's retention_ms must be an integer")), {});
        retention = std::chrono::milliseconds(r->as_int64());
    }
    if (op == "namespace.create" && retention.count() == 0)
        return create_namespace(text(c, "namespace"), text(c, "description"), false, std::move(namespace_answer));
    if (op == "namespace.create")   // then its retention; refused values were refused by the CLI already
        return create_namespace(text(c, "namespace"), text(c, "description"), false,
                                [this, name = text(c, "namespace"), retention, namespace_answer](std::exception_ptr e, namespace_info n) mutable {
                                    if (e) return namespace_answer(e, std::move(n));
                                    set_namespace_retention(name, retention, std::move(namespace_answer));
                                });
    if (op == "namespace.update") return set_namespace_retention(text(c, "namespace"), retention, std::move(namespace_answer));
    if (op == "namespace.delete") return remove_namespace(text(c, "namespace"), std::move(done));
    if (op == "endpoint.create")
        return create_endpoint({text(c, "name"), text(c, "target_namespace"), text(c, "target_task_queue"), text(c, "description"),
                                number(c, "max_operations_per_second").value_or(0)},
                               false, [answer](std::exception_ptr e, nexus::endpoint ep) mutable { answer(e, inbox_answer(ep)); });
    if (op == "endpoint.update")
        return update_endpoint(text(c, "name"),
                               {opt(c, "new_name"), opt(c, "target_namespace"), opt(c, "target_task_queue"), opt(c, "description"), {},
                                number(c, "max_operations_per_second")},
                               [answer](std::exception_ptr e, nexus::endpoint ep) mutable { answer(e, inbox_answer(ep)); });
    if (op == "endpoint.delete") return remove_endpoint(text(c, "name"), std::move(done));
    if (op == "workflow.signal")
        return signal_workflow(text(c, "namespace"), text(c, "workflow_id"), text(c, "run_id"), text(c, "signal"),
                               c.contains("input") ? c.at("input") : nullptr, std::move(done));
    if (op == "workflow.cancel")
        return cancel_workflow(text(c, "namespace"), text(c, "workflow_id"), text(c, "run_id"), "", std::move(done));
    if (op == "workflow.terminate")
        return terminate_workflow(text(c, "namespace"), text(c, "workflow_id"), text(c, "run_id"), "", text(c, "reason"),
                                  std::move(done));
    answer(std::make_exception_ptr(invalid_argument("unknown inbox command '" + op + "'")), {});
}

std::int64_t engine_core::now_us_wall() const {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace perdure::detail
