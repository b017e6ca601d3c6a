#include "CChecksum.h"

#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>
#include <nmmintrin.h>
#endif

static uint32_t table[8][256];
static int table_ready;

static void build_table(void) {
    const uint32_t polynomial = 0x82F63B78u; /* reflected Castagnoli */
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t crc = n;
        for (int bit = 0; bit < 8; bit++) crc = (crc >> 1) ^ (polynomial & (0u - (crc & 1u)));
        table[0][n] = crc;
    }
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t crc = table[0][n];
        for (int slice = 1; slice < 8; slice++) {
            crc = table[0][crc & 0xFF] ^ (crc >> 8);
            table[slice][n] = crc;
        }
    }
    __atomic_store_n(&table_ready, 1, __ATOMIC_RELEASE);
}

uint32_t zonekv_crc32c_portable(uint32_t crc, const void *bytes, size_t length) {
    if (!__atomic_load_n(&table_ready, __ATOMIC_ACQUIRE)) build_table();
    const uint8_t *p = bytes;
    crc = ~crc;
    while (length >= 8) {
        uint64_t word;
        memcpy(&word, p, 8);
        word ^= crc;
        crc = table[7][word & 0xFF] ^ table[6][(word >> 8) & 0xFF] ^ table[5][(word >> 16) & 0xFF] ^
              table[4][(word >> 24) & 0xFF] ^ table[3][(word >> 32) & 0xFF] ^ table[2][(word >> 40) & 0xFF] ^
              table[1][(word >> 48) & 0xFF] ^ table[0][word >> 56];
        p += 8;
        length -= 8;
    }
    while (length--) crc = table[0][(crc ^ *p++) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2")))
static uint32_t crc32c_hardware(uint32_t crc, const void *bytes, size_t length) {
    const uint8_t *p = bytes;
    uint64_t value = ~crc;
    while (length >= 8) {
        uint64_t word;
        memcpy(&word, p, 8);
        value = _mm_crc32_u64(value, word);
        p += 8;
        length -= 8;
    }
    uint32_t small = (uint32_t)value;
    while (length--) small = _mm_crc32_u8(small, *p++);
    return ~small;
}

static int hardware_state; /* 0 unknown, 1 yes, 2 no */

static int has_hardware(void) {
    int state = __atomic_load_n(&hardware_state, __ATOMIC_RELAXED);
    if (state == 0) {
        unsigned eax, ebx, ecx, edx;
        state = (__get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & bit_SSE4_2)) ? 1 : 2;
        __atomic_store_n(&hardware_state, state, __ATOMIC_RELAXED);
    }
    return state == 1;
}
#endif

uint32_t zonekv_crc32c(uint32_t crc, const void *bytes, size_t length) {
#if defined(__x86_64__)
    if (has_hardware()) return crc32c_hardware(crc, bytes, length);
#endif
    return zonekv_crc32c_portable(crc, bytes, length);
}

bool zonekv_crc32c_is_hardware_accelerated(void) {
#if defined(__x86_64__)
    return has_hardware();
#else
    return false;
#endif
}
