// The tokens of a visibility query (Temporal's SQL-like list filter): names, backquoted names,
// quoted strings with escapes, numbers, keywords and operators, each with the 1-based column
// (in characters) where it starts.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace perdure::detail {

enum class token_kind {
    name,          ///< a bare name: CustomerId
    quoted_name,   ///< a backquoted name: `Customer Id`; text holds it unquoted
    string,        ///< 'text' or "text"; text holds the value, escapes resolved
    integer,       ///< 42, -7; text holds the digits as written
    number,        ///< 4.5, 1e3, -0.25 (a double); text as written
    keyword,   ///< AND OR NOT IN BETWEEN IS NULL STARTS_WITH ORDER GROUP BY ASC DESC TRUE FALSE, upper-cased in text
    op,        ///< = != <> < <= > >=, as written
    lparen,
    rparen,
    comma,
    end,
};

struct token {
    token_kind kind{};
    std::string text{};
    std::size_t column{};   ///< 1-based, in UTF-8 characters
    std::size_t offset{};   ///< in bytes, from the start of the query
    std::size_t length{};   ///< in bytes, of the token as written
};

/// The tokens of `query`, ending with one of kind `end`. Throws invalid_argument, pointing at
/// the column, for a query that is not UTF-8, holds a NUL or another control character outside
/// a string, an unterminated string or name, an unknown escape or an unexpected character.
std::vector<token> tokenize(std::string_view query);

/// Whether `upper` (upper-cased) is one of the query's keywords, which a name must backquote.
bool is_keyword(std::string_view upper);

/// The 1-based character column of byte `offset` in `query`.
std::size_t column_of(std::string_view query, std::size_t offset);

/// How a message shows a token: quoted and cut to 40 characters.
std::string describe(const token&);

}   // namespace perdure::detail
