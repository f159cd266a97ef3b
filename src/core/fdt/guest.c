/* SPDX-License-Identifier: Apache-2.0 */
/* The guest's own device tree, written with libfdt's sequential-write API
 * into the caller's buffer (libfdt never writes past the size it is given;
 * running out is FDT_ERR_NOSPACE, reported as AXVM_E2BIG).
 *
 * AArch64: PSCI (method "hvc") CPUs, GICv3 (distributor + redistributors),
 * the architected timer, a PL011 (or 16550). RISC-V: "riscv" harts with a
 * per-hart interrupt controller (enable method: SBI HSM, which needs no
 * property), a PLIC wired to each hart's S-mode external interrupt,
 * timebase-frequency on /cpus, a 16550 (or PL011). Both: memory nodes,
 * /chosen with bootargs, linux,initrd-start/end and stdout-path, /aliases. */
#include <libfdt.h>
#include <string.h>

#include <axvm/uart.h>

#include "fdt_internal.h"

#define PH_INTC      1u  /* GIC or PLIC */
#define PH_CLK       2u  /* PL011 clock */
#define PH_HART_INTC 16u /* + hart index */

#define GIC_SPI         0u
#define GIC_PPI         1u
#define IRQ_LEVEL_HIGH  4u
#define RISCV_IRQ_S_EXT 9u
#define GICR_FRAME_SIZE 0x20000u
#define STRING_MAX      64u /* riscv,isa and mmu-type */

/* Which targets' DTBs this build writes. A bare-metal library serves one
 * target's kernel, so the other target's nodes and strings would be code
 * it can never run (about 1 KB of text); a hosted build (the unit tests,
 * host tools) writes both. IS_ARM() is only asked after check_params()
 * has refused an arch this build does not write. */
#if defined(AXVM_ARCH_aarch64)
#define BUILT_ARCH(a) ((a) == AXVM_GUEST_AARCH64)
#define IS_ARM(a)     ((void)(a), true)
#elif defined(AXVM_ARCH_riscv64)
#define BUILT_ARCH(a) ((a) == AXVM_GUEST_RISCV64)
#define IS_ARM(a)     ((void)(a), false)
#else
#define BUILT_ARCH(a) ((a) == AXVM_GUEST_AARCH64 || (a) == AXVM_GUEST_RISCV64)
#define IS_ARM(a)     ((a) == AXVM_GUEST_AARCH64)
#endif

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* A property of up to 16 cells. */
struct cells {
	uint8_t b[16 * 4];
	int n;
};

static void cells_add(struct cells *c, uint32_t v)
{
	if (c->n < 16)
		put32(c->b + 4 * c->n++, v);
}

static void cells_add64(struct cells *c, uint64_t v)
{
	cells_add(c, (uint32_t)(v >> 32));
	cells_add(c, (uint32_t)v);
}

static int prop_cells(void *fdt, const char *name, const struct cells *c)
{
	return fdt_property(fdt, name, c->b, c->n * 4);
}

/* Strings here are short and checked (good_string) before the build. */
static int prop_str(void *fdt, const char *name, const char *s)
{
	size_t n = strlen(s) + 1;

	if (n > INT32_MAX)
		return -FDT_ERR_BADVALUE;
	return fdt_property(fdt, name, s, (int)n);
}

static int prop_reg(void *fdt, uint64_t base, uint64_t size)
{
	struct cells c = {.n = 0};

	cells_add64(&c, base);
	cells_add64(&c, size);
	return prop_cells(fdt, "reg", &c);
}

/* "name@hex" */
static void unit_name(char *out, size_t size, const char *name, uint64_t addr)
{
	static const char digits[] = "0123456789abcdef";
	char hex[17];
	size_t i = sizeof(hex) - 1;
	struct axvm_msg m;

	hex[i] = '\0';
	do {
		hex[--i] = digits[addr & 0xf];
		addr >>= 4;
	} while (addr);
	axvm_msg_init(&m, out, size);
	axvm_msg_str(&m, name);
	axvm_msg_str(&m, "@");
	axvm_msg_str(&m, hex + i);
}

#define TRY(expr)                                                              \
	do {                                                                   \
		int try_rc_ = (expr);                                          \
		if (try_rc_ < 0)                                               \
			return try_rc_;                                        \
	} while (0)

/* Bounded printable string of at most max-1 characters. */
static bool good_string(const char *s, size_t max)
{
	size_t n = 0;

	for (; n < max && s[n]; n++)
		if ((unsigned char)s[n] < 0x20 || (unsigned char)s[n] >= 0x7f)
			return false;
	return n < max;
}

static bool wraps(uint64_t base, uint64_t size)
{
	return size == 0 || base + (size - 1) < base;
}

static int check_params(const struct axvm_guest_fdt_params *p)
{
	bool arm = IS_ARM(p->arch);

	if (p->arch != AXVM_GUEST_AARCH64 && p->arch != AXVM_GUEST_RISCV64)
		return AXVM_EINVAL;
	if (!BUILT_ARCH(p->arch))
		return AXVM_ENOTSUP;
	if (p->vcpu_count == 0 || p->mem_count == 0)
		return AXVM_EINVAL;
	if (p->vcpu_count > AXVM_MAX_VCPUS || p->mem_count > AXVM_MAX_REGIONS)
		return AXVM_E2BIG;
	for (uint32_t i = 0; i < p->mem_count; i++)
		if (wraps(p->mem[i].base, p->mem[i].size))
			return p->mem[i].size ? AXVM_EOVERFLOW : AXVM_EINVAL;
	if (p->bootargs && !good_string(p->bootargs, AXVM_FDT_BOOTARGS_MAX))
		return AXVM_EINVAL;
	if (p->initrd_end < p->initrd_start)
		return AXVM_ERANGE;
	if (p->uart.kind != AXVM_GUEST_UART_NONE) {
		if (p->uart.kind != AXVM_GUEST_UART_PL011 &&
		    p->uart.kind != AXVM_GUEST_UART_NS16550A)
			return AXVM_EINVAL;
		if (wraps(p->uart.base, p->uart.size))
			return p->uart.size ? AXVM_EOVERFLOW : AXVM_EINVAL;
		if (p->uart.reg_shift > 2)
			return AXVM_ERANGE;
	}
	if (p->virtio_count > AXVM_GUEST_VIRTIO_MAX)
		return AXVM_E2BIG;
	for (uint32_t i = 0; i < p->virtio_count; i++) {
		if (wraps(p->virtio[i].base, p->virtio[i].size))
			return p->virtio[i].size ? AXVM_EOVERFLOW : AXVM_EINVAL;
		if (p->virtio[i].irq &&
		    (arm ? p->virtio[i].irq < 32 || p->virtio[i].irq > 1019
		         : p->virtio[i].irq > p->plic.ndev))
			return AXVM_ERANGE;
	}
	if (arm) {
		if (wraps(p->gicv3.dist_base, p->gicv3.dist_size) ||
		    wraps(p->gicv3.redist_base, p->gicv3.redist_size))
			return AXVM_EINVAL;
		if (p->gicv3.redist_size / GICR_FRAME_SIZE < p->vcpu_count)
			return AXVM_ERANGE;
		if (p->uart.kind && p->uart.irq &&
		    (p->uart.irq < 32 || p->uart.irq > 1019))
			return AXVM_ERANGE;
	} else {
		if (wraps(p->plic.base, p->plic.size) || p->plic.ndev == 0)
			return AXVM_EINVAL;
		if (p->plic.ndev > 1023)
			return AXVM_ERANGE;
		if (p->uart.kind && p->uart.irq > p->plic.ndev)
			return AXVM_ERANGE;
		if ((p->riscv_isa && !good_string(p->riscv_isa, STRING_MAX)) ||
		    (p->riscv_mmu && !good_string(p->riscv_mmu, STRING_MAX)))
			return AXVM_EINVAL;
	}
	return 0;
}

static int uart_path(const struct axvm_guest_fdt_params *p, char *out,
                     size_t size)
{
	out[0] = '/';
	unit_name(out + 1, size - 1, "serial", p->uart.base);
	return 0;
}

static int write_chosen(void *fdt, const struct axvm_guest_fdt_params *p)
{
	char path[40] = "";

	TRY(fdt_begin_node(fdt, "chosen"));
	if (p->bootargs && p->bootargs[0])
		TRY(prop_str(fdt, "bootargs", p->bootargs));
	if (p->initrd_end > p->initrd_start) {
		TRY(fdt_property_u64(fdt, "linux,initrd-start",
		                     p->initrd_start));
		TRY(fdt_property_u64(fdt, "linux,initrd-end", p->initrd_end));
	}
	if (p->uart.kind != AXVM_GUEST_UART_NONE) {
		uart_path(p, path, sizeof(path));
		TRY(prop_str(fdt, "stdout-path", path));
	}
	TRY(fdt_end_node(fdt));
	if (p->uart.kind != AXVM_GUEST_UART_NONE) {
		TRY(fdt_begin_node(fdt, "aliases"));
		TRY(prop_str(fdt, "serial0", path));
		TRY(fdt_end_node(fdt));
	}
	return 0;
}

static int write_memory(void *fdt, const struct axvm_guest_fdt_params *p)
{
	char name[40];

	for (uint32_t i = 0; i < p->mem_count; i++) {
		unit_name(name, sizeof(name), "memory", p->mem[i].base);
		TRY(fdt_begin_node(fdt, name));
		TRY(prop_str(fdt, "device_type", "memory"));
		TRY(prop_reg(fdt, p->mem[i].base, p->mem[i].size));
		TRY(fdt_end_node(fdt));
	}
	return 0;
}

static int write_cpus(void *fdt, const struct axvm_guest_fdt_params *p)
{
	bool arm = IS_ARM(p->arch);
	char name[24];

	TRY(fdt_begin_node(fdt, "cpus"));
	TRY(fdt_property_u32(fdt, "#address-cells", 1));
	TRY(fdt_property_u32(fdt, "#size-cells", 0));
	if (!arm)
		TRY(fdt_property_u32(fdt, "timebase-frequency",
		                     p->timebase_hz ? p->timebase_hz
		                                    : 10000000u));
	for (uint32_t i = 0; i < p->vcpu_count; i++) {
		uint32_t reg = i;
		if (arm)
			reg = p->mpidr ? (uint32_t)(p->mpidr[i] & 0xffffffu)
			               : (i / 16u) << 8 | (i % 16u);
		unit_name(name, sizeof(name), "cpu", reg);
		TRY(fdt_begin_node(fdt, name));
		TRY(prop_str(fdt, "device_type", "cpu"));
		TRY(fdt_property_u32(fdt, "reg", reg));
		if (arm) {
			TRY(prop_str(fdt, "compatible", "arm,armv8"));
			TRY(prop_str(fdt, "enable-method", "psci"));
		} else {
			TRY(prop_str(fdt, "compatible", "riscv"));
			TRY(prop_str(fdt, "riscv,isa",
			             p->riscv_isa ? p->riscv_isa
			                          : "rv64imafdc"));
			TRY(prop_str(fdt, "mmu-type",
			             p->riscv_mmu ? p->riscv_mmu
			                          : "riscv,sv39"));
			TRY(prop_str(fdt, "status", "okay"));
			TRY(fdt_begin_node(fdt, "interrupt-controller"));
			TRY(fdt_property_u32(fdt, "#interrupt-cells", 1));
			TRY(fdt_property_u32(fdt, "#address-cells", 0));
			TRY(fdt_property(fdt, "interrupt-controller", NULL, 0));
			TRY(prop_str(fdt, "compatible", "riscv,cpu-intc"));
			TRY(fdt_property_u32(fdt, "phandle", PH_HART_INTC + i));
			TRY(fdt_end_node(fdt));
		}
		TRY(fdt_end_node(fdt));
	}
	return fdt_end_node(fdt);
}

static int write_arm_platform(void *fdt, const struct axvm_guest_fdt_params *p)
{
	static const char psci[] = "arm,psci-1.0\0arm,psci-0.2";
	static const uint32_t ppis[4] = {13, 14, 11, 10}; /* S, NS, virt, hyp */
	struct cells c = {.n = 0};
	char name[40];

	TRY(fdt_begin_node(fdt, "psci"));
	TRY(fdt_property(fdt, "compatible", psci, sizeof(psci)));
	TRY(prop_str(fdt, "method", "hvc"));
	TRY(fdt_end_node(fdt));

	TRY(fdt_begin_node(fdt, "timer"));
	TRY(prop_str(fdt, "compatible", "arm,armv8-timer"));
	for (unsigned i = 0; i < 4; i++) {
		cells_add(&c, GIC_PPI);
		cells_add(&c, ppis[i]);
		cells_add(&c, IRQ_LEVEL_HIGH);
	}
	TRY(prop_cells(fdt, "interrupts", &c));
	TRY(fdt_property(fdt, "always-on", NULL, 0));
	TRY(fdt_end_node(fdt));

	unit_name(name, sizeof(name), "interrupt-controller",
	          p->gicv3.dist_base);
	TRY(fdt_begin_node(fdt, name));
	TRY(prop_str(fdt, "compatible", "arm,gic-v3"));
	TRY(fdt_property_u32(fdt, "#interrupt-cells", 3));
	TRY(fdt_property_u32(fdt, "#address-cells", 0));
	TRY(fdt_property(fdt, "interrupt-controller", NULL, 0));
	c.n = 0;
	cells_add64(&c, p->gicv3.dist_base);
	cells_add64(&c, p->gicv3.dist_size);
	cells_add64(&c, p->gicv3.redist_base);
	cells_add64(&c, p->gicv3.redist_size);
	TRY(prop_cells(fdt, "reg", &c));
	TRY(fdt_property_u32(fdt, "phandle", PH_INTC));
	TRY(fdt_end_node(fdt));

	if (p->uart.kind == AXVM_GUEST_UART_PL011) {
		TRY(fdt_begin_node(fdt, "apb-pclk"));
		TRY(prop_str(fdt, "compatible", "fixed-clock"));
		TRY(fdt_property_u32(fdt, "#clock-cells", 0));
		TRY(fdt_property_u32(fdt, "clock-frequency",
		                     p->uart.clock_hz ? p->uart.clock_hz
		                                      : 24000000u));
		TRY(prop_str(fdt, "clock-output-names", "apb_pclk"));
		TRY(fdt_property_u32(fdt, "phandle", PH_CLK));
		TRY(fdt_end_node(fdt));
	}
	return 0;
}

static int write_riscv_platform(void *fdt,
                                const struct axvm_guest_fdt_params *p)
{
	static const char plic[] = "sifive,plic-1.0.0\0riscv,plic0";
	char name[40];

	unit_name(name, sizeof(name), "interrupt-controller", p->plic.base);
	TRY(fdt_begin_node(fdt, name));
	TRY(fdt_property(fdt, "compatible", plic, sizeof(plic)));
	TRY(fdt_property_u32(fdt, "#interrupt-cells", 1));
	TRY(fdt_property_u32(fdt, "#address-cells", 0));
	TRY(fdt_property(fdt, "interrupt-controller", NULL, 0));
	TRY(prop_reg(fdt, p->plic.base, p->plic.size));
	TRY(fdt_property_u32(fdt, "riscv,ndev", p->plic.ndev));
	/* Context i is hart i's S-mode external interrupt. */
	void *ext;
	TRY(fdt_property_placeholder(fdt, "interrupts-extended",
	                             (int)(p->vcpu_count * 8u), &ext));
	for (uint32_t i = 0; i < p->vcpu_count; i++) {
		put32((uint8_t *)ext + 8u * i, PH_HART_INTC + i);
		put32((uint8_t *)ext + 8u * i + 4u, RISCV_IRQ_S_EXT);
	}
	TRY(fdt_property_u32(fdt, "phandle", PH_INTC));
	return fdt_end_node(fdt);
}

static int write_uart(void *fdt, const struct axvm_guest_fdt_params *p)
{
	bool arm = IS_ARM(p->arch);
	char name[40];
	struct cells c = {.n = 0};

	if (p->uart.kind == AXVM_GUEST_UART_NONE)
		return 0;
	unit_name(name, sizeof(name), "serial", p->uart.base);
	TRY(fdt_begin_node(fdt, name));
	if (p->uart.kind == AXVM_GUEST_UART_PL011) {
		static const char compat[] = "arm,pl011\0arm,primecell";
		static const char clocks[] = "uartclk\0apb_pclk";
		TRY(fdt_property(fdt, "compatible", compat, sizeof(compat)));
		if (arm) {
			struct cells ck = {.n = 0};
			cells_add(&ck, PH_CLK);
			cells_add(&ck, PH_CLK);
			TRY(prop_cells(fdt, "clocks", &ck));
			TRY(fdt_property(fdt, "clock-names", clocks,
			                 sizeof(clocks)));
		}
		TRY(fdt_property_u32(fdt, "arm,primecell-periphid",
		                     AXVM_PL011_PERIPHID));
	} else {
		TRY(prop_str(fdt, "compatible", "ns16550a"));
		TRY(fdt_property_u32(fdt, "clock-frequency",
		                     p->uart.clock_hz ? p->uart.clock_hz
		                                      : 3686400u));
		if (p->uart.reg_shift) {
			TRY(fdt_property_u32(fdt, "reg-shift",
			                     p->uart.reg_shift));
			TRY(fdt_property_u32(fdt, "reg-io-width", 4));
		}
	}
	TRY(prop_reg(fdt, p->uart.base, p->uart.size));
	if (p->uart.irq) {
		if (!arm)
			TRY(fdt_property_u32(fdt, "interrupt-parent", PH_INTC));
		if (arm) {
			cells_add(&c, GIC_SPI);
			cells_add(&c, p->uart.irq - 32u);
			cells_add(&c, IRQ_LEVEL_HIGH);
		} else {
			cells_add(&c, p->uart.irq);
		}
		TRY(prop_cells(fdt, "interrupts", &c));
	}
	return fdt_end_node(fdt);
}

static int write_virtio(void *fdt, const struct axvm_guest_fdt_params *p)
{
	for (uint32_t i = 0; i < p->virtio_count; i++) {
		char name[40];
		struct cells c = {.n = 0};

		unit_name(name, sizeof(name), "virtio_mmio", p->virtio[i].base);
		TRY(fdt_begin_node(fdt, name));
		TRY(prop_str(fdt, "compatible", "virtio,mmio"));
		TRY(prop_reg(fdt, p->virtio[i].base, p->virtio[i].size));
		if (p->virtio[i].irq) {
			if (!IS_ARM(p->arch))
				TRY(fdt_property_u32(fdt, "interrupt-parent",
				                     PH_INTC));
			if (IS_ARM(p->arch)) {
				cells_add(&c, GIC_SPI);
				cells_add(&c, p->virtio[i].irq - 32u);
				cells_add(&c, IRQ_LEVEL_HIGH);
			} else {
				cells_add(&c, p->virtio[i].irq);
			}
			TRY(prop_cells(fdt, "interrupts", &c));
		}
		/* The host reaches the rings through cacheable mappings: an
		 * Arm guest must not map them non-cacheable (RISC-V DMA is
		 * coherent by default). */
		if (IS_ARM(p->arch))
			TRY(fdt_property(fdt, "dma-coherent", NULL, 0));
		TRY(fdt_end_node(fdt));
	}
	return 0;
}

static int build(void *fdt, int size, const struct axvm_guest_fdt_params *p)
{
	static const char compat[] = "axvm,guest";

	TRY(fdt_create(fdt, size));
	TRY(fdt_finish_reservemap(fdt));
	TRY(fdt_begin_node(fdt, ""));
	TRY(prop_str(fdt, "compatible", compat));
	TRY(prop_str(fdt, "model",
	             IS_ARM(p->arch) ? "axvm guest (aarch64)"
	                                           : "axvm guest (riscv64)"));
	TRY(fdt_property_u32(fdt, "#address-cells", 2));
	TRY(fdt_property_u32(fdt, "#size-cells", 2));
	/* RISC-V: not at the root, where the harts' riscv,cpu-intc nodes
	 * would inherit the PLIC as their parent and Linux would find no
	 * root controller ("No interrupt controller found"); each device
	 * names the PLIC instead. */
	if (IS_ARM(p->arch))
		TRY(fdt_property_u32(fdt, "interrupt-parent", PH_INTC));
	TRY(write_chosen(fdt, p));
	TRY(write_memory(fdt, p));
	TRY(write_cpus(fdt, p));
	if (IS_ARM(p->arch))
		TRY(write_arm_platform(fdt, p));
	else
		TRY(write_riscv_platform(fdt, p));
	TRY(write_uart(fdt, p));
	TRY(write_virtio(fdt, p));
	TRY(fdt_end_node(fdt));
	return fdt_finish(fdt);
}

int axvm_guest_fdt_build(const struct axvm_guest_fdt_params *p, void *buf,
                         size_t size, size_t *used)
{
	int rc;

	if (used)
		*used = 0;
	if (!p || !buf || !used || ((uintptr_t)buf & 7))
		return AXVM_EINVAL;
	if ((rc = check_params(p)))
		return rc;
	if (size > INT32_MAX)
		size =
		    INT32_MAX; /* libfdt sizes are int; a DTB is far smaller */
	rc = build(buf, (int)size, p);
	if (rc == -FDT_ERR_NOSPACE)
		return AXVM_E2BIG;
	if (rc < 0)
		return AXVM_EINVAL;
	*used = fdt_totalsize(buf);
	return 0;
}

int axvm_guest_fdt_params_from_vm(const struct axvm_fdt_vm *vm,
                                  enum axvm_guest_arch arch,
                                  struct axvm_guest_fdt_params *p)
{
	if (!p)
		return AXVM_EINVAL;
	memset(p, 0, sizeof(*p));
	if (!vm || (arch != AXVM_GUEST_AARCH64 && arch != AXVM_GUEST_RISCV64) ||
	    vm->cfg.region_count > AXVM_MAX_REGIONS ||
	    vm->cfg.device_count > AXVM_MAX_CONFIG_DEVICES)
		return AXVM_EINVAL;
	if (!BUILT_ARCH(arch))
		return AXVM_ENOTSUP;
	p->arch = arch;
	p->vcpu_count = vm->cfg.vcpu_count;
	for (uint32_t i = 0; i < vm->cfg.region_count; i++) {
		const struct axvm_mem_region *r = &vm->cfg.regions[i];
		if (r->type == AXVM_MAP_DEVICE || (r->flags & AXVM_MEM_DEVICE))
			continue;
		p->mem[p->mem_count].base = r->gpa;
		p->mem[p->mem_count++].size = r->size;
	}
	if (p->mem_count == 0)
		return AXVM_ENOENT;
	if (memchr(vm->bootargs, '\0', sizeof(vm->bootargs)) && vm->bootargs[0])
		p->bootargs = vm->bootargs;
	if (vm->initrd_size) {
		p->initrd_start = vm->initrd_addr;
		p->initrd_end = vm->initrd_addr + vm->initrd_size;
	}
	for (uint32_t i = 0; i < vm->cfg.device_count; i++) {
		const struct axvm_fdt_device *d = &vm->devices[i];
		if (d->kind != AXVM_FDT_DEV_PL011 &&
		    d->kind != AXVM_FDT_DEV_NS16550A)
			continue;
		p->uart.kind = d->kind == AXVM_FDT_DEV_PL011
		                   ? AXVM_GUEST_UART_PL011
		                   : AXVM_GUEST_UART_NS16550A;
		p->uart.base = vm->cfg.devices[i].base;
		p->uart.size = vm->cfg.devices[i].size;
		p->uart.irq = d->irq;
		p->uart.clock_hz = d->clock_hz;
		p->uart.reg_shift = d->state.reg_shift;
		break;
	}
	for (uint32_t i = 0; i < vm->cfg.device_count; i++) {
		if (vm->devices[i].kind != AXVM_FDT_DEV_VIRTIO_BLK &&
		    vm->devices[i].kind != AXVM_FDT_DEV_VIRTIO_CONSOLE)
			continue;
		if (p->virtio_count == AXVM_GUEST_VIRTIO_MAX)
			return AXVM_E2BIG;
		p->virtio[p->virtio_count].base = vm->cfg.devices[i].base;
		p->virtio[p->virtio_count].size = vm->cfg.devices[i].size;
		p->virtio[p->virtio_count++].irq = vm->devices[i].irq;
	}
	const struct axvm_fdt_irqchip *ic = &vm->irqchip;
	if (ic->kind == AXVM_FDT_IRQCHIP_NONE)
		return AXVM_ENOENT;
	if (IS_ARM(arch)) {
		if (ic->kind != AXVM_FDT_IRQCHIP_GICV3)
			return AXVM_ENOTSUP;
		p->gicv3.dist_base = ic->base[0];
		p->gicv3.dist_size = ic->size[0];
		p->gicv3.redist_base = ic->base[1];
		p->gicv3.redist_size = ic->size[1];
	} else {
		if (ic->kind != AXVM_FDT_IRQCHIP_PLIC)
			return AXVM_ENOTSUP;
		p->plic.base = ic->base[0];
		p->plic.size = ic->size[0];
		p->plic.ndev = ic->ndev;
		p->timebase_hz = vm->timebase_hz;
	}
	return 0;
}
