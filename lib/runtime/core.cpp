// Engine core: opening, the commit pipeline (units, effects after commit), failure, shutdown.
#include "runtime/core.hpp"

#include "client/core_access.hpp"

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
      store_(open_store(options_, options_.maintenance ? open_mode::maintenance : open_mode::owner, commit_reports())),
      pipeline_(*store_),
      link_(*store_, strand_),
      standing_by_(store_->standing_by()),
      standby_timer_(strand_),
      inbox_(*this, strand_),
      lifecycle_(*this, workers_, queries_updates_, options_),
      outbox_(*this),
      family_(*this, outbox_),
      queries_updates_(*this, options_.limits.max_payload_bytes),
      timer_(*this, clock_, strand_),
      activities_(*this, outbox_, workers_, work_, clock_, strand_,
                  {.threads = options_.activity_threads,
                   .max_result_bytes = options_.limits.max_payload_bytes,
                   .offer_unserved = store_->shares_tasks()}),
      claimed_{{*this, *store_, workers_, clock_, strand_, options_.activity_threads},
               {*this, *store_, workers_, options_.nexus_handler_threads},
               {*this, *store_, workers_, options_.limits}},
      nexus_(*this, outbox_, endpoints_, workers_, work_,
             {.handler_threads = options_.nexus_handler_threads,
              .max_payload_bytes = options_.limits.max_payload_bytes,
              .offer_unserved = store_->shares_tasks()}) {
    // A standby's runs are the owner's: it loads them when it takes over.
    if (standing_by_)
        reload_registries();
    else
        load_index(store_->reads(), {namespaces_, endpoints_, lifecycle_.runs(), outbox_, family_});
    lifecycle_.runs().take_keys_from([this] { return store_->reserve_run_keys(); });
    if (own_io_) {
        io_guard_.emplace(own_io_->get_executor());
        loop_thread_ = std::thread([io = own_io_.get()] { io->run(); });
    }
}

engine_core::~engine_core() { shutdown(); }

strand_handoff engine_core::handoff() {
    return [weak = weak_from_this()](unique_function<void()> job, std::optional<work_tracker::kind> ends) {
        if (auto self = weak.lock()) {
            self->post(std::move(job));
            if (ends) self->work_.done(*ends);
        }
    };
}

std::optional<run_status> engine_core::latest_run_status(std::int64_t ns_id, std::string_view workflow_id) {
    if (auto row = store_->reads().find_latest_run(ns_id, workflow_id)) return row->status;
    return std::nullopt;
}

std::vector<event> engine_core::history_from(std::int64_t run_key, std::int64_t first_event_id) {
    return store_->reads().history(run_key, first_event_id);
}

boost::json::object engine_core::started_attributes(const run_state& r) {
    if (r.inst) return r.inst->started_attributes();
    if (auto e = store_->reads().event_at(r.run_key, 1)) return std::move(e->attrs);
    return {};
}

void engine_core::read_history(std::int64_t run_key, history_reader then) {
    work_.add(work_tracker::reader);
    ++history_reads_;
    (void)store_->post_read([self = shared_from_this(), run_key, then = std::move(then),
                             spent = std::exchange(spent_histories_, {})](store_reads& reads) mutable {
        spent.clear();
        std::vector<event> history;
        std::exception_ptr error;
        try {
            history = reads.history(run_key);
        } catch (...) {
            error = std::current_exception();
        }
        self->post([self, then = std::move(then), history = std::move(history), error]() mutable {
            then(error, history);
            self->spend(std::move(history));
        });
        self->work_.done(work_tracker::reader);
    });
}

void engine_core::spend(std::vector<event> history) {
    // Its memory came from the reader thread's malloc arena. Freed on the strand, each block would
    // take that arena's lock against the reader allocating the next history (when many runs are
    // loaded at once, a tenth of the strand's time); the next read frees it on the reader instead.
    if (--history_reads_ == 0) {
        spent_histories_.clear();   // no read is on its way to take them
        return;
    }
    spent_histories_.push_back(std::move(history));
}

std::vector<std::string> engine_core::failing_tasks(std::chrono::milliseconds patience) {
    auto answer = std::make_shared<std::promise<std::vector<std::string>>>();
    auto found = answer->get_future();
    // Not counted as strand work: asking must not hold the clock it reports on.
    boost::asio::post(strand_,
                      [self = shared_from_this(), answer] { answer->set_value(self->lifecycle_.failing_tasks()); });
    if (found.wait_for(patience) != std::future_status::ready) return {};
    return found.get();
}

void engine_core::attach_engine(nexus::operation_context& ctx) { core_access::attach(ctx, shared_from_this()); }

commit_callbacks engine_core::commit_reports() {
    // Called on the store's writer thread: the strand takes it from there.
    return {[this](std::uint64_t last) { post([this, last] { on_committed(last); }); },
            [this](std::uint64_t first, commit_failure failure) {
                post([this, first, failure = std::move(failure)] { on_commit_failed(first, failure); });
            }};
}

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
        throw failed_precondition(
            "an engine opened with engine_options::maintenance runs no workflows; open it without "
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
    start_requested_ = true;
    if (standing_by_) return claimed_.claim();   // its own work begins when it takes over
    if (started_.exchange(true)) return;
    auto& reads = store_->reads();
    resume_work(*this, reads.deadlines(), reads.tasks(), lifecycle_.runs());
    timer_.start(weak_from_this());
}

// ---------------------------------------------------------------- the commit pipeline

std::uint64_t engine_core::commit(write_unit&& unit) {
    if (auto e = unavailable(); e && failed_.load()) {
        for (auto& fx : unit.effects) fx(e);
        return 0;
    }
    if (unit.ops.empty()) return pipeline_.submit({}, std::move(unit.effects));
    if (standing_by_) {   // a job left from before step_back: the runs it wrote for are the owner's
        const auto moved = std::make_exception_ptr(storage_error(
            "this engine stands by beside the engine that owns the data now: the change was not applied"));
        for (auto& fx : unit.effects) fx(moved);
        return 0;
    }
    retention_.carry(unit.ops, retention_moment(), lifecycle_.runs());
    work_.add(work_tracker::writer);
    // A unit that hands off holds the writer before it is queued: once queued, a writer awake at
    // that moment could take it into a batch of its own before the receiving runs queue theirs.
    std::shared_ptr<void> held;
    if (!unit.on_queued.empty()) {
        store_->hold_batch();
        held = std::shared_ptr<void>(nullptr, [store = store_.get()](void*) { store->release_batch(); });
    }
    const auto seq = pipeline_.submit(std::move(unit.ops), std::move(unit.effects));
    for (auto key : unit.runs)
        if (auto* r = find_run(key)) r->last_unit = seq;
    if (!unit.on_queued.empty()) hand_off(std::move(unit.on_queued), std::move(held));
    return seq;
}

void engine_core::hand_off(std::vector<unique_function<void()>> hand_offs, std::shared_ptr<void> held) {
    // The writer waits until the receiving runs have queued what they record, so that both
    // sides commit in one batch. Posted, not called: commit()'s caller may hold state they change.
    post([this, hand_offs = std::move(hand_offs), held]() mutable {
        for (auto& h : hand_offs) h();
        post([held] {});   // after the activations the hand-offs posted
    });
}

void engine_core::on_committed(std::uint64_t last) {
    if (failed_.load()) return;
    const long units = pipeline_.committed(last);
    lifecycle_.on_committed();
    maybe_sweep_retention();
    work_.done(work_tracker::writer, units);
}

void engine_core::on_commit_failed(std::uint64_t, const commit_failure& failure) {
    // A lost ownership (only a shared store has one to lose): the runs belong to the engine that
    // took them over, and this one stands by beside it.
    // (Unless it is shutting down or being destroyed: then it simply stops.)
    if (failure.reason == commit_failure::kind::ownership_lost && !stopping_.load())
        if (const auto alive = weak_from_this().lock()) return post([this, why = failure.message] { step_back(why); });
    fail_engine(std::make_exception_ptr(
        storage_error(failure.message +
                      "; the engine stopped: nothing uncommitted was acknowledged; reopen the database to recover")));
}

void engine_core::fail_engine(std::exception_ptr e) noexcept {
    if (failed_.exchange(true)) return;
    try {
        std::rethrow_exception(e);
    } catch (const error&) {
        failure_ = e;
    } catch (const std::exception& ex) {
        failure_ =
            std::make_exception_ptr(storage_error(std::string("the engine failed on an internal error: ") + ex.what() +
                                                  "; reopen the database to recover (nothing committed is lost)"));
    } catch (...) {
        failure_ = std::make_exception_ptr(storage_error("the engine failed on an unknown internal error"));
    }
    try {
        answer_waiting(failure_);
        activities_.stop_attempts();
        claimed_.stop();
        timer_.stop();
    } catch (...) {
    }
}

void engine_core::run_job(void (*call)(void*), void* job) noexcept {
    if (!gate_.closed()) try {
            call(job);
        } catch (...) {
            fail_engine(std::current_exception());
        }
    else
        gate_.serialized([&] {
            try {
                call(job);
            } catch (...) {
                // the engine has stopped: nothing is left to fail
            }
        });
}

void engine_core::set_blocking_timeout(std::chrono::milliseconds t, std::function<std::string()> reason) {
    blocking_timeout_ = t;
    hold_reason_ = std::move(reason);
}

void engine_core::terminate_run(run_state& r, const std::string& reason, write_unit& unit) {
    lifecycle_.terminate(r, reason, unit);
}

std::size_t engine_core::live_instances() const noexcept {
    return lifecycle_.runs().live_instances() + claimed_.workflows.kept();
}

void engine_core::answer_waiting(std::exception_ptr why) {
    fail_inputs_and_messages(why);
    for (auto& [key, r] : lifecycle_.runs().all()) {
        for (auto& w : r->take_result_waiters()) w(why, nullptr);
        r->inst.reset();
    }
    pipeline_.fail_waiting(why);   // last: the answers above may have queued units
}

// ---------------------------------------------------------------- shutdown

void engine_core::shutdown() {
    if (stopping_.exchange(true)) return;
    auto on_strand_and_wait = [this](auto&& job) {
        if (on_strand() || (!own_io_ && io_->stopped())) return job();
        std::promise<void> done;
        boost::asio::post(strand_, [&] {
            job();
            done.set_value();
        });
        done.get_future().wait();
    };
    auto barrier = [&] { on_strand_and_wait([] {}); };
    // Running activities see cancellation through heartbeat(); queued ones never start.
    {
        std::promise<void> done;
        boost::asio::post(strand_, [this, &done] {
            activities_.stop_attempts();
            claimed_.stop();
            timer_.stop();
            inbox_.stop();
            standby_timer_.cancel();
            link_.stop();
            queries_updates_.fail_asked(unavailable());   // no engine's answer is heard any more
            // No activation runs workflow code from here on, so no query or update is answered:
            // failed now, while what answers their inbox commands can still commit.
            for (auto& [key, r] : lifecycle_.runs().all()) queries_updates_.fail_messages(*r, unavailable());
            run_rechecks();   // they hear that the engine stopped
            done.set_value();
        });
        if (!on_strand() && (own_io_ || !io_->stopped())) done.get_future().wait();
    }
    activities_.join_threads();
    claimed_.join();
    nexus_.join_handlers();
    barrier();               // results of the last attempts have become units
    store_->stop_writes();   // commits everything queued
    // Their effects have run; what still waits (a query of a run whose instance was loading, a
    // result of a run that is still open) would wait for good. The gate closes in the same job:
    // a job posted after it runs where it is posted (job_gate.hpp), and those queued behind it
    // before it closed run before the barrier returns. The strand runs nothing after them.
    on_strand_and_wait([this] {
        gate_.close();
        gate_.serialized([this] { answer_waiting(unavailable()); });
    });
    barrier();
    // Handles may outlive the engine; the file and its lock may not.
    store_->close();
    io_guard_.reset();
    if (own_io_) {
        own_io_->stop();
        if (loop_thread_.joinable()) loop_thread_.join();
    }
    closed_ = true;
}

}   // namespace perdure::detail
