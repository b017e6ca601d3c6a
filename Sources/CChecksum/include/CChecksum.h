/*
 * CRC32C (Castagnoli), the checksum of every ZoneKV append unit. Uses the CPU's CRC32
 * instruction (SSE 4.2) when the processor has it, a table otherwise; both give the same
 * result.
 */
#ifndef ZONEKV_CCHECKSUM_H
#define ZONEKV_CCHECKSUM_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/* Extends `crc` (0 to start) over `length` bytes. */
uint32_t zonekv_crc32c(uint32_t crc, const void *bytes, size_t length);

/* The portable table-driven version, for tests and processors without the instruction. */
uint32_t zonekv_crc32c_portable(uint32_t crc, const void *bytes, size_t length);

/* Whether zonekv_crc32c uses the CPU instruction. */
bool zonekv_crc32c_is_hardware_accelerated(void);

#endif
