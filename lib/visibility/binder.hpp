// The type checker between the parser and the AST: resolves a name token to a search attribute
// (suggesting the closest name for a typo), says which operators a type takes, and converts a
// literal token to its attribute's type, or throws invalid_argument pointing at the token.
#pragma once

#include "visibility/lexer.hpp"
#include "visibility/query.hpp"

namespace perdure::detail {

/// What a predicate does with its attribute, for the operator rules.
enum class attribute_use { equality, ordering, in_list, range, prefix, null_check, order_by, group_by };

class binder {
public:
    explicit binder(const attribute_types& custom) : custom_(custom) {}

    /// The attribute a name or backquoted name token names. Throws for an unknown name (with
    /// the closest known name) and for Temporal's attributes perdure does not record.
    attribute_ref resolve(const token& name) const;

    /// Throws when `attr` cannot be used as `use` says; `at` is the operator's token.
    void check_use(const attribute_ref& attr, attribute_use use, const token& at) const;

    /// The literal token converted to `attr`'s type. Throws naming the attribute, its type, the
    /// literal and its column when they do not fit.
    typed_value value(const attribute_ref& attr, const token& literal) const;

private:
    const attribute_types& custom_;
};

/// Levenshtein distance between `a` and `b`, ignoring ASCII case.
std::size_t edit_distance(std::string_view a, std::string_view b);

}   // namespace perdure::detail
