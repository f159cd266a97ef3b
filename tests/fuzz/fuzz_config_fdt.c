/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: any bytes as a device-tree blob. axvm_config_from_fdt() must
 * not crash, read outside the input or leak, and must keep its contract:
 * an error is a negative code with a printable message and no VMs; a
 * success is VMs that pass axvm_config_validate(), whose guest DTBs build
 * (or report E2BIG) into valid trees, and whose device models take any
 * access inside their window. */
#include <libfdt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <axvm/config_fdt.h>

#include "fuzz_input.h"

#define MAX_VMS 4u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct axvm_fdt_vm vms[MAX_VMS];
static _Alignas(8) unsigned char guest[32768];

static void check_error(int rc, uint32_t n, const struct axvm_fdt_error *err)
{
	CHECK(rc < 0);
	CHECK(n == 0);
	CHECK(err->code == rc);
	CHECK(memchr(err->message, '\0', sizeof(err->message)) != NULL);
	CHECK(err->message[0] != '\0');
	for (const char *p = err->message; *p; p++)
		CHECK(*p >= 0x20 && *p < 0x7f);
}

static void poke_devices(struct axvm_fdt_vm *vm, const uint8_t *data,
                         size_t size)
{
	for (uint32_t i = 0; i < vm->cfg.device_count; i++) {
		const struct axvm_device_desc *d = &vm->cfg.devices[i];
		for (size_t k = 0; k + 2 < size && k < 48; k += 3) {
			unsigned width = 1u << (data[k] & 3);
			uint64_t off =
			    ((uint64_t)data[k + 1] << 4 | data[k + 2]) %
			    d->size;
			uint64_t v = 0;
			if (width > d->size || off > d->size - width)
				continue;
			if (data[k] & 4)
				CHECK(d->ops->write(d->ctx, off, width,
				                    data[k + 2]) == 0);
			else
				CHECK(d->ops->read(d->ctx, off, width, &v) ==
				      0);
			if (d->ops->reset && (data[k] & 0x80))
				d->ops->reset(d->ctx);
		}
	}
}

static void build_guest(const struct axvm_fdt_vm *vm, enum axvm_guest_arch arch,
                        size_t room)
{
	struct axvm_guest_fdt_params p;
	size_t used = 0;

	if (axvm_guest_fdt_params_from_vm(vm, arch, &p))
		return;
	int rc = axvm_guest_fdt_build(&p, guest, room, &used);
	if (rc == AXVM_E2BIG) {
		CHECK(used == 0);
		return;
	}
	/* Values the parser accepted may still be refused for a guest DT
	 * (a UART interrupt that is not an SPI, say), but never crash. */
	if (rc)
		return;
	CHECK(used > 0 && used <= room);
	CHECK(fdt_check_full(guest, used) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct axvm_fdt_error err;
	uint32_t n = 12345;
	/* An exact-size, 8-byte aligned copy: ASan sees any read past it. */
	void *blob = malloc(size ? size : 1);

	if (!blob)
		return 0;
	memcpy(blob, data, size);
	int rc = axvm_config_from_fdt(blob, size, vms, MAX_VMS, &n, &err);
	if (rc) {
		check_error(rc, n, &err);
		free(blob);
		return 0;
	}
	CHECK(n >= 1 && n <= MAX_VMS);
	CHECK(err.code == 0);
	for (uint32_t i = 0; i < n; i++) {
		CHECK(axvm_config_validate(&vms[i].cfg, NULL) == 0);
		size_t room =
		    size ? 64u + (size_t)data[size - 1] * 64u : sizeof(guest);
		build_guest(&vms[i], AXVM_GUEST_AARCH64, sizeof(guest));
		build_guest(&vms[i], AXVM_GUEST_RISCV64, sizeof(guest));
		build_guest(&vms[i],
		            i & 1 ? AXVM_GUEST_AARCH64 : AXVM_GUEST_RISCV64,
		            room < sizeof(guest) ? room : sizeof(guest));
		poke_devices(&vms[i], data, size);
	}
	free(blob);
	return 0;
}
