// perdure: an embedded durable execution engine. This header includes the whole workflow,
// activity, client and engine API (no Asio: include <perdure/asio.hpp> for that surface).
#pragma once

#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13 && !defined(PERDURE_ALLOW_GCC12)
#error \
    "perdure: g++ older than 13 destroys temporaries inside co_await expressions twice (a double free when an \
options struct with a std::string is built in the co_await expression). Build with clang++ (clang-16), or define \
PERDURE_ALLOW_GCC12 and name every future before awaiting it."
#endif

#include <perdure/activity_context.hpp>
#include <perdure/client.hpp>
#include <perdure/clock.hpp>
#include <perdure/definitions.hpp>
#include <perdure/engine.hpp>
#include <perdure/engine_options.hpp>
#include <perdure/error.hpp>
#include <perdure/failure.hpp>
#include <perdure/future.hpp>
#include <perdure/history.hpp>
#include <perdure/namespaces.hpp>
#include <perdure/nexus.hpp>
#include <perdure/nexus_client.hpp>
#include <perdure/options.hpp>
#include <perdure/payload.hpp>
#include <perdure/signal_channel.hpp>
#include <perdure/worker.hpp>
#include <perdure/workflow.hpp>
#include <perdure/workflow_context.hpp>
