// A SQLite VFS that wraps the default one and injects storage faults on demand: I/O errors on
// write or fsync, short writes, a full disk. Registered as the default VFS of the test process.
#pragma once

#include <atomic>

namespace perdure::test {

enum class fault { none, write_error, fsync_error, short_write, disk_full };

/// Installs the shim as the default VFS (once per process).
void install_fault_vfs();
/// From now on, after `after` more writes (or fsyncs) succeed, every one fails with `f`.
void inject(fault f, int after = 0);
void clear_faults();
/// How many faults were injected since the last inject().
int faults_injected();

}   // namespace perdure::test
