// Engine core: opening, the commit pipeline (units, effects after commit), failure, shutdown.
#include "runtime/core.hpp"

#include "history/fields.hpp"
#include "history/retry_policy.hpp"

#include <boost/json/parse.hpp>

#include <perdure/error.hpp>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include <future>

namespace perdure::detail {

engine_core::engine_core(engine_options options, boost::asio::io_context* external_io)
    : options_(std::move(options)),
      clock_(options_.clock ? options_.clock : system_clock()),
      own_io_(external_io ? nullptr : std::make_unique<boost::asio::io_context>(1)),
      io_(external_io ? external_io : own_io_.get()),
      strand_(boost::asio::make_strand(*io_)),
      tick_timer_(strand_),
      inbox_timer_(strand_) {
    store_ = open_store(options_, options_.maintenance ? open_mode::maintenance : open_mode::owner,
                        commit_callbacks{
                            [this](std::uint64_t last) { post([this, last] { on_committed(last); }); },
                            [this](std::uint64_t first, commit_failure failure) {
                                post([this, first, failure = std::move(failure)] { on_commit_failed(first, failure); });
                            }});
    activity_pool_ = std::make_unique<boost::asio::thread_pool>(std::max<std::size_t>(1, options_.activity_threads));
    nexus_pool_ = std::make_unique<boost::asio::thread_pool>(std::max<std::size_t>(1, options_.nexus_handler_threads));

    // The index of what exists; nothing is replayed (runs are rebuilt when an event reaches them).
    {
        auto& reads = store_->reads();
        next_ns_id_ = reads.max_namespace_id() + 1;   // deleted namespaces' ids are never reused
        for (auto& ns : reads.namespaces()) {
            ns_snapshot_[ns.name] = ns.ns_id;
            namespaces_.emplace(ns.name, std::move(ns));
        }
        for (const auto& e : reads.endpoints()) endpoints_.put(endpoint_of(e));
        next_run_key_ = reads.max_run_key() + 1;
        next_delivery_seq_ = std::min<std::int64_t>(-1, reads.min_task_seq() - 1);
        for (auto& row : reads.open_runs()) {
            auto r = std::make_unique<run_state>();
            r->run_key = row.exec.run_key;
            r->ns_id = row.exec.ns_id;
            r->workflow_id = std::move(row.exec.workflow_id);
            r->run_id = std::move(row.exec.run_id);
            r->workflow_type = std::move(row.exec.workflow_type);
            r->task_queue = std::move(row.exec.task_queue);
            r->start_time_us = row.exec.start_time_us;
            r->first_run_id = std::move(row.exec.first_run_id);
            r->request_id = std::move(row.exec.request_id);
            r->next_event_id = row.last_event_id + 1;
            r->task_failure_message = std::move(row.exec.task_failure);
            r->execution_deadline_us = row.exec.execution_deadline_us;
            boost::system::error_code ec;
            if (auto opts = boost::json::parse(row.exec.options, ec); !ec && opts.is_object()) {
                const auto& o = opts.get_object();
                if (const auto* a = o.if_contains("attempt"); a && a->is_int64()) r->attempt = static_cast<int>(a->get_int64());
                if (const auto* t = o.if_contains("run_timeout_ms"); t && t->is_int64()) r->run_timeout_ms = t->get_int64();
                if (const auto* p = o.if_contains("retry_policy")) r->retry = retry_policy_from_json(*p);
            }
            if (auto callbacks = boost::json::parse(row.exec.callbacks, ec); !ec && callbacks.is_array())
                for (const auto& cb : callbacks.get_array()) r->callbacks.push_back(nexus_callback::from_json(cb.as_object()));
            if (!row.exec.parent.empty()) {
                if (auto parent = boost::json::parse(row.exec.parent, ec); !ec && parent.is_object()) {
                    const auto& p = parent.get_object();
                    r->parent_run_key = p.at("run_key").as_int64();
                    r->parent_initiated_event_id = p.at("initiated_event_id").as_int64();
                    r->parent_close = static_cast<parent_close_policy>(p.at("parent_close_policy").as_int64());
                    children_[r->parent_run_key].insert(r->run_key);
                }
            }
            // A history that ends with an inbound event still owes an activation.
            const auto last = static_cast<event_type>(row.last_event_type);
            r->owes_activation = last != event_type::workflow_task_completed && !is_command_event(last);
            open_by_workflow_id_[{r->ns_id, r->workflow_id}] = r->run_key;
            runs_.emplace(r->run_key, std::move(r));
        }
    }

    if (own_io_) {
        io_guard_.emplace(own_io_->get_executor());
        loop_thread_ = std::thread([io = own_io_.get()] { io->run(); });
    }
}

engine_core::~engine_core() { shutdown(); }

std::int64_t engine_core::now_us() const {
    return std::chrono::duration_cast<std::chrono::microseconds>(clock_->now().time_since_epoch()).count();
}

std::exception_ptr engine_core::unavailable() const {
    if (failed_.load()) return failure_ ? failure_ : std::make_exception_ptr(storage_error("the engine failed"));
    if (stopping_.load())
        return std::make_exception_ptr(engine_stopped("the engine was shut down; create a new engine to continue"));
    return nullptr;
}

void engine_core::check_blocking_allowed(const char* call) const {
    if (on_strand())
        throw failed_precondition(std::string(call) +
                                  " blocks, and was called on the engine's own strand where it would deadlock; use "
                                  "its async_ form (perdure/asio.hpp) there");
}

void engine_core::start() {
    if (auto e = unavailable()) std::rethrow_exception(e);
    if (options_.maintenance)
        throw failed_precondition("an engine opened with engine_options::maintenance runs no workflows; open it without "
                                  "maintenance to start work");
    std::promise<void> done;
    post([this, &done] {
        begin_work();
        done.set_value();
    });
    done.get_future().get();
}

void engine_core::on_client_call() {
    if (start_on_client_call_.exchange(false) && !unavailable()) post([this] { begin_work(); });
}

void engine_core::begin_work() {
    if (!started_.exchange(true)) recover();
}

// ---------------------------------------------------------------- the commit pipeline

std::uint64_t engine_core::commit(write_unit&& unit) {
    if (auto e = unavailable(); e && failed_.load()) {
        for (auto& fx : unit.effects) fx(e);
        return 0;
    }
    if (unit.ops.empty()) {
        // Nothing to write: release with the last unit still in flight, or at once.
        if (!pending_effects_.empty()) {
            for (auto& fx : unit.effects) pending_effects_.back().second.push_back(std::move(fx));
            return pending_effects_.back().first;
        }
        for (auto& fx : unit.effects) fx(nullptr);
        return committed_unit_;
    }
    carry_expired(unit);
    work_.add(work_tracker::writer);
    const auto seq = store_->append(std::move(unit.ops));
    last_unit_ = seq;
    for (auto key : unit.runs)
        if (auto* r = find_run(key)) r->last_unit = seq;
    pending_effects_.emplace_back(seq, std::move(unit.effects));
    return seq;
}

void engine_core::on_committed(std::uint64_t last) {
    if (failed_.load()) return;
    committed_unit_ = std::max(committed_unit_, last);
    long units = 0;
    while (!pending_effects_.empty() && pending_effects_.front().first <= committed_unit_) {
        auto effects = std::move(pending_effects_.front().second);
        pending_effects_.pop_front();
        ++units;
        for (auto& fx : effects) fx(nullptr);
    }
    // Runs waiting for their events to be readable can now be loaded; idle ones evicted.
    if (!waiting_for_commit_.empty()) {
        auto waiting = std::move(waiting_for_commit_);
        waiting_for_commit_.clear();
        for (auto key : waiting)
            if (auto* r = find_run(key)) {
                r->activation_scheduled = false;
                activate(key);
            }
    }
    evict_if_needed();
    maybe_sweep_retention();
    work_.done(work_tracker::writer, units);
}

void engine_core::on_commit_failed(std::uint64_t, const commit_failure& failure) {
    // A lost ownership (only a shared store has one to lose) stops this engine the same way:
    // its runs now belong to the engine that took them over.
    fail_engine(std::make_exception_ptr(storage_error(
        failure.message + "; the engine stopped: nothing uncommitted was acknowledged; reopen the database to recover")));
}

void engine_core::fail_engine(std::exception_ptr e) noexcept {
    if (failed_.exchange(true)) return;
    try {
        std::rethrow_exception(e);
    } catch (const error&) {
        failure_ = e;
    } catch (const std::exception& ex) {
        failure_ = std::make_exception_ptr(
            storage_error(std::string("the engine failed on an internal error: ") + ex.what() +
                          "; reopen the database to recover (nothing committed is lost)"));
    } catch (...) {
        failure_ = std::make_exception_ptr(storage_error("the engine failed on an unknown internal error"));
    }
    try {
        for (auto& [seq, effects] : pending_effects_)
            for (auto& fx : effects) fx(failure_);
        pending_effects_.clear();
        for (auto& [key, r] : runs_) {
            for (auto& in : r->pending)
                for (auto& cb : in.on_recorded) cb(failure_);
            r->pending.clear();
            for (auto& w : r->result_waiters) w(failure_, nullptr);
            r->result_waiters.clear();
            r->inst.reset();
        }
        for (auto& [key, t] : activities_)
            if (t.control) t.control->cancel = true;
        tick_timer_.cancel();
    } catch (...) {
    }
}

// ---------------------------------------------------------------- shutdown

void engine_core::shutdown() {
    if (stopping_.exchange(true)) return;
    auto barrier = [this] {
        if (on_strand()) return;
        if (!own_io_ && io_->stopped()) return;
        std::promise<void> done;
        boost::asio::post(strand_, [&done] { done.set_value(); });
        done.get_future().wait();
    };
    // Running activities see cancellation through heartbeat(); queued ones never start.
    {
        std::promise<void> done;
        boost::asio::post(strand_, [this, &done] {
            for (auto& [key, t] : activities_)
                if (t.control) t.control->cancel = true;
            tick_timer_.cancel();
            inbox_timer_.cancel();
            done.set_value();
        });
        if (!on_strand() && (own_io_ || !io_->stopped())) done.get_future().wait();
    }
    activity_pool_->join();
    nexus_pool_->join();
    barrier();            // results of the last attempts have become units
    store_->stop_writes();   // commits everything queued
    barrier();               // their effects have run
    if (clock_subscription_) clock_->unsubscribe(clock_subscription_);
    // Handles may outlive the engine; the file and its lock may not.
    store_->close();
    io_guard_.reset();
    if (own_io_) {
        own_io_->stop();
        if (loop_thread_.joinable()) loop_thread_.join();
    }
}

// ---------------------------------------------------------------- namespaces

namespace {

namespace_info info_of(const namespace_row& r) {
    return {r.name, r.description, from_us(r.created_us), std::chrono::milliseconds(r.retention_ms)};
}

void validate_namespace_name(const std::string& name) {
    auto ok = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'; };
    const bool valid = !name.empty() && name.size() <= 255 && std::isalnum(static_cast<unsigned char>(name.front())) &&
                       std::isalnum(static_cast<unsigned char>(name.back())) &&
                       std::all_of(name.begin(), name.end(), ok);
    if (!valid)
        throw invalid_argument("invalid namespace name '" + name +
                               "': use 1 to 255 letters, digits, '-', '_' or '.', starting and ending with a letter "
                               "or digit");
}

constexpr std::int64_t default_retention_ms = 7LL * 24 * 3600 * 1000;

}  // namespace

std::optional<std::int64_t> engine_core::find_namespace(std::string_view name) const {
    auto it = namespaces_.find(name);
    if (it == namespaces_.end()) return std::nullopt;
    return it->second.ns_id;
}

std::int64_t engine_core::namespace_id(std::string_view name) const {
    if (auto id = find_namespace(name)) return *id;
    std::string known;
    for (const auto& [n, row] : namespaces_) known += (known.empty() ? "" : ", ") + n;
    throw not_found("namespace '" + std::string(name) + "' does not exist (known: " +
                    (known.empty() ? "none" : known) + "); create it with engine.namespaces().ensure(name)");
}

std::optional<std::int64_t> engine_core::namespace_id_snapshot(std::string_view name) const {
    std::lock_guard lk(ns_snapshot_mutex_);
    auto it = ns_snapshot_.find(name);
    if (it == ns_snapshot_.end()) return std::nullopt;
    return it->second;
}

std::string engine_core::namespace_name(std::int64_t id) const {
    std::lock_guard lk(ns_snapshot_mutex_);
    for (const auto& [n, i] : ns_snapshot_)
        if (i == id) return n;
    return {};
}

void engine_core::create_namespace(std::string name, std::string description, bool ensure,
                                   callback<namespace_info> cb) {
    post([this, name = std::move(name), description = std::move(description), ensure, cb = std::move(cb)]() mutable {
        if (auto e = unavailable()) return cb(e, {});
        try {
            validate_namespace_name(name);
            if (auto it = namespaces_.find(name); it != namespaces_.end()) {
                if (!ensure) throw already_exists("namespace '" + name + "' already exists");
                return cb(nullptr, info_of(it->second));
            }
        } catch (...) {
            return cb(std::current_exception(), {});
        }
        namespace_row row{next_ns_id_++, name, description, now_us(), default_retention_ms};
        namespaces_.emplace(name, row);
        {
            std::lock_guard lk(ns_snapshot_mutex_);
            ns_snapshot_[name] = row.ns_id;
        }
        write_unit unit;
        unit.ops.emplace_back(upsert_namespace{row});
        unit.effects.emplace_back([cb = std::move(cb), row](std::exception_ptr e) mutable { cb(e, info_of(row)); });
        commit(std::move(unit));
    });
}

void engine_core::set_namespace_retention(std::string name, std::chrono::milliseconds retention,
                                          callback<namespace_info> cb) {
    post([this, name = std::move(name), retention, cb = std::move(cb)]() mutable {
        if (auto e = unavailable()) return cb(e, {});
        try {
            if (retention.count() <= 0)
                throw invalid_argument("a namespace's retention must be positive, not " +
                                       std::to_string(retention.count()) + " ms");
            namespace_id(name);
        } catch (...) {
            return cb(std::current_exception(), {});
        }
        auto& row = namespaces_.at(name);
        row.retention_ms = retention.count();
        write_unit unit;
        unit.ops.emplace_back(upsert_namespace{row});
        unit.effects.emplace_back([this, cb = std::move(cb), row](std::exception_ptr e) mutable {
            if (!e) sweep_retention_soon();
            cb(e, info_of(row));
        });
        commit(std::move(unit));
    });
}

void engine_core::remove_namespace(std::string name, callback<bool> cb) {
    post([this, name = std::move(name), cb = std::move(cb)]() mutable {
        if (auto e = unavailable()) return cb(e, false);
        std::int64_t id = 0;
        try {
            id = namespace_id(name);
            for (const auto& [key, r] : runs_)
                if (r->ns_id == id && r->status == run_status::running)
                    throw failed_precondition("namespace '" + name +
                                              "' still has open workflows; cancel or terminate them first");
        } catch (...) {
            return cb(std::current_exception(), false);
        }
        namespaces_.erase(namespaces_.find(name));
        {
            std::lock_guard lk(ns_snapshot_mutex_);
            ns_snapshot_.erase(name);
        }
        // Marked deleted now; its closed runs go in the background, as retention deletes runs.
        write_unit unit;
        unit.ops.emplace_back(delete_namespace{id});
        unit.effects.emplace_back([this, cb = std::move(cb)](std::exception_ptr e) mutable {
            if (!e) purge_deleted_namespaces_soon();
            cb(e, e == nullptr);
        });
        commit(std::move(unit));
    });
}

void engine_core::list_namespaces(callback<std::vector<namespace_info>> cb) {
    post([this, cb = std::move(cb)]() mutable {
        if (auto e = unavailable()) return cb(e, {});
        std::vector<namespace_info> out;
        for (const auto& [n, row] : namespaces_) out.push_back(info_of(row));
        write_unit unit;   // answer once every earlier change is committed
        unit.effects.emplace_back([cb = std::move(cb), out = std::move(out)](std::exception_ptr e) mutable {
            cb(e, std::move(out));
        });
        commit(std::move(unit));
    });
}

void engine_core::describe_namespace(std::string name, callback<namespace_info> cb) {
    post([this, name = std::move(name), cb = std::move(cb)]() mutable {
        if (auto e = unavailable()) return cb(e, {});
        auto it = namespaces_.find(name);
        if (it == namespaces_.end()) {
            try {
                namespace_id(name);
            } catch (...) {
                return cb(std::current_exception(), {});
            }
        }
        write_unit unit;
        unit.effects.emplace_back([cb = std::move(cb), info = info_of(it->second)](std::exception_ptr e) mutable {
            cb(e, std::move(info));
        });
        commit(std::move(unit));
    });
}

}  // namespace perdure::detail
