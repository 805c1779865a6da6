// Must compile: the payload types perdure accepts, in both directions, through workflows,
// activities, signals and the client.
#include <perdure/perdure.hpp>

#include <boost/describe/enum.hpp>

#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <variant>
#include <vector>

namespace shop {

struct line {
    std::string sku;
    int quantity = 0;
    std::optional<double> discount;
};
BOOST_DESCRIBE_STRUCT(line, (), (sku, quantity, discount))

struct category {   // contains itself
    std::string name;
    std::vector<category> children;
};
BOOST_DESCRIBE_STRUCT(category, (), (name, children))

enum class state { open, closed };
BOOST_DESCRIBE_ENUM(state, open, closed)

struct token {   // converted by its own tag_invoke overloads
    std::string text;
};
void tag_invoke(boost::json::value_from_tag, boost::json::value& v, const token& t) { v = t.text; }
token tag_invoke(boost::json::value_to_tag<token>, const boost::json::value& v) { return {std::string(v.as_string())}; }

}   // namespace shop

template <class T>
void round_trip(const T& value) {
    [[maybe_unused]] T back = perdure::detail::from_payload<T>(perdure::detail::to_payload(value));
}

perdure::workflow<void> nothing(perdure::workflow_context&) { co_return; }
const perdure::workflow_def nothing_workflow{"Nothing", &nothing};

perdure::workflow<std::vector<shop::line>> order(perdure::workflow_context& ctx, shop::category c) {
    auto go = ctx.signal_channel<std::map<std::string, int>>("go");
    [[maybe_unused]] auto counts = co_await go.receive();
    co_return std::vector<shop::line>{{c.name, 1, std::nullopt}};
}
const perdure::workflow_def order_workflow{"Order", &order};

std::monostate ping(perdure::activity_context&, shop::token) { return {}; }
const perdure::activity_def ping_activity{"Ping", &ping};

int main() {
    round_trip(std::string("s"));
    round_trip(42);
    round_trip(2.5);
    round_trip(true);
    round_trip(std::vector<int>{1});
    round_trip(std::map<std::string, std::vector<std::string>>{});
    round_trip(std::unordered_map<std::string, shop::line>{});
    round_trip(std::optional<shop::line>{});
    round_trip(std::variant<std::string, std::int64_t>{});
    round_trip(std::tuple<int, std::string>{});
    round_trip(std::pair<std::string, bool>{});
    round_trip(boost::json::value{});
    round_trip(boost::json::object{});
    round_trip(boost::json::array{});
    round_trip(std::monostate{});
    round_trip(shop::line{});
    round_trip(shop::category{});
    round_trip(shop::state::open);
    round_trip(shop::token{});

    perdure::engine engine;
    auto client = engine.client_for("default");
    auto run = client.start_workflow(order_workflow, shop::category{"toys", {}}, {.id = "o", .task_queue = "q"});
    run.signal("go", std::map<std::string, int>{{"a", 1}});
    [[maybe_unused]] auto lines = run.get();
    client.start_workflow(nothing_workflow, {.id = "n", .task_queue = "q"}).get();
}
