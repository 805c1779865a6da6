#include "compare.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <cstdio>
#include <istream>
#include <ostream>
#include <stdexcept>
#include <vector>

namespace perdure::bench {
namespace {

bool ends_with(const std::string& s, const std::string& tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

/// +1 when a larger figure is better, -1 when smaller is, 0 when its name does not say.
int better_direction(const std::string& figure) {
    if (figure.find("per_second") != std::string::npos) return +1;
    for (const char* cost : {"_us", "_ms", "bytes_per_workflow", "_mb", "commits_per_step", "commits_per_call",
                             "rows_per_workflow", "_ratio"})
        if (ends_with(figure, cost)) return -1;
    return 0;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const auto n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

}   // namespace

figures read_figures(std::istream& in, const std::string& name) {
    std::map<std::string, std::map<std::string, std::vector<double>>> samples;
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        boost::system::error_code ec;
        const auto v = boost::json::parse(line, ec);
        const auto* o = ec ? nullptr : v.if_object();
        const auto* scenario = o ? o->if_contains("scenario") : nullptr;
        if (!scenario || !scenario->is_string())
            throw std::runtime_error(name + ":" + std::to_string(number) +
                                     ": not a line of perdure-bench output (a JSON object with a \"scenario\"); save "
                                     "a baseline with: perdure-bench > BASELINE.jsonl");
        // A run at another durability measures something else: it is a scenario of its own.
        std::string key(scenario->get_string());
        if (const auto* d = o->if_contains("durability"); d && d->is_string())
            key += " (" + std::string(d->get_string()) + ")";
        // So does a run on another store (SQLite lines carry none).
        if (const auto* st = o->if_contains("store"); st && st->is_string())
            key += " on " + std::string(st->get_string());
        auto& figures_of = samples[key];
        for (const auto& [key, value] : *o)
            if (value.is_number()) figures_of[std::string(key)].push_back(value.to_number<double>());
    }
    figures out;
    for (auto& [scenario, by_name] : samples)
        for (auto& [figure, values] : by_name) out[scenario][figure] = median(std::move(values));
    return out;
}

void print_comparison(const figures& baseline, const figures& now, std::ostream& out) {
    char row[256];
    std::snprintf(row, sizeof row, "%-44s %14s %14s %8s\n", "figure", "baseline", "now", "ratio");
    out << row;
    for (const auto& [scenario, figures_now] : now) {
        const auto base = baseline.find(scenario);
        if (base == baseline.end()) {
            out << scenario << ": not in the baseline\n";
            continue;
        }
        for (const auto& [figure, value] : figures_now) {
            const auto b = base->second.find(figure);
            if (b == base->second.end()) continue;
            std::string ratio = b->second == 0 ? "-" : number(value / b->second);
            std::string verdict;
            if (b->second != 0) {
                const double r = value / b->second;
                const int dir = better_direction(figure);
                if (dir != 0 && (r > 1.05 || r < 1 / 1.05)) verdict = (r > 1) == (dir > 0) ? "  better" : "  worse";
            }
            std::snprintf(row, sizeof row, "%-44s %14s %14s %8s", (scenario + "." + figure).c_str(),
                          number(b->second).c_str(), number(value).c_str(), ratio.c_str());
            out << row << verdict << "\n";
        }
    }
}

}   // namespace perdure::bench
