/*
 * The whole C layer of the zoned device module: liburing and the NVMe passthrough
 * interface, plus the few helpers Swift cannot import by itself (function-like
 * macros such as _IOWR, the zero-length sqe->cmd and flexible cqe->big_cqe arrays).
 * Everything here is static inline: no .c file, nothing to link beyond liburing.
 */
#ifndef ZONEKV_CLIBURING_SHIM_H
#define ZONEKV_CLIBURING_SHIM_H

/* liburing.h defines _GNU_SOURCE and _XOPEN_SOURCE; including libc's headers first keeps this
   module's view of libc (fd_set and friends) identical to Swift's Glibc and Dispatch modules. */
#include <sys/types.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <signal.h>
#include <time.h>
#include <sched.h>
#include <liburing.h>
#include <linux/nvme_ioctl.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/file.h>
#include <string.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>

/* Flags built by macros Swift cannot evaluate. */
#ifdef O_DIRECT
static const int zonekv_o_direct = O_DIRECT;
#else
static const int zonekv_o_direct = 040000; /* x86_64 and arm64 value; glibc hides it without _GNU_SOURCE */
#endif
static const unsigned char zonekv_iosqe_fixed_file = IOSQE_FIXED_FILE;

/* One reaped completion, copied out of the ring so Swift never touches CQE memory. */
struct zonekv_completion {
    __u64 user_data;
    __s32 res;
    __u32 flags;
    __u64 result; /* NVMe DW0|DW1 from a 32-byte CQE (Zone Append's assigned LBA); 0 otherwise */
};

/*
 * struct nvme_uring_cmd is struct nvme_passthru_cmd64 without its trailing 64-bit result
 * (linux/nvme_ioctl.h), so one command built for the ioctl serves io_uring as its prefix.
 */
_Static_assert(offsetof(struct nvme_uring_cmd, cdw15) == offsetof(struct nvme_passthru_cmd64, cdw15) &&
                   offsetof(struct nvme_uring_cmd, timeout_ms) == offsetof(struct nvme_passthru_cmd64, timeout_ms) &&
                   sizeof(struct nvme_uring_cmd) <= offsetof(struct nvme_passthru_cmd64, result),
               "nvme_uring_cmd is no longer a prefix of nvme_passthru_cmd64");

/*
 * Fills a 128-byte SQE with an NVMe passthrough command (IORING_OP_URING_CMD), taking the
 * command as the ioctl builds it (its result field is not part of the SQE).
 * liburing 2.3 has no prep helper; the prep_rw helpers would write fields that
 * overlap sqe->cmd, so the SQE is built from zero here.
 */
static inline void zonekv_prep_nvme_command(struct io_uring_sqe *sqe, int fd, bool fixed_file,
                                            const struct nvme_passthru_cmd64 *cmd, int fixed_buffer_index) {
    memset(sqe, 0, 128);
    sqe->opcode = IORING_OP_URING_CMD;
    sqe->fd = fd;
    if (fixed_file) sqe->flags |= IOSQE_FIXED_FILE;
    sqe->cmd_op = NVME_URING_CMD_IO;
    if (fixed_buffer_index >= 0) {
        sqe->uring_cmd_flags = IORING_URING_CMD_FIXED;
        sqe->buf_index = (__u16)fixed_buffer_index;
    }
    memcpy(sqe->cmd, cmd, sizeof(struct nvme_uring_cmd));
}

/* Copies up to `max` ready completions out of the ring and advances it once. */
static inline unsigned zonekv_reap(struct io_uring *ring, struct zonekv_completion *out, unsigned max) {
    unsigned head, count = 0;
    struct io_uring_cqe *cqe;
    bool big = (ring->flags & IORING_SETUP_CQE32) != 0;
    io_uring_for_each_cqe(ring, head, cqe) {
        if (count == max) break;
        out[count].user_data = cqe->user_data;
        out[count].res = cqe->res;
        out[count].flags = cqe->flags;
        out[count].result = big ? cqe->big_cqe[0] : 0;
        count++;
    }
    io_uring_cq_advance(ring, count);
    return count;
}

/* Synchronous admin command (Identify) through the namespace's char device. */
static inline int zonekv_nvme_admin_command(int fd, struct nvme_passthru_cmd *cmd) {
    return ioctl(fd, NVME_IOCTL_ADMIN_CMD, cmd);
}

/* Synchronous I/O command with the 64-bit result (a Zone Append's assigned LBA) on the
   submitting thread: 0, a positive NVMe status, or -1 with errno set. */
static inline int zonekv_nvme_io_command64(int fd, struct nvme_passthru_cmd64 *cmd) {
    return ioctl(fd, NVME_IOCTL_IO64_CMD, cmd);
}

/* The namespace id behind an NVMe generic char device. */
static inline int zonekv_nvme_namespace_id(int fd) {
    return ioctl(fd, NVME_IOCTL_ID);
}

static inline int zonekv_errno(void) { return errno; }

/* fallocate(2) needs _GNU_SOURCE, which Swift's Glibc module is built without. */
static inline int zonekv_fallocate(int fd, off_t offset, off_t length) {
    return fallocate(fd, 0, offset, length);
}

#endif
