/* SPDX-License-Identifier: Apache-2.0 */
/* The two ready-made guest memory interfaces: a VM's address space (its
 * copy calls refuse device memory, holes and wrap-around themselves) and
 * one flat host buffer, bounds-checked here without overflow. */
#include <string.h>

#include <axvm/addrspace.h>
#include <axvm/virtio.h>

static int vm_read(void *ctx, uint64_t gpa, void *dst, size_t len)
{
	return axvm_copy_from_guest(ctx, dst, gpa, len);
}

static int vm_write(void *ctx, uint64_t gpa, const void *src, size_t len)
{
	return axvm_copy_to_guest(ctx, gpa, src, len);
}

int axvm_guest_access_vm(struct axvm_guest_access *m, struct axvm_vm *vm)
{
	if (!m || !vm)
		return AXVM_EINVAL;
	m->ctx = vm;
	m->read = vm_read;
	m->write = vm_write;
	return 0;
}

static int slot_read(void *ctx, uint64_t gpa, void *dst, size_t len)
{
	struct axvm_vm *vm = *(struct axvm_vm *const *)ctx;

	return vm ? axvm_copy_from_guest(vm, dst, gpa, len) : AXVM_EFAULT;
}

static int slot_write(void *ctx, uint64_t gpa, const void *src, size_t len)
{
	struct axvm_vm *vm = *(struct axvm_vm *const *)ctx;

	return vm ? axvm_copy_to_guest(vm, gpa, src, len) : AXVM_EFAULT;
}

int axvm_guest_access_vm_slot(struct axvm_guest_access *m, struct axvm_vm *const *slot)
{
	if (!m || !slot)
		return AXVM_EINVAL;
	m->ctx = (void *)(uintptr_t)slot; /* read only, through slot_*() */
	m->read = slot_read;
	m->write = slot_write;
	return 0;
}

static uint8_t *buf_at(struct axvm_guest_buf *b, uint64_t gpa, size_t len)
{
	uint64_t off;

	if (gpa < b->gpa)
		return NULL;
	off = gpa - b->gpa;
	if (off > b->size || len > b->size - off)
		return NULL;
	return b->base + off;
}

static int buf_read(void *ctx, uint64_t gpa, void *dst, size_t len)
{
	uint8_t *p = buf_at(ctx, gpa, len);

	if (!p)
		return AXVM_EFAULT;
	if (len)
		memcpy(dst, p, len);
	return 0;
}

static int buf_write(void *ctx, uint64_t gpa, const void *src, size_t len)
{
	uint8_t *p = buf_at(ctx, gpa, len);

	if (!p)
		return AXVM_EFAULT;
	if (len)
		memcpy(p, src, len);
	return 0;
}

int axvm_guest_access_buf(struct axvm_guest_access *m, struct axvm_guest_buf *b)
{
	if (!m || !b || (!b->base && b->size))
		return AXVM_EINVAL;
	m->ctx = b;
	m->read = buf_read;
	m->write = buf_write;
	return 0;
}
