// Client reads on the reader thread.
#include "client/reads.hpp"

#include "history/fields.hpp"
#include "history/pending_work.hpp"
#include "client/page_token.hpp"
#include "store/store.hpp"
#include "store/visibility_page.hpp"
#include "visibility/parser.hpp"
#include "visibility/query.hpp"

#include <memory>
#include <type_traits>

#include <perdure/error.hpp>

namespace perdure::detail {
namespace {

/// The run's attributes still registered in its namespace with the type they were set with.
perdure::search_attributes registered(const typed_attributes& attrs,
                                      const std::map<std::string, search_attribute_type, std::less<>>& types) {
    perdure::search_attributes out;
    for (const auto& [name, a] : attrs)
        if (auto it = types.find(name); it != types.end() && it->second == a.type) out.emplace(name, a.value);
    return out;
}

workflow_execution_info info_of(const execution_row& row, const std::string& ns, std::int64_t length,
                                const std::map<std::string, search_attribute_type, std::less<>>& types) {
    workflow_execution_info i;
    i.ns = ns;
    i.workflow_id = row.workflow_id;
    i.run_id = row.run_id.str();
    i.type = row.workflow_type;
    i.task_queue = row.task_queue;
    i.status = static_cast<workflow_status>(row.status);
    i.start_time = from_us(row.start_time_us);
    if (row.close_time_us) i.close_time = from_us(row.close_time_us);
    i.history_length = length;
    i.memo = row.memo;
    i.task_failure = row.task_failure;
    i.search_attributes = registered(row.search_attributes, types);
    return i;
}

/// Runs `job` on the reader with the namespace id resolved; errors go to `cb`.
/// `job(reads, ns_id)` or, for a job that takes them, `job(reads, ns_id, types)` with the
/// namespace's custom search attributes as they were when the read was asked for.
template <class T, class Job>
void on_reader(engine_core& core, const std::string& ns, callback<T> cb, Job job) {
    if (auto e = core.unavailable()) return cb(e, {});
    const auto ns_id = core.namespace_id_snapshot(ns);
    if (!ns_id) return cb(std::make_exception_ptr(not_found("namespace '" + ns + "' does not exist")), {});
    // Shared with the job: the store may close between the check above and the post, and then
    // refuses the job, whose caller must still hear back.
    auto answer = std::make_shared<callback<T>>(std::move(cb));
    const bool posted = core.storage().post_read([ns_id = *ns_id, types = core.search_attribute_types_snapshot(*ns_id),
                                                  answer, job = std::move(job)](store_reads& reads) mutable {
        try {
            if constexpr (std::is_invocable_v<Job&, store_reads&, std::int64_t, const attribute_types&>)
                (*answer)(nullptr, job(reads, ns_id, types));
            else
                (*answer)(nullptr, job(reads, ns_id));
        } catch (...) {
            (*answer)(std::current_exception(), {});
        }
    });
    if (!posted) {
        const auto stopped = core.unavailable();
        (*answer)(stopped ? stopped : std::make_exception_ptr(engine_stopped("the engine was shut down")), {});
    }
}

execution_row run_of(store_reads& reads, std::int64_t ns_id, const std::string& ns, const std::string& wid,
                     const std::string& rid) {
    auto row = rid.empty() ? reads.find_latest_run(ns_id, wid) : reads.find_run(rid);
    if (!row || row->ns_id != ns_id || row->workflow_id != wid)
        throw not_found("workflow " + wid + (rid.empty() ? "" : " (run " + rid + ")") + " not found in namespace " +
                        ns);
    return std::move(*row);
}

}   // namespace

history_event to_history_event(const event& e) {
    const char* name = event_type_name(e.type);
    return history_event{e.id, name ? name : "Unknown", from_us(e.time_us), e.attrs};
}

void describe_run(engine_core& core, std::string ns, std::string wid, std::string rid,
                  callback<workflow_execution_info> cb) {
    // The run as committed; a running one's pending work from its history, then from its owner.
    auto respond = [owner = core.shared_from_this(), cb = std::move(cb)](
                       std::exception_ptr e, std::pair<workflow_execution_info, std::int64_t> found) mutable {
        if (e || found.first.status != workflow_status::running) return cb(e, std::move(found.first));
        owner->describe_live(found.second, std::move(found.first), std::move(cb));
    };
    on_reader<std::pair<workflow_execution_info, std::int64_t>>(
        core, ns, std::move(respond),
        [ns, wid, rid](store_reads& reads, std::int64_t ns_id, const attribute_types& types) {
            auto row = run_of(reads, ns_id, ns, wid, rid);
            if (row.status != run_status::running)
                return std::pair(info_of(row, ns, reads.history_length(row.run_key), types), row.run_key);
            const auto history = reads.history(row.run_key);
            auto info = info_of(row, ns, static_cast<std::int64_t>(history.size()), types);
            auto pending = pending_from_history(history);
            info.pending_activities = std::move(pending.activities);
            info.pending_children = std::move(pending.children);
            info.pending_nexus_operations = std::move(pending.nexus_operations);
            return std::pair(std::move(info), row.run_key);
        });
}

void list_runs(engine_core& core, std::string ns, std::optional<workflow_status> status, std::size_t limit,
               std::string after, callback<std::vector<workflow_execution_info>> cb) {
    on_reader<std::vector<workflow_execution_info>>(
        core, ns, std::move(cb),
        [ns, status, limit, after](store_reads& reads, std::int64_t ns_id, const attribute_types& types) {
            std::int64_t before = 0;
            if (!after.empty()) {
                auto row = reads.find_run(after);
                if (!row) throw not_found("list: no run " + after + " to continue after");
                before = row->run_key;
            }
            std::vector<workflow_execution_info> out;
            for (const auto& row : reads.list_runs(
                     ns_id, status ? std::optional(static_cast<run_status>(*status)) : std::nullopt, limit, before))
                out.push_back(info_of(row, ns, reads.history_length(row.run_key), types));
            return out;
        });
}

void query_runs(engine_core& core, std::string ns, std::string query, std::size_t page_size, std::string page_token,
                callback<workflow_page> cb) {
    on_reader<workflow_page>(
        core, ns, std::move(cb),
        [ns, query = std::move(query), page_size, token = std::move(page_token)](store_reads& reads, std::int64_t ns_id,
                                                                                 const attribute_types& types) {
            const auto q = parse_query(query, types);
            if (q.group_by)   // as Temporal's ListWorkflowExecutions
                throw invalid_argument("GROUP BY is for count_groups (and count), not list: remove it from the query");
            const auto request = page_request_for(ns, q, token, page_size);
            auto page = reads.query_runs(ns_id, q, request.after, request.size);
            workflow_page out;
            for (const auto& row : page.runs)
                out.executions.push_back(info_of(row, ns, reads.history_length(row.run_key), types));
            if (page.runs.size() == request.size)
                out.next_page_token = encode_page_token(request.query_key, page.last_keys);
            return out;
        });
}

void count_runs(engine_core& core, std::string ns, std::string query, bool by_status, callback<workflow_counts> cb) {
    on_reader<workflow_counts>(
        core, ns, std::move(cb),
        [query = std::move(query), by_status](store_reads& reads, std::int64_t ns_id, const attribute_types& types) {
            const auto q = parse_query(query, types);
            workflow_counts out;
            for (const auto& [status, n] : reads.count_runs(ns_id, q, by_status)) {
                out.count += n;
                if (by_status) out.groups.push_back({static_cast<workflow_status>(status), n});
            }
            return out;
        });
}

void read_history(engine_core& core, std::string ns, std::string wid, std::string rid,
                  callback<std::vector<history_event>> cb) {
    on_reader<std::vector<history_event>>(core, ns, std::move(cb),
                                          [ns, wid, rid](store_reads& reads, std::int64_t ns_id) {
                                              auto row = run_of(reads, ns_id, ns, wid, rid);
                                              std::vector<history_event> out;
                                              for (const auto& e : reads.history(row.run_key))
                                                  out.push_back(to_history_event(e));
                                              return out;
                                          });
}

}   // namespace perdure::detail
