// The workflow under test: a 30-day trial that can be cancelled by signal, welcomes the
// customer with an activity and, if nobody cancels, renews through the billing service (Nexus).
#pragma once

#include <perdure/perdure.hpp>

using namespace std::chrono_literals;

inline const perdure::activity_def<std::string, std::string> send_welcome{
    "SendWelcome", [](perdure::activity_context&, std::string customer) { return "welcome mail to " + customer; }};

inline perdure::workflow<std::string> subscription(perdure::workflow_context& ctx, std::string customer) {
    std::string status = "trial";
    ctx.set_query_handler("status", [&] { return status; });
    co_await ctx.execute_activity(send_welcome, customer, {.start_to_close_timeout = 1min});
    auto cancel = ctx.signal_channel<std::string>("cancel").receive();
    if (co_await perdure::any(cancel, ctx.sleep(24h * 30)) == 0) {
        status = "canceled: " + co_await cancel;
        co_return status;
    }
    status = "renewing";
    auto receipt = co_await ctx.nexus_client("billing", "payments").execute_operation<std::string>("charge", customer);
    status = "renewed, " + receipt;
    co_return status;
}
inline const perdure::workflow_def subscription_workflow{"Subscription", &subscription};
