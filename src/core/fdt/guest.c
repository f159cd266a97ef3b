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

/* The writer: libfdt's sequential-write state and its first error. Once
 * a call failed no other is made, so each node's code is a flat list of
 * calls and the error is looked at once, at the end (one test per
 * property, in every writer, was most of this file's code). */
struct w {
	void *fdt;
	int rc;
};

static void prop(struct w *w, const char *name, const void *val, uint32_t len)
{
	if (!w->rc)
		w->rc = fdt_property(w->fdt, name, val, (int)len);
}

/* A property of `n` cells (n <= 12: the timer's interrupts). */
static void prop_cells(struct w *w, const char *name, const uint32_t *v,
                       unsigned n)
{
	uint8_t b[12 * 4];

	if (n > sizeof(b) / 4) { /* every caller passes a constant: a bug here */
		w->rc = w->rc ? w->rc : -FDT_ERR_INTERNAL;
		return;
	}
	for (unsigned i = 0; i < n; i++)
		put32(b + 4 * i, v[i]);
	prop(w, name, b, 4 * n);
}

static void prop_u32(struct w *w, const char *name, uint32_t v)
{
	prop_cells(w, name, &v, 1);
}

/* A 64-bit value as two cells, the high one first, in an initializer. */
#define CELLS64(v) (uint32_t)((v) >> 32), (uint32_t)(v)

static void prop_u64(struct w *w, const char *name, uint64_t v)
{
	const uint32_t c[2] = {CELLS64(v)};

	prop_cells(w, name, c, 2);
}

static void prop_empty(struct w *w, const char *name)
{
	prop(w, name, NULL, 0);
}

/* Strings here are short and checked (good_string) before the build. */
static void prop_str(struct w *w, const char *name, const char *s)
{
	prop(w, name, s, (uint32_t)strlen(s) + 1);
}

static void prop_reg(struct w *w, uint64_t base, uint64_t size)
{
	const uint32_t c[4] = {CELLS64(base), CELLS64(size)};

	prop_cells(w, "reg", c, 4);
}

static void begin(struct w *w, const char *name)
{
	if (!w->rc)
		w->rc = fdt_begin_node(w->fdt, name);
}

static void end(struct w *w)
{
	if (!w->rc)
		w->rc = fdt_end_node(w->fdt);
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

/* A node named "name@addr". */
static void begin_at(struct w *w, const char *name, uint64_t addr)
{
	char unit[40];

	unit_name(unit, sizeof(unit), name, addr);
	begin(w, unit);
}

/* An interrupt controller's common properties. */
static void intc(struct w *w, uint32_t cells)
{
	prop_u32(w, "#interrupt-cells", cells);
	prop_u32(w, "#address-cells", 0);
	prop_empty(w, "interrupt-controller");
}

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

static void write_chosen(struct w *w, const struct axvm_guest_fdt_params *p)
{
	char path[40] = "/";

	begin(w, "chosen");
	if (p->bootargs && p->bootargs[0])
		prop_str(w, "bootargs", p->bootargs);
	if (p->initrd_end > p->initrd_start) {
		prop_u64(w, "linux,initrd-start", p->initrd_start);
		prop_u64(w, "linux,initrd-end", p->initrd_end);
	}
	if (p->uart.kind != AXVM_GUEST_UART_NONE) {
		unit_name(path + 1, sizeof(path) - 1, "serial", p->uart.base);
		prop_str(w, "stdout-path", path);
	}
	end(w);
	if (p->uart.kind != AXVM_GUEST_UART_NONE) {
		begin(w, "aliases");
		prop_str(w, "serial0", path);
		end(w);
	}
}

static void write_memory(struct w *w, const struct axvm_guest_fdt_params *p)
{
	for (uint32_t i = 0; i < p->mem_count; i++) {
		begin_at(w, "memory", p->mem[i].base);
		prop_str(w, "device_type", "memory");
		prop_reg(w, p->mem[i].base, p->mem[i].size);
		end(w);
	}
}

static void write_cpus(struct w *w, const struct axvm_guest_fdt_params *p)
{
	bool arm = IS_ARM(p->arch);

	begin(w, "cpus");
	prop_u32(w, "#address-cells", 1);
	prop_u32(w, "#size-cells", 0);
	if (!arm)
		prop_u32(w, "timebase-frequency",
		         p->timebase_hz ? p->timebase_hz : 10000000u);
	for (uint32_t i = 0; i < p->vcpu_count; i++) {
		uint32_t reg = i;
		if (arm)
			reg = p->mpidr ? (uint32_t)(p->mpidr[i] & 0xffffffu)
			               : (i / 16u) << 8 | (i % 16u);
		begin_at(w, "cpu", reg);
		prop_str(w, "device_type", "cpu");
		prop_u32(w, "reg", reg);
		if (arm) {
			prop_str(w, "compatible", "arm,armv8");
			prop_str(w, "enable-method", "psci");
		} else {
			prop_str(w, "compatible", "riscv");
			prop_str(w, "riscv,isa",
			         p->riscv_isa ? p->riscv_isa : "rv64imafdc");
			prop_str(w, "mmu-type",
			         p->riscv_mmu ? p->riscv_mmu : "riscv,sv39");
			prop_str(w, "status", "okay");
			begin(w, "interrupt-controller");
			intc(w, 1);
			prop_str(w, "compatible", "riscv,cpu-intc");
			prop_u32(w, "phandle", PH_HART_INTC + i);
			end(w);
		}
		end(w);
	}
	end(w);
}

static void write_arm_platform(struct w *w,
                               const struct axvm_guest_fdt_params *p)
{
	static const char psci[] = "arm,psci-1.0\0arm,psci-0.2";
	/* S, NS, virt, hyp */
	static const uint32_t ppis[12] = {
	    GIC_PPI, 13, IRQ_LEVEL_HIGH, GIC_PPI, 14, IRQ_LEVEL_HIGH,
	    GIC_PPI, 11, IRQ_LEVEL_HIGH, GIC_PPI, 10, IRQ_LEVEL_HIGH,
	};
	const uint32_t gic[8] = {
	    CELLS64(p->gicv3.dist_base),   CELLS64(p->gicv3.dist_size),
	    CELLS64(p->gicv3.redist_base), CELLS64(p->gicv3.redist_size),
	};

	begin(w, "psci");
	prop(w, "compatible", psci, sizeof(psci));
	prop_str(w, "method", "hvc");
	end(w);

	begin(w, "timer");
	prop_str(w, "compatible", "arm,armv8-timer");
	prop_cells(w, "interrupts", ppis, 12);
	prop_empty(w, "always-on");
	end(w);

	begin_at(w, "interrupt-controller", p->gicv3.dist_base);
	prop_str(w, "compatible", "arm,gic-v3");
	intc(w, 3);
	prop_cells(w, "reg", gic, 8);
	prop_u32(w, "phandle", PH_INTC);
	end(w);

	if (p->uart.kind == AXVM_GUEST_UART_PL011) {
		begin(w, "apb-pclk");
		prop_str(w, "compatible", "fixed-clock");
		prop_u32(w, "#clock-cells", 0);
		prop_u32(w, "clock-frequency",
		         p->uart.clock_hz ? p->uart.clock_hz : 24000000u);
		prop_str(w, "clock-output-names", "apb_pclk");
		prop_u32(w, "phandle", PH_CLK);
		end(w);
	}
}

static void write_riscv_platform(struct w *w,
                                 const struct axvm_guest_fdt_params *p)
{
	static const char plic[] = "sifive,plic-1.0.0\0riscv,plic0";
	uint8_t *ext = NULL;

	begin_at(w, "interrupt-controller", p->plic.base);
	prop(w, "compatible", plic, sizeof(plic));
	intc(w, 1);
	prop_reg(w, p->plic.base, p->plic.size);
	prop_u32(w, "riscv,ndev", p->plic.ndev);
	/* Context i is hart i's S-mode external interrupt. */
	if (!w->rc)
		w->rc = fdt_property_placeholder(w->fdt, "interrupts-extended",
		                                 (int)(p->vcpu_count * 8u),
		                                 (void **)&ext);
	for (uint32_t i = 0; !w->rc && i < p->vcpu_count; i++) {
		put32(ext + 8u * i, PH_HART_INTC + i);
		put32(ext + 8u * i + 4u, RISCV_IRQ_S_EXT);
	}
	prop_u32(w, "phandle", PH_INTC);
	end(w);
}

/* A device's window and interrupt: "reg", and for an interrupt other than
 * 0 the GIC SPI (level) or, on RISC-V, the PLIC source and its parent. */
static void reg_irq(struct w *w, const struct axvm_guest_fdt_params *p,
                    uint64_t base, uint64_t size, uint32_t irq)
{
	const uint32_t spi[3] = {GIC_SPI, irq - 32u, IRQ_LEVEL_HIGH};

	prop_reg(w, base, size);
	if (!irq)
		return;
	if (IS_ARM(p->arch)) {
		prop_cells(w, "interrupts", spi, 3);
	} else {
		prop_u32(w, "interrupt-parent", PH_INTC);
		prop_u32(w, "interrupts", irq);
	}
}

static void write_uart(struct w *w, const struct axvm_guest_fdt_params *p)
{
	if (p->uart.kind == AXVM_GUEST_UART_NONE)
		return;
	begin_at(w, "serial", p->uart.base);
	if (p->uart.kind == AXVM_GUEST_UART_PL011) {
		static const char compat[] = "arm,pl011\0arm,primecell";
		static const char clocks[] = "uartclk\0apb_pclk";
		static const uint32_t ck[2] = {PH_CLK, PH_CLK};
		prop(w, "compatible", compat, sizeof(compat));
		if (IS_ARM(p->arch)) {
			prop_cells(w, "clocks", ck, 2);
			prop(w, "clock-names", clocks, sizeof(clocks));
		}
		prop_u32(w, "arm,primecell-periphid", AXVM_PL011_PERIPHID);
	} else {
		prop_str(w, "compatible", "ns16550a");
		prop_u32(w, "clock-frequency",
		         p->uart.clock_hz ? p->uart.clock_hz : 3686400u);
		if (p->uart.reg_shift) {
			prop_u32(w, "reg-shift", p->uart.reg_shift);
			prop_u32(w, "reg-io-width", 4);
		}
	}
	reg_irq(w, p, p->uart.base, p->uart.size, p->uart.irq);
	end(w);
}

static void write_virtio(struct w *w, const struct axvm_guest_fdt_params *p)
{
	for (uint32_t i = 0; i < p->virtio_count; i++) {
		begin_at(w, "virtio_mmio", p->virtio[i].base);
		prop_str(w, "compatible", "virtio,mmio");
		reg_irq(w, p, p->virtio[i].base, p->virtio[i].size,
		        p->virtio[i].irq);
		/* The host reaches the rings through cacheable mappings: an
		 * Arm guest must not map them non-cacheable (RISC-V DMA is
		 * coherent by default). */
		if (IS_ARM(p->arch))
			prop_empty(w, "dma-coherent");
		end(w);
	}
}

static int build(void *fdt, int size, const struct axvm_guest_fdt_params *p)
{
	struct w w = {fdt, fdt_create(fdt, size)};

	if (!w.rc)
		w.rc = fdt_finish_reservemap(fdt);
	begin(&w, "");
	prop_str(&w, "compatible", "axvm,guest");
	prop_str(&w, "model",
	         IS_ARM(p->arch) ? "axvm guest (aarch64)"
	                         : "axvm guest (riscv64)");
	prop_u32(&w, "#address-cells", 2);
	prop_u32(&w, "#size-cells", 2);
	/* RISC-V: not at the root, where the harts' riscv,cpu-intc nodes
	 * would inherit the PLIC as their parent and Linux would find no
	 * root controller ("No interrupt controller found"); each device
	 * names the PLIC instead. */
	if (IS_ARM(p->arch))
		prop_u32(&w, "interrupt-parent", PH_INTC);
	write_chosen(&w, p);
	write_memory(&w, p);
	write_cpus(&w, p);
	if (IS_ARM(p->arch))
		write_arm_platform(&w, p);
	else
		write_riscv_platform(&w, p);
	write_uart(&w, p);
	write_virtio(&w, p);
	end(&w);
	return w.rc ? w.rc : fdt_finish(fdt);
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
