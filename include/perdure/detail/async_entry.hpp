// Non-template entry points behind the async_ forms of perdure/asio.hpp (defined in the library).
#pragma once

#include <perdure/client.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/json/value.hpp>

#include <exception>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace perdure {
class engine;
}

namespace perdure::detail {

template <class T>
using async_callback = std::function<void(std::exception_ptr, T)>;

void async_start_workflow(const client&, std::string type, boost::json::value input, start_workflow_options,
                          async_callback<started_run>);
void async_get_result(const client&, std::string workflow_id, std::string run_id, async_callback<boost::json::value>);
void async_cancel(const workflow_handle_base&, async_callback<bool>);
void async_terminate(const workflow_handle_base&, std::string reason, async_callback<bool>);
void async_describe(const workflow_handle_base&, async_callback<workflow_execution_info>);
void async_history(const workflow_handle_base&, async_callback<std::vector<history_event>>);
boost::asio::any_io_executor engine_executor(const engine&);

}  // namespace perdure::detail
