// Demangling type names and tidying them into the spelling a user writes. The demangled name
// is rebuilt one template argument list at a time, innermost first, so that a rule can compare
// an argument with the tidied first argument (std::less<K> is only a default for key K).
#include "codec/type_name.hpp"

#include <perdure/payload.hpp>

#include <cxxabi.h>

#include <array>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace perdure::detail {
namespace {

/// Removes every occurrence of `what`, keeping `keep` characters of it.
void erase_all(std::string& s, std::string_view what, std::size_t keep = 0) {
    for (auto at = s.find(what); at != std::string::npos; at = s.find(what, at + keep))
        s.erase(at + keep, what.size() - keep);
}

/// libstdc++'s and libc++'s inline namespaces and ABI tags, which no user writes.
std::string without_inline_namespaces(std::string_view name) {
    std::string s(name);
    erase_all(s, "::__cxx11::", 2);
    erase_all(s, "std::__1::", 5);
    for (auto at = s.find("[abi:"); at != std::string::npos; at = s.find("[abi:", at)) {
        const auto end = s.find(']', at);
        if (end == std::string::npos) break;
        s.erase(at, end + 1 - at);
    }
    return s;
}

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
}

/// The top-level arguments of the list whose '<' is at `open`, and the position after its '>';
/// nullopt when the brackets do not balance.
std::optional<std::pair<std::vector<std::string_view>, std::size_t>> split_arguments(std::string_view s,
                                                                                     std::size_t open) {
    std::vector<std::string_view> args;
    std::vector<char> closers;   // what closes each bracket opened inside the list
    std::size_t start = open + 1;
    for (std::size_t i = open + 1; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '<')
            closers.push_back('>');
        else if (c == '(')
            closers.push_back(')');
        else if (c == '[')
            closers.push_back(']');
        else if (closers.empty() && c == ',') {
            args.push_back(trimmed(s.substr(start, i - start)));
            start = i + 1;
        } else if (closers.empty() && c == '>') {
            args.push_back(trimmed(s.substr(start, i - start)));
            return std::pair{std::move(args), i + 1};
        } else if (c == '>' || c == ')' || c == ']') {
            if (closers.empty() || closers.back() != c) return std::nullopt;
            closers.pop_back();
        }
    }
    return std::nullopt;
}

/// The standard's typedefs for templates over a character type.
std::optional<std::string> character_typedef(std::string_view name, std::string_view ch) {
    constexpr std::array<std::pair<std::string_view, std::string_view>, 5> prefixes{
        {{"char", ""}, {"wchar_t", "w"}, {"char8_t", "u8"}, {"char16_t", "u16"}, {"char32_t", "u32"}}};
    constexpr std::array<std::string_view, 8> templates{"string",   "string_view",  "ostream",       "istream",
                                                        "iostream", "stringstream", "ostringstream", "istringstream"};
    if (!name.starts_with("std::basic_")) return std::nullopt;
    const auto base = name.substr(11);
    for (const auto t : templates) {
        if (base != t) continue;
        for (const auto& [type, prefix] : prefixes) {
            // Only strings and string views have the u8, u16 and u32 typedefs.
            if (ch == type && (prefix.empty() || prefix == "w" || t.starts_with("string")))
                return "std::" + std::string(prefix) + std::string(t);
        }
    }
    return std::nullopt;
}

/// Drops the trailing arguments that only restate a standard template's default.
void drop_defaults(std::vector<std::string>& args) {
    while (args.size() > 1) {
        const auto& last = args.back();
        const auto of_first = [&](std::string_view tmpl) {
            return last == std::string(tmpl) + "<" + args.front() + ">";
        };
        if (last.starts_with("std::allocator<") || of_first("std::char_traits") || of_first("std::default_delete") ||
            of_first("std::less") || of_first("std::hash") || of_first("std::equal_to"))
            args.pop_back();
        else
            break;
    }
}

/// The name of the template whose argument list starts at the end of `out`.
std::size_t template_name_start(const std::string& out) {
    auto at = out.size();
    while (at > 0) {
        const char c = out[at - 1];
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':')) break;
        --at;
    }
    return at;
}

/// `s` with each template argument list tidied; nullopt when its brackets do not balance.
std::optional<std::string> tidy_arguments(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size();) {
        if (s[i] != '<' || out.ends_with("operator")) {
            out += s[i++];
            continue;
        }
        auto split = split_arguments(s, i);
        if (!split) return std::nullopt;
        std::vector<std::string> args;
        for (const auto arg : split->first) {
            auto tidy = tidy_arguments(arg);
            if (!tidy) return std::nullopt;
            args.push_back(std::move(*tidy));
        }
        const auto name_at = template_name_start(out);
        const std::string name = out.substr(name_at);
        drop_defaults(args);
        if (auto alias = args.size() == 1 ? character_typedef(name, args.front()) : std::nullopt) {
            out.replace(name_at, std::string::npos, *alias);
        } else {
            out += '<';
            for (std::size_t a = 0; a < args.size(); ++a) out += (a ? ", " : "") + args[a];
            out += '>';
        }
        i = split->second;
    }
    return out;
}

}   // namespace

std::string tidy_type_name(std::string_view demangled) {
    auto plain = without_inline_namespaces(demangled);
    auto tidy = tidy_arguments(plain);
    return tidy ? std::move(*tidy) : plain;
}

std::string demangle(const std::type_info& t) {
    int status = 0;
    std::unique_ptr<char, decltype(&std::free)> p(abi::__cxa_demangle(t.name(), nullptr, nullptr, &status), &std::free);
    return tidy_type_name(status == 0 && p ? std::string_view(p.get()) : std::string_view(t.name()));
}

}   // namespace perdure::detail
