/* SPDX-License-Identifier: Apache-2.0 */
/* axvm-run's disk: the host side of the library's virtio-blk. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "disk.h"

/* All of [off, off + len) to the file (out) or from it: one retry loop
 * for both directions. The model checks offset and length against the
 * capacity before it calls in; a short transfer (the file shrank under
 * us) is an error the guest sees as VIRTIO_BLK_S_IOERR. */
static int transfer(int fd, uint64_t off, uint8_t *p, size_t len, bool out)
{
	while (len) {
		ssize_t n = out ? pwrite(fd, p, len, (off_t)off) : pread(fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return AXVM_EIO;
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

static int disk_read(void *arg, uint64_t off, void *buf, size_t len)
{
	return transfer(((struct disk *)arg)->fd, off, buf, len, false);
}

/* pwrite only reads the buffer: dropping const is safe. */
static int disk_write(void *arg, uint64_t off, const void *buf, size_t len)
{
	return transfer(((struct disk *)arg)->fd, off, (uint8_t *)(uintptr_t)buf, len, true);
}

static int disk_flush(void *arg)
{
	struct disk *d = arg;

	return fdatasync(d->fd) ? AXVM_EIO : 0;
}

int disk_open(struct disk *d, const char *path, char *msg, size_t msg_len)
{
	struct axvm_guest_access mem;
	const struct axvm_virtio_host host = {.arg = d}; /* polled: no irq */
	struct axvm_virtio_blk_config cfg = {.backend = &d->backend};
	struct stat st;
	int rc;

	memset(d, 0, sizeof(*d));
	d->fd = open(path, O_RDWR | O_CLOEXEC);
	if (d->fd < 0) {
		snprintf(msg, msg_len, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(d->fd, &st) || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    st.st_size % 512) {
		snprintf(msg, msg_len,
		         "%s: not a regular file of a non-zero multiple of 512 "
		         "bytes",
		         path);
		goto fail;
	}
	d->backend = (struct axvm_virtio_blk_backend){
	    .arg = d, .read = disk_read, .write = disk_write, .flush = disk_flush};
	cfg.size = (uint64_t)st.st_size;
	(void)axvm_guest_access_vm_slot(&mem, &d->vm); /* valid arguments */
	snprintf(cfg.id, sizeof(cfg.id), "axvm-run-disk");
	if ((rc = axvm_virtio_blk_init(&d->blk, &cfg, &mem, &host))) {
		snprintf(msg, msg_len, "%s: %s", path, axvm_strerror(rc));
		goto fail;
	}
	return 0;
fail:
	close(d->fd);
	d->fd = -1;
	return -1;
}

void disk_desc(struct disk *d, struct axvm_device_desc *desc)
{
	/* Cannot fail: the model is set up and the base is fixed. */
	(void)axvm_virtio_blk_desc(&d->blk, DISK_MMIO_BASE, desc);
}

void disk_close(struct disk *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}
