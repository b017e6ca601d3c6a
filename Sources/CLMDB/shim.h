// LMDB (Debian's liblmdb-dev), for the benchmark's peer engine only.
#ifndef ZONEKV_CLMDB_SHIM_H
#define ZONEKV_CLMDB_SHIM_H
#include <lmdb.h>
#endif
