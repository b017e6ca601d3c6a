/* The LZ4 block API (liblz4). Nothing else is needed from C. */
#include <lz4.h>
