// Temporal Nexus between namespaces of one process, every audience at once. Each part has its
// own header: endpoints for operators (perdure/nexus/endpoints.hpp), the service definition for
// handlers (perdure/nexus/service.hpp), the errors handlers throw and callers receive
// (perdure/nexus/errors.hpp), the typed contract both sides share (perdure/nexus/operation_ref.hpp)
// and the caller's options (perdure/nexus/operation_options.hpp). The caller's client is
// perdure/nexus_client.hpp.
#pragma once

#include <perdure/nexus/endpoints.hpp>
#include <perdure/nexus/errors.hpp>
#include <perdure/nexus/operation_options.hpp>
#include <perdure/nexus/operation_ref.hpp>
#include <perdure/nexus/service.hpp>
