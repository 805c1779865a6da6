// The built-in `__stack_trace` query: for each of the run's coroutines (the main function,
// spawned tasks, update handlers), the chain of `co_await`s it is suspended in and what the
// innermost one waits on. It only reads the coroutines' wait points, so answering it changes
// nothing, and a replayed instance answers as the live one did.
#include "replay/workflow_instance.hpp"

#include <string_view>

namespace perdure::detail {
namespace {

struct frame {
    std::string function;
    std::string file;
    std::uint_least32_t line = 0, column = 0;
};

struct coroutine_trace {
    std::string name;
    std::vector<frame> frames;      // innermost first
    const char* mode = "running";   // "running", "one", "all" or "any"
    std::vector<const future_state*> waiting_on;
};

// The wrappers perdure puts around spawned tasks and update handlers: not the user's code.
bool internal(const std::source_location& where) {
    return std::string_view(where.function_name()).find("perdure::detail::") != std::string_view::npos;
}

coroutine_trace trace_of(std::string name, const workflow_promise_base& root) {
    coroutine_trace t{std::move(name), {}, "running", {}};
    const workflow_promise_base* p = &root;
    while (p) {
        const wait_point& w = p->waiting;
        if (w.target.what == wait_target::kind::none) break;
        if (!internal(w.where))
            t.frames.insert(t.frames.begin(),
                            frame{w.where.function_name(), w.where.file_name(), w.where.line(), w.where.column()});
        p = nullptr;
        switch (w.target.what) {
        case wait_target::kind::workflow: p = static_cast<const workflow_promise_base*>(w.target.target); break;
        case wait_target::kind::future:
            t.mode = "one";
            t.waiting_on.push_back(static_cast<const future_state*>(w.target.target));
            break;
        case wait_target::kind::all:
        case wait_target::kind::any: {
            t.mode = w.target.what == wait_target::kind::all ? "all" : "any";
            for (const auto& s : static_cast<const multi_await*>(w.target.target)->awaited())
                if (!s->ready()) t.waiting_on.push_back(s.get());
            break;
        }
        case wait_target::kind::none: break;
        }
    }
    return t;
}

std::string what_of(const future_state& s) { return s.about.empty() ? std::string(s.kind) : s.about; }

}   // namespace

namespace {
std::vector<coroutine_trace> traces(const workflow<boost::json::value>& main, bool main_done, bool closed,
                                    const auto& spawned) {
    std::vector<coroutine_trace> out;
    if (closed) return out;   // tasks a closed run left suspended will never resume
    if (main.valid() && !main_done && !main.handle().done()) out.push_back(trace_of("main", main.handle().promise()));
    for (const auto& s : spawned) {
        if (s.done) continue;
        if (s.update.valid() && !s.update.handle().done())
            out.push_back(
                trace_of("update " + s.update_name + " (update id " + s.update_id + ")", s.update.handle().promise()));
        else if (s.task.valid() && !s.task.handle().done())
            out.push_back(trace_of("task " + std::to_string(s.number), s.task.handle().promise()));
    }
    return out;
}
}   // namespace

std::string workflow_instance::stack_trace() const {
    std::string out;
    for (const auto& t : traces(main_, main_done_, closed_, spawned_)) {
        if (!out.empty()) out += '\n';
        out += "coroutine " + t.name + " [";
        if (t.waiting_on.empty()) {
            out += "running";
        } else {
            out += "waiting on ";
            if (t.waiting_on.size() > 1 || std::string_view(t.mode) != "one") out += std::string(t.mode) + " of: ";
            for (std::size_t i = 0; i < t.waiting_on.size(); ++i) out += (i ? ", " : "") + what_of(*t.waiting_on[i]);
        }
        out += "]:\n";
        for (const auto& f : t.frames)
            out += "    " + f.function + "\n        " + f.file + ":" + std::to_string(f.line) + ":" +
                   std::to_string(f.column) + "\n";
    }
    return out;
}

boost::json::object workflow_instance::stack_trace_json() const {
    boost::json::array stacks;
    for (const auto& t : traces(main_, main_done_, closed_, spawned_)) {
        boost::json::array locations, waiting;
        for (const auto& f : t.frames)
            locations.push_back(
                {{"function_name", f.function}, {"file_path", f.file}, {"line", f.line}, {"column", f.column}});
        for (const auto* s : t.waiting_on) waiting.push_back({{"kind", s->kind}, {"description", what_of(*s)}});
        stacks.push_back({{"coroutine", t.name},
                          {"wait", t.waiting_on.empty() ? "running" : t.mode},
                          {"waiting_on", std::move(waiting)},
                          {"locations", std::move(locations)}});
    }
    // Temporal's enhanced stack trace has this shape (sdk, sources, stacks of locations).
    return {{"sdk", {{"name", "perdure"}}}, {"sources", boost::json::object{}}, {"stacks", std::move(stacks)}};
}

}   // namespace perdure::detail
