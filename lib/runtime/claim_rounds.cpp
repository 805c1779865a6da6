#include "runtime/claim_rounds.hpp"

#include "codec/json_parse.hpp"

#include <algorithm>

#include <unistd.h>

namespace perdure::detail {

std::string claimer_name() {
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    return std::string(host) + ":" + std::to_string(::getpid());
}

boost::json::value parsed_or_null(const std::string& text) {
    boost::system::error_code ec;
    auto v = text.empty() ? boost::json::value() : detail::parse_json(text, ec);
    return ec ? boost::json::value() : v;
}

claim_rounds::claim_rounds(claimer_host& host, store& s, task_kind kind, std::chrono::milliseconds claim_ttl,
                           std::size_t capacity, served_fn served, std::function<void(claimed_task)> claimed)
    : host_(host),
      store_(s),
      kind_(kind),
      claim_ttl_(claim_ttl),
      capacity_(capacity < 1 ? 1 : capacity),
      served_(std::move(served)),
      claimed_(std::move(claimed)),
      claimer_(claimer_name()) {}

void claim_rounds::claim(std::int64_t ns_id) {
    if (stopped_ || !store_.shares_tasks() || !host_.claims_tasks()) return;
    if (ns_id == 0) polled_at_ = std::chrono::steady_clock::now();
    if (claiming_) {
        claim_again_ = true;
        return;
    }
    if (in_flight_ >= capacity_) return;
    auto queues = served_(ns_id);
    if (queues.empty()) return;
    std::rotate(queues.begin(), queues.begin() + static_cast<std::ptrdiff_t>(rounds_++ % queues.size()), queues.end());
    const auto free = capacity_ - in_flight_;
    in_flight_ += free;   // taken before the round, given back for what it did not claim
    claiming_ = true;
    (void)store_.post_read([this, to_strand = host_.handoff(), queues = std::move(queues), free](store_reads&) mutable {
        std::vector<claimed_task> got;
        try {
            for (const auto& q : queues) {
                if (got.size() == free) break;
                for (auto& c :
                     store_.claim_tasks(kind_, q.ns_id, q.task_queue, q.names, claimer_, claim_ttl_, free - got.size()))
                    got.push_back(std::move(c));
            }
        } catch (...) {
            // The server is away: the next poll claims again (what was claimed is offered again).
        }
        to_strand(
            [this, free, got = std::move(got)]() mutable {
                claiming_ = false;
                in_flight_ -= free - got.size();
                for (auto& c : got) claimed_(std::move(c));
                if (std::exchange(claim_again_, false)) claim();
            },
            std::nullopt);
    });
}

void claim_rounds::poll_if_due() {
    if (std::chrono::steady_clock::now() - polled_at_ >= poll_interval) claim();
}

void claim_rounds::finished() {
    --in_flight_;
    claim();
}

}   // namespace perdure::detail
