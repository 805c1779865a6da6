// The query's tokenizer. It refuses, with the column, whatever a list filter cannot hold (bytes
// that are not UTF-8, NUL and control characters, comments, stray punctuation) so the parser
// only ever sees well-formed tokens.
#include "visibility/lexer.hpp"

#include <perdure/error.hpp>

#include <algorithm>
#include <array>
#include <cstdio>

namespace perdure::detail {
namespace {

constexpr std::array<std::string_view, 15> keywords{"AND", "OR",   "NOT",         "IN",    "BETWEEN",
                                                    "IS",  "NULL", "STARTS_WITH", "ORDER", "GROUP",
                                                    "BY",  "ASC",  "DESC",        "TRUE",  "FALSE"};

bool alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool digit(char c) { return c >= '0' && c <= '9'; }
char upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

/// The offset of the first byte that does not belong to well-formed UTF-8, or npos.
std::size_t invalid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto b = static_cast<unsigned char>(s[i]);
        std::size_t n = 0;
        unsigned min = 0, cp = 0;
        if (b < 0x80) {
            ++i;
            continue;
        } else if ((b & 0xE0) == 0xC0) {
            n = 1, min = 0x80, cp = b & 0x1Fu;
        } else if ((b & 0xF0) == 0xE0) {
            n = 2, min = 0x800, cp = b & 0x0Fu;
        } else if ((b & 0xF8) == 0xF0) {
            n = 3, min = 0x10000, cp = b & 0x07u;
        } else {
            return i;
        }
        for (std::size_t k = 1; k <= n; ++k) {
            if (i + k >= s.size()) return i;
            const auto c = static_cast<unsigned char>(s[i + k]);
            if ((c & 0xC0) != 0x80) return i;
            cp = (cp << 6) | (c & 0x3Fu);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
        i += n + 1;
    }
    return std::string_view::npos;
}

std::string hex_byte(char c) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%02X", static_cast<unsigned>(static_cast<unsigned char>(c)));
    return buf;
}

class lexer {
public:
    explicit lexer(std::string_view q) : q_(q) {}

    std::vector<token> run() {
        if (const auto bad = invalid_utf8(q_); bad != std::string_view::npos)
            fail(bad, "the query is not UTF-8: byte " + hex_byte(q_[bad]));
        std::vector<token> out;
        for (;;) {
            while (pos_ < q_.size() && (q_[pos_] == ' ' || q_[pos_] == '\t' || q_[pos_] == '\n' || q_[pos_] == '\r'))
                ++pos_;
            if (pos_ == q_.size()) break;
            out.push_back(next());
        }
        out.push_back({token_kind::end, {}, column_at(q_.size()), q_.size(), 0});
        return out;
    }

private:
    [[noreturn]] void fail(std::size_t at, const std::string& what) const {
        throw invalid_argument(what + " at column " + std::to_string(column_of(q_, at)));
    }

    token make(token_kind kind, std::string text, std::size_t start) {
        return {kind, std::move(text), column_at(start), start, pos_ - start};
    }

    /// The column of `offset`, counted on from the last token's: tokens come in order, so a
    /// long query is counted once, not once per token.
    std::size_t column_at(std::size_t offset) {
        column_ += column_of(q_.substr(counted_, offset - counted_), offset - counted_) - 1;
        counted_ = offset;
        return column_;
    }

    token next() {
        const std::size_t start = pos_;
        const char c = q_[pos_];
        if (c == '\0') fail(pos_, "the query holds a NUL byte");
        if (alpha(c)) return word(start);
        if (c == '`') return quoted(start, '`', token_kind::quoted_name);
        if (c == '\'' || c == '"') return quoted(start, c, token_kind::string);
        if (digit(c) || ((c == '-' || c == '.') && pos_ + 1 < q_.size() && digit(q_[pos_ + 1])) ||
            (c == '-' && pos_ + 2 < q_.size() && q_[pos_ + 1] == '.' && digit(q_[pos_ + 2])))
            return number(start);
        ++pos_;
        switch (c) {
        case '(': return make(token_kind::lparen, "(", start);
        case ')': return make(token_kind::rparen, ")", start);
        case ',': return make(token_kind::comma, ",", start);
        case '=': return make(token_kind::op, "=", start);
        case '<':
            if (pos_ < q_.size() && (q_[pos_] == '=' || q_[pos_] == '>')) ++pos_;
            return make(token_kind::op, std::string(q_.substr(start, pos_ - start)), start);
        case '>':
            if (pos_ < q_.size() && q_[pos_] == '=') ++pos_;
            return make(token_kind::op, std::string(q_.substr(start, pos_ - start)), start);
        case '!':
            if (pos_ < q_.size() && q_[pos_] == '=') {
                ++pos_;
                return make(token_kind::op, "!=", start);
            }
            break;
        default: break;
        }
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F)
            fail(start, "unexpected control character " + hex_byte(c));
        std::size_t end = start + 1;
        while (end < q_.size() && (static_cast<unsigned char>(q_[end]) & 0xC0) == 0x80) ++end;
        fail(start, "unexpected character '" + std::string(q_.substr(start, end - start)) + "'");
    }

    token word(std::size_t start) {
        while (pos_ < q_.size() && (alpha(q_[pos_]) || digit(q_[pos_]))) ++pos_;
        std::string text(q_.substr(start, pos_ - start));
        std::string up;
        for (char ch : text) up += upper(ch);
        if (is_keyword(up)) return make(token_kind::keyword, std::move(up), start);
        return make(token_kind::name, std::move(text), start);
    }

    token quoted(std::size_t start, char quote, token_kind kind) {
        ++pos_;
        std::string value;
        for (;;) {
            if (pos_ >= q_.size())
                fail(start, kind == token_kind::string ? "unterminated string" : "unterminated backquoted name");
            const char c = q_[pos_];
            if (c == '\0') fail(pos_, "the query holds a NUL byte");
            if (c == quote) {
                if (pos_ + 1 < q_.size() && q_[pos_ + 1] == quote) {   // a doubled quote stands for itself
                    value += quote;
                    pos_ += 2;
                    continue;
                }
                ++pos_;
                break;
            }
            if (c == '\\' && kind == token_kind::string) {
                if (pos_ + 1 >= q_.size()) fail(start, "unterminated string");
                value += escaped(pos_);
                pos_ += 2;
                continue;
            }
            value += c;
            ++pos_;
        }
        if (kind == token_kind::quoted_name && value.empty()) fail(start, "empty backquoted name");
        return make(kind, std::move(value), start);
    }

    /// MySQL's escapes, as Temporal's parser reads them: \n \r \t \b \Z stand for control
    /// characters, any other character after a backslash for itself (\\, \', \%). \0 would be
    /// a NUL, which no stored text holds.
    char escaped(std::size_t at) const {
        const char c = q_[at + 1];
        switch (c) {
        case 'n': return '\n';
        case 'r': return '\r';
        case 't': return '\t';
        case 'b': return '\b';
        case 'Z': return '\x1A';
        case '0': fail(at, "the query holds a NUL byte (\\0)");
        case '\0': fail(at + 1, "the query holds a NUL byte");
        default: break;
        }
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F)
            fail(at, "unknown escape '\\x" + hex_byte(c).substr(2) + "' (write the character as it is)");
        return c;
    }

    token number(std::size_t start) {
        bool fractional = false;
        if (q_[pos_] == '-') ++pos_;
        while (pos_ < q_.size() && digit(q_[pos_])) ++pos_;
        if (pos_ < q_.size() && q_[pos_] == '.') {
            fractional = true;
            ++pos_;
            while (pos_ < q_.size() && digit(q_[pos_])) ++pos_;
        }
        if (pos_ < q_.size() && (q_[pos_] == 'e' || q_[pos_] == 'E')) {
            std::size_t p = pos_ + 1;
            if (p < q_.size() && (q_[p] == '+' || q_[p] == '-')) ++p;
            if (p < q_.size() && digit(q_[p])) {
                fractional = true;
                pos_ = p;
                while (pos_ < q_.size() && digit(q_[pos_])) ++pos_;
            }
        }
        if (pos_ < q_.size() && (alpha(q_[pos_]) || q_[pos_] == '.'))
            fail(start, "unexpected character '" + std::string(1, q_[pos_]) +
                            "' after a number (durations and times are strings: write '1h30m')");
        return make(fractional ? token_kind::number : token_kind::integer, std::string(q_.substr(start, pos_ - start)),
                    start);
    }

    std::string_view q_;
    std::size_t pos_ = 0;
    std::size_t counted_ = 0, column_ = 1;   // how far columns are counted, and the column there
};

}   // namespace

std::vector<token> tokenize(std::string_view query) { return lexer(query).run(); }

bool is_keyword(std::string_view upper) { return std::find(keywords.begin(), keywords.end(), upper) != keywords.end(); }

std::size_t column_of(std::string_view query, std::size_t offset) {
    std::size_t column = 1;
    for (std::size_t i = 0; i < offset && i < query.size(); ++i)
        if ((static_cast<unsigned char>(query[i]) & 0xC0) != 0x80) ++column;
    return column;
}

std::string describe(const token& t) {
    std::string shown;
    std::size_t chars = 0;
    for (std::size_t i = 0; i < t.text.size(); ++i) {
        const char c = t.text[i];
        const bool lead = (static_cast<unsigned char>(c) & 0xC0) != 0x80;
        if (lead && ++chars > 40) {
            shown += "...";
            break;
        }
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F)
            shown += "\\x" + hex_byte(c).substr(2);
        else
            shown += c;
    }
    switch (t.kind) {
    case token_kind::end: return "the end of the query";
    case token_kind::string: return "'" + shown + "'";
    case token_kind::quoted_name: return "`" + shown + "`";
    case token_kind::op:
    case token_kind::lparen:
    case token_kind::rparen:
    case token_kind::comma: return "'" + shown + "'";
    default: return shown;
    }
}

}   // namespace perdure::detail
