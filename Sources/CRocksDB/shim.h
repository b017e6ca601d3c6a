// RocksDB's C API (Debian's librocksdb-dev), for the benchmark's peer engine only.
#ifndef ZONEKV_CROCKSDB_SHIM_H
#define ZONEKV_CROCKSDB_SHIM_H
#include <stdlib.h>
#include <rocksdb/c.h>
#endif
