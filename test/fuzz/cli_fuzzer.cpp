// Fuzz target: the perdure command line. The input is argv, its words separated by NUL bytes.
// Every command line is parsed as the CLI parses it; the read-only commands (list, count, describe,
// show without --follow, result) then run against a small database seeded once at start-up
// (whatever --db the input names), printing to a stream that discards everything. Commands
// that write or need an engine are parsed only, and their JSON flags (--input) read.
// Usage and user errors (cli_error, perdure::error, boost::program_options::error) are the
// documented answers; any other exception is a finding.
#include "command_line.hpp"
#include "json_input.hpp"
#include "oracle.hpp"

#include <perdure/perdure.hpp>

#include <boost/program_options/errors.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <ostream>
#include <streambuf>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;

constexpr std::size_t max_words = 64;

perdure::workflow<std::string> wait_for_go(perdure::workflow_context& ctx, std::string order) {
    ctx.set_query_handler("order", [order] { return order; });
    const auto how = co_await ctx.signal_channel<std::string>("go").receive();
    if (how == "fail") throw perdure::application_error("told to fail", "Told");
    co_return order + " went " + how;
}
const perdure::workflow_def wait_for_go_workflow{"WaitForGo", &wait_for_go};

std::filesystem::path& seed_dir() {
    static std::filesystem::path dir;
    return dir;
}

std::string& seeded_database() {
    static std::string path;
    return path;
}

/// Namespaces (one with a multi-line, non-ASCII description), an endpoint, and runs that are
/// running, completed, failed, canceled and continued: every column the read commands print.
void seed(const std::string& path) {
    perdure::engine engine({.database = path, .durability = perdure::durability::normal});
    engine.namespaces().ensure("app", "orders and\nshipping — für alle");
    engine.namespaces().ensure("handler-ns");
    engine.nexus_endpoints().ensure({.name = "my-endpoint",
                                     .target_namespace = "handler-ns",
                                     .target_task_queue = "handler-tq",
                                     .description = "# Payments\n\ncharges cards\ttabbed"});
    engine.namespaces().add_search_attribute("app", "CustomerId", perdure::search_attribute_type::keyword);
    engine.add_worker("app", "app-tq").register_workflow(wait_for_go_workflow);
    engine.start();
    auto client = engine.client_for("app");
    for (const char* id : {"order-1", "order-2"})
        client.start_workflow(
            wait_for_go_workflow, id,
            {.id = id, .task_queue = "app-tq", .search_attributes = {{"CustomerId", std::string(id)}}});
    auto done = client.start_workflow(wait_for_go_workflow, "order-0",
                                      {.id = "order-0", .task_queue = "app-tq", .memo = {{"customer", "ada"}}});
    done.signal("go", std::string("early"));
    done.get();
    auto failed = client.start_workflow(wait_for_go_workflow, "order-9", {.id = "order-9", .task_queue = "app-tq"});
    failed.signal("go", std::string("fail"));
    try {
        failed.get();
    } catch (const perdure::workflow_failed_error&) {
    }
    auto canceled = client.start_workflow(wait_for_go_workflow, "order-8", {.id = "order-8", .task_queue = "app-tq"});
    canceled.cancel();
    try {
        canceled.get();
    } catch (const perdure::workflow_failed_error&) {
    }
    // A second run of order-0, so --run-id picks between runs.
    auto again = client.start_workflow(wait_for_go_workflow, "order-0", {.id = "order-0", .task_queue = "app-tq"});
    again.terminate("seeded twice");
}

/// A stream buffer that accepts and drops everything, so output code runs in full.
class null_buffer : public std::streambuf {
protected:
    int_type overflow(int_type c) override { return traits_type::not_eof(c); }
    std::streamsize xsputn(const char*, std::streamsize n) override { return n; }
};

/// Commands that only read and end by themselves (show --follow waits for a run to close).
bool is_read_only(const perdure::cli::parsed_command_line& line) {
    const auto& last = line.cmd->words.back();
    if (last == "show") return line.args.count("follow") == 0;
    return last == "list" || last == "count" || last == "describe" || last == "result";
}

}   // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/perdure-cli-fuzz-XXXXXX";
    if (!mkdtemp(pattern.data())) {
        std::perror("mkdtemp");
        std::abort();
    }
    seed_dir() = pattern;
    seeded_database() = (seed_dir() / "app.db").string();
    seed(seeded_database());
    std::atexit([] {
        std::error_code ec;
        std::filesystem::remove_all(seed_dir(), ec);
    });
    // Command lines without --db reach the commands too.
    setenv("PERDURE_DB", seeded_database().c_str(), 1);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::vector<std::string> words{"perdure"};
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    for (std::size_t start = 0; start <= input.size() && words.size() <= max_words;) {
        const auto end = std::min(input.find('\0', start), input.size());
        words.emplace_back(input.substr(start, end - start));
        start = end + 1;
    }
    if (size == 0) words.pop_back();   // no input: no words at all
    std::vector<const char*> argv;
    for (const auto& w : words) argv.push_back(w.c_str());
    argv.push_back(nullptr);

    null_buffer discard;
    std::ostream out(&discard);
    try {
        auto line = perdure::cli::parse(static_cast<int>(words.size()), argv.data(), out);
        if (line.cmd && is_read_only(line)) {
            line.db = seeded_database();
            perdure::cli::execute(line, out);
        } else if (line.cmd && line.args.count("input")) {
            (void)perdure::cli::json_flag({line.db, line.output, line.args, out}, "input");
        }
    } catch (const perdure::cli::cli_error&) {
    } catch (const perdure::error&) {
    } catch (const boost::program_options::error& e) {
        (void)perdure::cli::message_of(e);   // what the perdure binary prints for it
    } catch (...) {
        perdure::fuzz::unexpected_exception("cli");
    }
    return 0;
}
