// The fault-injecting VFS.
#include "faults/fault_vfs.hpp"

#include <sqlite3.h>

#include <cstring>
#include <mutex>

namespace perdure::test {
namespace {

std::atomic<fault> armed{fault::none};
std::atomic<int> countdown{0};
std::atomic<int> injected{0};
sqlite3_vfs* base = nullptr;
sqlite3_vfs shim{};

struct shim_file {
    sqlite3_file base_file;   // must come first: SQLite sees this struct as a sqlite3_file
    sqlite3_file* real;
};

bool trips(fault wanted) {
    if (armed.load() != wanted) return false;
    if (countdown.fetch_sub(1) > 0) return false;
    ++injected;
    return true;
}

sqlite3_file* real_of(sqlite3_file* f) { return reinterpret_cast<shim_file*>(f)->real; }

int x_close(sqlite3_file* f) {
    auto* s = reinterpret_cast<shim_file*>(f);
    const int rc = s->real->pMethods ? s->real->pMethods->xClose(s->real) : SQLITE_OK;
    sqlite3_free(s->real);
    return rc;
}
int x_read(sqlite3_file* f, void* p, int n, sqlite3_int64 o) {
    return real_of(f)->pMethods->xRead(real_of(f), p, n, o);
}
int x_write(sqlite3_file* f, const void* p, int n, sqlite3_int64 o) {
    if (trips(fault::write_error)) return SQLITE_IOERR_WRITE;
    if (trips(fault::disk_full)) return SQLITE_FULL;
    if (trips(fault::short_write)) {
        real_of(f)->pMethods->xWrite(real_of(f), p, n / 2, o);
        return SQLITE_FULL;   // SQLite reports a short write as a full disk
    }
    return real_of(f)->pMethods->xWrite(real_of(f), p, n, o);
}
int x_truncate(sqlite3_file* f, sqlite3_int64 size) { return real_of(f)->pMethods->xTruncate(real_of(f), size); }
int x_sync(sqlite3_file* f, int flags) {
    if (trips(fault::fsync_error)) return SQLITE_IOERR_FSYNC;
    return real_of(f)->pMethods->xSync(real_of(f), flags);
}
int x_file_size(sqlite3_file* f, sqlite3_int64* size) { return real_of(f)->pMethods->xFileSize(real_of(f), size); }
int x_lock(sqlite3_file* f, int l) { return real_of(f)->pMethods->xLock(real_of(f), l); }
int x_unlock(sqlite3_file* f, int l) { return real_of(f)->pMethods->xUnlock(real_of(f), l); }
int x_check_reserved(sqlite3_file* f, int* out) { return real_of(f)->pMethods->xCheckReservedLock(real_of(f), out); }
int x_file_control(sqlite3_file* f, int op, void* arg) {
    return real_of(f)->pMethods->xFileControl(real_of(f), op, arg);
}
int x_sector_size(sqlite3_file* f) { return real_of(f)->pMethods->xSectorSize(real_of(f)); }
int x_device_characteristics(sqlite3_file* f) { return real_of(f)->pMethods->xDeviceCharacteristics(real_of(f)); }
int x_shm_map(sqlite3_file* f, int pg, int sz, int w, void volatile** pp) {
    return real_of(f)->pMethods->xShmMap(real_of(f), pg, sz, w, pp);
}
int x_shm_lock(sqlite3_file* f, int o, int n, int flags) {
    return real_of(f)->pMethods->xShmLock(real_of(f), o, n, flags);
}
void x_shm_barrier(sqlite3_file* f) { real_of(f)->pMethods->xShmBarrier(real_of(f)); }
int x_shm_unmap(sqlite3_file* f, int del) { return real_of(f)->pMethods->xShmUnmap(real_of(f), del); }
int x_fetch(sqlite3_file* f, sqlite3_int64 o, int n, void** pp) {
    return real_of(f)->pMethods->xFetch(real_of(f), o, n, pp);
}
int x_unfetch(sqlite3_file* f, sqlite3_int64 o, void* p) { return real_of(f)->pMethods->xUnfetch(real_of(f), o, p); }

const sqlite3_io_methods methods = {3,
                                    x_close,
                                    x_read,
                                    x_write,
                                    x_truncate,
                                    x_sync,
                                    x_file_size,
                                    x_lock,
                                    x_unlock,
                                    x_check_reserved,
                                    x_file_control,
                                    x_sector_size,
                                    x_device_characteristics,
                                    x_shm_map,
                                    x_shm_lock,
                                    x_shm_barrier,
                                    x_shm_unmap,
                                    x_fetch,
                                    x_unfetch};

int x_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
    auto* s = reinterpret_cast<shim_file*>(f);
    s->real = static_cast<sqlite3_file*>(sqlite3_malloc(base->szOsFile));
    std::memset(s->real, 0, static_cast<std::size_t>(base->szOsFile));
    const int rc = base->xOpen(base, name, s->real, flags, out_flags);
    s->base_file.pMethods = rc == SQLITE_OK ? &methods : nullptr;
    if (rc != SQLITE_OK) {
        sqlite3_free(s->real);
        s->real = nullptr;
    }
    return rc;
}

}   // namespace

void install_fault_vfs() {
    static std::once_flag once;
    std::call_once(once, [] {
        base = sqlite3_vfs_find(nullptr);
        shim = *base;
        shim.zName = "perdure-faults";
        shim.szOsFile = static_cast<int>(sizeof(shim_file));
        shim.xOpen = x_open;
        shim.pNext = nullptr;
        sqlite3_vfs_register(&shim, 1);
    });
}

void inject(fault f, int after) {
    countdown = after;
    injected = 0;
    armed = f;
}

void clear_faults() { armed = fault::none; }

int faults_injected() { return injected.load(); }

}   // namespace perdure::test
