// Which shard a workflow belongs to. A workflow id and all its runs live in one shard, so the
// shard's owner alone decides id reuse and conflicts, as in Temporal (namespace + workflow id).
#pragma once

#include <cstdint>
#include <string_view>

namespace perdure::detail {

/// The shard of workflow `workflow_id` in namespace `ns_id`: FNV-1a (64 bits) over the namespace
/// id as 8 little-endian bytes followed by the workflow id's bytes, modulo `shard_count`. The
/// function is part of the stored format: shard ids are kept in executions.shard_id, and a
/// database's shard count never changes after its creation.
int shard_of(std::int64_t ns_id, std::string_view workflow_id, int shard_count) noexcept;

}   // namespace perdure::detail
