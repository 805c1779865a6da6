// The grammar, one function per rule:
//   query     := [or_expr] [ORDER BY order_item {"," order_item} | GROUP BY name]
//   or_expr   := and_expr {OR and_expr}
//   and_expr  := unary {AND unary}
//   unary     := NOT unary | "(" or_expr ")" | predicate
//   predicate := name ( op value | [NOT] IN "(" value {"," value} ")" | [NOT] BETWEEN value AND value
//                     | [NOT] STARTS_WITH string | IS [NOT] NULL )
// AND and OR chains become one node each, so only parentheses and NOT nest, and they are
// counted against the depth limit before the parser recurses.
#include "visibility/parser.hpp"

#include "visibility/binder.hpp"
#include "visibility/lexer.hpp"

#include <perdure/error.hpp>

namespace perdure::detail {
namespace {

class parser {
public:
    parser(std::string_view text, const attribute_types& custom, const query_limits& limits)
        : tokens_(tokenize(text)), binder_(custom), limits_(limits) {}

    visibility_query run() {
        if (peek().kind != token_kind::end && !is_keyword(peek(), "ORDER") && !is_keyword(peek(), "GROUP"))
            q_.root = or_expr();
        if (q_.root && groups(*q_.root) > limits_.max_groups)
            fail(tokens_.front(),
                 "the query nests AND and OR groups deeper than " + std::to_string(limits_.max_groups) + " levels");
        if (accept_keyword("ORDER")) {
            expect_keyword("BY", "after ORDER");
            do order_item();
            while (accept(token_kind::comma));
        } else if (accept_keyword("GROUP")) {
            const token& group = previous();
            expect_keyword("BY", "after GROUP");
            const auto attr = binder_.resolve(expect_name("after GROUP BY"));
            binder_.check_use(attr, attribute_use::group_by, group);
            q_.group_by = attr;
            if (peek().kind == token_kind::comma) fail(peek(), "unexpected ','", "GROUP BY takes one attribute");
        }
        if (peek().kind != token_kind::end) {
            if (is_keyword(peek(), "ORDER") || is_keyword(peek(), "GROUP"))
                fail(peek(), "unexpected " + describe(peek()), "a query has one ORDER BY or one GROUP BY");
            if (peek().kind == token_kind::rparen) fail(peek(), "unmatched ')'");
            fail(peek(), "expected AND, OR or the end of the query", "found " + describe(peek()));
        }
        return std::move(q_);
    }

private:
    /// Throws "<what> at column N[; <detail>]", N being the column of `t`.
    [[noreturn]] static void fail(const token& t, const std::string& what, const std::string& detail = {}) {
        throw invalid_argument(what + " at column " + std::to_string(t.column) + (detail.empty() ? "" : "; " + detail));
    }

    const token& peek() const { return tokens_[pos_]; }
    const token& previous() const { return tokens_[pos_ - 1]; }
    const token& take() { return tokens_[pos_ < tokens_.size() - 1 ? pos_++ : pos_]; }

    static bool is_keyword(const token& t, std::string_view k) { return t.kind == token_kind::keyword && t.text == k; }

    bool accept(token_kind kind) {
        if (peek().kind != kind) return false;
        take();
        return true;
    }

    bool accept_keyword(std::string_view k) {
        if (!is_keyword(peek(), k)) return false;
        take();
        return true;
    }

    void expect_keyword(std::string_view k, std::string_view where) {
        if (!accept_keyword(k))
            fail(peek(), "expected " + std::string(k) + " " + std::string(where), "found " + describe(peek()));
    }

    const token& expect_name(std::string_view where) {
        if (peek().kind != token_kind::name && peek().kind != token_kind::quoted_name) {
            std::string found = "found " + describe(peek());
            if (peek().kind == token_kind::keyword)
                found += " (backquote a name that is a keyword: `" + peek().text + "`)";
            fail(peek(), "expected a search attribute name " + std::string(where), found);
        }
        return take();
    }

    std::size_t add(filter_node n) {
        q_.nodes.push_back(std::move(n));
        return q_.nodes.size() - 1;
    }

    /// An AND or OR chain as one node; a single operand stays itself.
    template <class Operand>
    std::size_t chain(std::string_view keyword, node_kind kind, Operand operand) {
        const auto first = operand();
        if (!is_keyword(peek(), keyword)) return first;
        filter_node n{.kind = kind, .children = {first}};
        while (accept_keyword(keyword)) n.children.push_back(operand());
        return add(std::move(n));
    }

    std::size_t or_expr() {
        return chain("OR", node_kind::any_of, [this] { return and_expr(); });
    }
    std::size_t and_expr() {
        return chain("AND", node_kind::all_of, [this] { return unary(); });
    }

    /// How deep AND and OR groups nest under node `index`.
    std::size_t groups(std::size_t index) const {
        const filter_node& n = q_.nodes[index];
        std::size_t deepest = 0;
        for (const auto child : n.children) deepest = std::max(deepest, groups(child));
        return deepest + (n.kind == node_kind::all_of || n.kind == node_kind::any_of ? 1 : 0);
    }

    void enter(const token& t) {
        if (++depth_ > limits_.max_depth)
            fail(t, "the query nests deeper than " + std::to_string(limits_.max_depth) + " levels");
    }

    std::size_t unary() {
        if (accept_keyword("NOT")) {
            enter(previous());
            const auto child = unary();
            --depth_;
            return add({.kind = node_kind::negation, .children = {child}});
        }
        if (accept(token_kind::lparen)) {
            const token& open = previous();
            enter(open);
            const auto inner = or_expr();
            --depth_;
            if (!accept(token_kind::rparen))
                fail(peek(), "expected ')' to close the '(' of column " + std::to_string(open.column),
                     "found " + describe(peek()));
            return inner;
        }
        return predicate();
    }

    typed_value value_after(const attribute_ref& attr, const token& after) {
        const token& t = peek();
        const bool literal =
            t.kind == token_kind::string || t.kind == token_kind::integer || t.kind == token_kind::number ||
            (t.kind == token_kind::keyword && (t.text == "TRUE" || t.text == "FALSE" || t.text == "NULL"));
        if (!literal) {
            std::string found = "found " + describe(t);
            if (t.kind == token_kind::name) found += " (quote strings: '" + t.text + "')";
            fail(t, "expected a value after " + describe(after), found);
        }
        if (++values_ > limits_.max_values)
            fail(t, "the query holds more than " + std::to_string(limits_.max_values) + " values");
        take();
        return binder_.value(attr, t);
    }

    std::size_t predicate() {
        const token& name = expect_name("or '('");
        if (++predicates_ > limits_.max_predicates)
            fail(name, "the query has more than " + std::to_string(limits_.max_predicates) + " conditions");
        filter_node n{.attr = binder_.resolve(name)};
        const token& op = take();
        if (op.kind == token_kind::op) {
            static constexpr std::pair<std::string_view, compare_op> ops[] = {
                {"=", compare_op::eq},  {"!=", compare_op::ne}, {"<>", compare_op::ne}, {"<", compare_op::lt},
                {"<=", compare_op::le}, {">", compare_op::gt},  {">=", compare_op::ge}};
            for (const auto& [text, o] : ops)
                if (op.text == text) n.op = o;
            const bool ordering = n.op != compare_op::eq && n.op != compare_op::ne;
            binder_.check_use(n.attr, ordering ? attribute_use::ordering : attribute_use::equality, op);
            n.kind = node_kind::compare;
            n.values.push_back(value_after(n.attr, op));
            return add(std::move(n));
        }
        if (is_keyword(op, "IS")) {
            n.kind = node_kind::is_null;
            n.negated = accept_keyword("NOT");
            expect_keyword("NULL", n.negated ? "after IS NOT" : "after IS");
            return add(std::move(n));
        }
        const token& word = is_keyword(op, "NOT") ? take() : op;
        n.negated = &word != &op;
        if (is_keyword(word, "IN")) {
            binder_.check_use(n.attr, attribute_use::in_list, word);
            n.kind = node_kind::in;
            if (!accept(token_kind::lparen)) fail(peek(), "expected '(' after IN", "found " + describe(peek()));
            do n.values.push_back(value_after(n.attr, previous()));
            while (accept(token_kind::comma));
            if (!accept(token_kind::rparen))
                fail(peek(), "expected ',' or ')' in the IN list", "found " + describe(peek()));
        } else if (is_keyword(word, "BETWEEN")) {
            binder_.check_use(n.attr, attribute_use::range, word);
            n.kind = node_kind::between;
            n.values.push_back(value_after(n.attr, word));
            expect_keyword("AND", "between the bounds of BETWEEN");
            n.values.push_back(value_after(n.attr, previous()));
        } else if (is_keyword(word, "STARTS_WITH")) {
            binder_.check_use(n.attr, attribute_use::prefix, word);
            n.kind = node_kind::starts_with;
            if (peek().kind != token_kind::string)
                fail(peek(), "expected a string after STARTS_WITH", "found " + describe(peek()));
            n.values.push_back(value_after(n.attr, word));
        } else {
            fail(word, "expected an operator after " + n.attr.name + (n.negated ? " NOT" : ""),
                 "found " + describe(word) + " (use =, !=, <, <=, >, >=, IN, BETWEEN, STARTS_WITH or IS)");
        }
        return add(std::move(n));
    }

    void order_item() {
        const auto attr = binder_.resolve(expect_name("after ORDER BY"));
        const token& name = previous();
        binder_.check_use(attr, attribute_use::order_by, name);
        for (const auto& item : q_.order_by)
            if (item.attr.name == attr.name) fail(name, "ORDER BY names " + attr.name + " twice");
        if (q_.order_by.size() == limits_.max_order_by)
            fail(name, "ORDER BY takes at most " + std::to_string(limits_.max_order_by) + " attributes");
        bool descending = false;
        if (accept_keyword("DESC"))
            descending = true;
        else
            accept_keyword("ASC");
        q_.order_by.push_back({attr, descending});
    }

    std::vector<token> tokens_;
    std::size_t pos_ = 0;
    binder binder_;
    query_limits limits_;
    visibility_query q_;
    std::size_t depth_ = 0, predicates_ = 0, values_ = 0;
};

}   // namespace

visibility_query parse_query(std::string_view text, const attribute_types& custom, const query_limits& limits) {
    return parser(text, custom, limits).run();
}

}   // namespace perdure::detail
