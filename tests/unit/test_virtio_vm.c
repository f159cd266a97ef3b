/* SPDX-License-Identifier: Apache-2.0 */
/* The guest memory interfaces, and virtio-blk on a real VM's address space (the mock backend): registered
 * with axvm_vm_add_device(), reaching guest RAM through
 * axvm_guest_access_vm(); a buffer in the device's own MMIO window or in no
 * region fails its request; and nothing from probe to the last request
 * allocates (every allocation after set-up is made to fail and none is
 * attempted). The driver builds its rings in a mirror of guest RAM that is
 * copied in before and out after each step. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include <axvm/config_fdt.h> /* its axvm_guest_mem must not clash */

#include "test_env.h"
#include "virtio_driver.h"

#define DISK (8u * 1024)
#define BASE 0xa000000ull

static struct fixture {
	struct vdrv v;
	struct test_env e;
	struct axvm_vm *vm;
	struct axvm_guest_access vmmem;
	struct axvm_virtio_blk b;
	uint8_t disk[DISK];
} F;

static void to_vm(struct fixture *f)
{
	assert_int_equal(axvm_copy_to_guest(f->vm, GRAM, f->v.ram, GRAM_SIZE), 0);
}

static void from_vm(struct fixture *f)
{
	assert_int_equal(axvm_copy_from_guest(f->vm, f->v.ram, GRAM, GRAM_SIZE), 0);
}

/* One request (header at DATA, data, status) with the data buffer at
 * `buf`; the status byte, or -1 if none was written. */
static int request(struct fixture *f, uint32_t type, uint64_t buf, uint32_t len, bool in)
{
	struct vdrv *v = &f->v;

	put32(v, DATA, type);
	put64(v, DATA + 8, 1);
	*gp(v, DATA + 0x100) = 0xee;
	vd_desc(v, 0, 0, DATA, 16, D_NEXT, 1);
	vd_desc(v, 0, 1, buf, len, (uint16_t)(D_NEXT | (in ? D_WRITE : 0)), 2);
	vd_desc(v, 0, 2, DATA + 0x100, 1, D_WRITE, 0);
	vd_post(v, 0, 0);
	to_vm(f);
	wr(v, R_QUEUE_NOTIFY, 0);
	from_vm(f);
	return *gp(v, DATA + 0x100) == 0xee ? -1 : *gp(v, DATA + 0x100);
}

static void test_virtio_vm_requests_without_allocation(void **state)
{
	struct fixture *f = &F;
	struct vdrv *v = &f->v;
	struct axvm_config cfg;
	struct axvm_mem_region ram = { .gpa = GRAM, .size = GRAM_SIZE, .flags = AXVM_MEM_RWX,
				       .type = AXVM_MAP_ALLOCATED };
	struct axvm_virtio_blk_config bc = { .mem = f->disk, .size = DISK };
	long allocs;
	(void)state;

	memset(f, 0, sizeof(*f));
	vd_init(v);
	for (unsigned i = 0; i < DISK; i++)
		f->disk[i] = (uint8_t)(i * 3);
	assert_int_equal(test_env_init(&f->e), 0);
	test_env_config(&cfg, 1, 1);
	assert_int_equal(axvm_config_add_region(&cfg, &ram), 0);
	cfg.bsp_entry = GRAM;
	assert_int_equal(axvm_vm_create(f->e.host, &cfg, &f->vm, NULL), 0);
	assert_int_equal(axvm_guest_access_vm(&f->vmmem, f->vm), 0);
	assert_int_equal(axvm_guest_access_vm(NULL, f->vm), AXVM_EINVAL);
	assert_int_equal(axvm_guest_access_vm(&f->vmmem, NULL), AXVM_EINVAL);
	{
		/* A slot the VM arrives in later: EFAULT until then. */
		struct axvm_vm *slot = NULL;
		struct axvm_guest_access later;
		const uint8_t probe[4] = { 1, 2, 3, 4 };
		uint8_t back[4] = { 0 };

		assert_int_equal(axvm_guest_access_vm_slot(NULL, &slot), AXVM_EINVAL);
		assert_int_equal(axvm_guest_access_vm_slot(&later, NULL), AXVM_EINVAL);
		assert_int_equal(axvm_guest_access_vm_slot(&later, &slot), 0);
		assert_int_equal(later.write(later.ctx, GRAM + GRAM_SIZE - 4, probe, 4), AXVM_EFAULT);
		slot = f->vm;
		assert_int_equal(later.write(later.ctx, GRAM + GRAM_SIZE - 4, probe, 4), 0);
		assert_int_equal(later.read(later.ctx, GRAM + GRAM_SIZE - 4, back, 4), 0);
		assert_memory_equal(back, probe, 4);
		assert_true(later.read(later.ctx, GRAM + GRAM_SIZE - 2, back, 4) < 0);
	}
	assert_int_equal(axvm_virtio_blk_init(&f->b, &bc, &f->vmmem, &v->host), 0);
	assert_int_equal(axvm_virtio_blk_desc(&f->b, BASE, &v->d), 0);
	assert_int_equal(axvm_vm_add_device(f->vm, &v->d), 0);

	allocs = atomic_load(&f->e.fh.allocs);
	f->e.fh.fail_at = allocs + 1;

	to_vm(f);
	vd_setup(v, 2, 0, 1, 16);
	assert_int_equal(request(f, 0, DATA + 0x1000, 1024, true), 0);
	assert_memory_equal(gp(v, DATA + 0x1000), f->disk + 512, 1024);
	memset(gp(v, DATA + 0x1000), 0x5a, 512);
	assert_int_equal(request(f, 1, DATA + 0x1000, 512, false), 0);
	assert_int_equal(f->disk[512], 0x5a);
	/* into the device's own registers, and into no region at all */
	assert_int_equal(request(f, 0, BASE, 512, true), 1);
	assert_int_equal(request(f, 1, BASE + 0x100, 512, false), 1);
	assert_int_equal(request(f, 0, GRAM + GRAM_SIZE, 512, true), 1);
	assert_int_equal(request(f, 0, GRAM + GRAM_SIZE - 256, 512, true), 1);
	assert_int_equal(request(f, 4, 0, 0, false), 0);
	assert_int_equal(f->b.t.broken, 0);
	/* a ring in MMIO is refused at QueueReady */
	wr(v, R_STATUS, 0);
	vd_probe(v, 2);
	assert_true(vd_features(v, F_VERSION_1));
	assert_false(vd_queue_at(v, 0, 16, BASE, QBASE(0) + 0x1000, QBASE(0) + 0x2000));
	assert_true(rd(v, R_STATUS) & S_NEEDS_RESET);

	assert_int_equal(atomic_load(&f->e.fh.allocs), allocs);
	assert_false(atomic_load(&f->e.fh.failed));
	f->e.fh.fail_at = 0;
	axvm_vm_put(f->vm);
	assert_int_equal(test_env_fini(&f->e), 0);
}

/* The flat-buffer interface: whole ranges inside the buffer or nothing,
 * whatever the arithmetic does at the edges. */
static void test_virtio_guest_access_buf_bounds(void **state)
{
	static uint8_t ram[64];
	struct axvm_guest_buf b = { .gpa = 0x1000, .base = ram, .size = sizeof(ram) };
	struct axvm_guest_buf none = { .gpa = 0x1000, .base = NULL, .size = 16 };
	struct axvm_guest_access m;
	uint8_t x[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	(void)state;

	assert_int_equal(axvm_guest_access_buf(NULL, &b), AXVM_EINVAL);
	assert_int_equal(axvm_guest_access_buf(&m, NULL), AXVM_EINVAL);
	assert_int_equal(axvm_guest_access_buf(&m, &none), AXVM_EINVAL);
	assert_int_equal(axvm_guest_access_buf(&m, &b), 0);
	assert_int_equal(m.write(m.ctx, 0x1000 + 56, x, 8), 0);
	assert_memory_equal(ram + 56, x, 8);
	assert_int_equal(m.read(m.ctx, 0x1000, x, 8), 0);
	assert_int_equal(m.read(m.ctx, 0x1000 + 57, x, 8), AXVM_EFAULT); /* runs off */
	assert_int_equal(m.read(m.ctx, 0xfff, x, 2), AXVM_EFAULT);       /* starts before */
	assert_int_equal(m.read(m.ctx, 0x1000 + 64, x, 0), 0);           /* empty, at the end */
	assert_int_equal(m.read(m.ctx, 0x1000 + 65, x, 0), AXVM_EFAULT);
	assert_int_equal(m.write(m.ctx, UINT64_MAX, x, 2), AXVM_EFAULT);
	assert_int_equal(m.write(m.ctx, 0x1000 + 8, x, SIZE_MAX), AXVM_EFAULT);
	assert_int_equal(ram[0], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_virtio_guest_access_buf_bounds),
		cmocka_unit_test(test_virtio_vm_requests_without_allocation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
