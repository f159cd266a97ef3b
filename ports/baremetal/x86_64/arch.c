/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The x86_64 target of the bare-metal kernel (QEMU's PC, -cpu max with
 * SVM and NPT, booted by -kernel as a multiboot image): the first 16550
 * as a polled console, the TSC (calibrated on the PIT) for time, ACPI
 * power-off, and the guest side of docs/guest-abi-x86_64.md: the 16550
 * the guests print on (ports 0x3f8..0x3ff) and axvm-run's test device.
 * One pCPU: waits poll the TSC and the kick flag (a kick is only ever to
 * this pCPU itself); no host interrupts are taken.
 */
#include <string.h>

#include "axvm_x86_64.h"
#include "devices.h"
#include "kernel.h"

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port) : "memory");
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port) : "memory");
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* --- console ----------------------------------------------------------------------- */

void bm_arch_putc(char c)
{
	while (!(inb(BM_COM1 + 5) & 0x20)) /* LSR.THRE */
		;
	outb(BM_COM1, (uint8_t)c);
}

static void com1_init(void)
{
	outb(BM_COM1 + 1, 0x00); /* no interrupts */
	outb(BM_COM1 + 3, 0x80); /* DLAB */
	outb(BM_COM1 + 0, 0x01); /* 115200 */
	outb(BM_COM1 + 1, 0x00);
	outb(BM_COM1 + 3, 0x03); /* 8N1 */
	outb(BM_COM1 + 2, 0xc7); /* FIFOs on and cleared */
}

/* Console input needs a receive interrupt this target does not take. */
void bm_arch_console_input_on(void)
{
}

/* --- time: the TSC --------------------------------------------------------------------- */

/* ns = tsc * tsc_mult >> 32 (tsc_mult = 2^32 * 1e9 / TSC Hz). */
static uint64_t tsc_mult, tsc_hz;

/* The TSC's rate from PIT channel 2 counting 10 ms (its gate on port
 * 0x61, its output read back there): no firmware table needed. Under
 * QEMU's -icount the TSC follows the instruction count, and so does this. */
static void tsc_calibrate(void)
{
	const uint16_t count = 11932; /* 1.193182 MHz * 10 ms */
	uint64_t t0, t1;

	outb(0x61, (uint8_t)((inb(0x61) & ~0x02) | 0x01)); /* gate on, speaker off */
	outb(0x43, 0xb0);                                   /* ch 2, lo/hi, mode 0 */
	outb(0x42, count & 0xff);
	outb(0x42, count >> 8);
	t0 = rdtsc();
	while (!(inb(0x61) & 0x20))
		;
	t1 = rdtsc();
	tsc_hz = (t1 - t0) * 100;
	if (tsc_hz < 1000000)
		tsc_hz = 1000000; /* a broken PIT: time runs fast, never stops */
	tsc_mult = (1000000000ull << 32) / tsc_hz;
}

uint64_t time_now_ns(void)
{
	return (uint64_t)(((unsigned __int128)rdtsc() * tsc_mult) >> 32);
}

/* No host timer interrupt on this target yet: vCPUs that share a pCPU
 * switch only when one halts or stops (docs/ports-baremetal.md). */
void bm_arch_timer_at(uint64_t deadline_ns)
{
	(void)deadline_ns;
}

void bm_arch_wait(uint64_t timeout_ns)
{
	struct percpu *c = this_cpu();
	uint64_t end = time_now_ns() + timeout_ns;

	c->waits++;
	while (!c->kicked && time_now_ns() < end)
		__asm__ volatile("pause");
	if (c->kicked)
		c->early_waits++;
	c->kicked = false;
}

void bm_arch_send_kick(uint32_t pcpu)
{
	bm_cpus[pcpu].kicked = true;
}

uint64_t bm_arch_irq_save(void)
{
	uint64_t f;
	__asm__ volatile("pushfq; popq %0; cli" : "=r"(f)::"memory");
	return f & (1u << 9);
}

void bm_arch_irq_restore(uint64_t flags)
{
	if (flags)
		__asm__ volatile("sti" ::: "memory");
}

/* --- CPUs ------------------------------------------------------------------------------ */

/* GS points at a slot holding this CPU's percpu pointer: one load. The
 * backend's VMSAVE/VMLOAD keep the host's GS base across guest runs. */
static struct percpu *cpu_slot[BM_MAX_CPUS];

struct percpu *this_cpu(void)
{
	struct percpu *p;
	__asm__ volatile("movq %%gs:0, %0" : "=r"(p));
	return p;
}

void bm_arch_cpu_setup(struct percpu *c)
{
	uint32_t id = (uint32_t)(c - bm_cpus);
	uint64_t slot = (uint64_t)(uintptr_t)&cpu_slot[id];

	c->id = id;
	cpu_slot[id] = c;
	__asm__ volatile("wrmsr" ::"c"(0xc0000101u), "a"((uint32_t)slot), "d"((uint32_t)(slot >> 32))
			 : "memory");
	atomic_store(&c->online, true);
}

void bm_arch_start_secondaries(void)
{
	bm_ncpus = 1;
}

void bm_arch_early_init(void)
{
	com1_init();
	tsc_calibrate();
}

void bm_arch_describe(char *buf, size_t size)
{
	ksnprintf(buf, size, "CPL 0, AMD SVM, TSC %lu MHz", tsc_hz / 1000000u);
}

const struct axvm_arch_ops *bm_arch_ops(void)
{
	return &axvm_arch_x86_64;
}

/* ACPI S5 through PM1a_CNT (SLP_TYP 0 | SLP_EN): QEMU's q35 has it at
 * 0x604, the i440FX PC at 0xb004 (where the BIOS put the PM base); QEMU
 * then exits with status 0. */
_Noreturn void board_power_off(void)
{
	outw(0x604, 0x2000);
	outw(0xb004, 0x2000);
	for (;;)
		__asm__ volatile("cli; hlt");
}

/* --- the guest side ------------------------------------------------------------------- */

/* x86 guests have no DTB: RDX is the boot argument, 0 for vCPU 0. */
const struct bm_guest_contract bm_guest = {
	.dtb_reg = AXVM_X86_REG_RDX,
	.down_reset = 0x100, /* the exit port's codes are bytes: never a reset */
	.down_off_name = "exit port",
	.down_reset_name = "reset",
	.cpu_off_name = "cpu off",
	.uart_kind = AXVM_FDT_DEV_NS16550A,
	.dtb_arch = AXVM_GUEST_AARCH64, /* unused: x86 configs carry no dtb-addr */
};

uint64_t bm_arch_board_dtb(void)
{
	return 0;
}

int bm_arch_linux_place(void *image, uint64_t image_gpa, uint64_t ram_gpa, uint64_t ram_size,
			uint64_t *entry_gpa)
{
	(void)image;
	(void)image_gpa;
	(void)ram_gpa;
	(void)ram_size;
	(void)entry_gpa;
	return AXVM_ENOTSUP; /* no Linux boot protocol on this target yet */
}

void bm_arch_guest_ram_written(void *p, uint64_t len)
{
	(void)p;
	(void)len;
}

/* The guests' 16550 on ports 0x3f8..0x3ff, as axvm-run has it: THR bytes
 * to the VM's console line, LSR always "transmitter empty", the other
 * registers plain storage, nothing to receive. */
struct pio_uart {
	struct bm_vm_devs *d;
	uint8_t regs[8];
};
static struct pio_uart pio_uarts[BM_MAX_VMS];

static int pio_uart_read(void *ctx, uint64_t off, unsigned width, uint64_t *val)
{
	struct pio_uart *u = ctx;

	(void)width;
	*val = off == 5 ? 0x60 : off == 0 ? 0 : u->regs[off & 7];
	return 0;
}

static int pio_uart_write(void *ctx, uint64_t off, unsigned width, uint64_t val)
{
	struct pio_uart *u = ctx;

	(void)width;
	if (off == 0 && !(u->regs[3] & 0x80))
		bm_devs_putc(u->d, (char)(val & 0xff));
	else if (off != 5)
		u->regs[off & 7] = (uint8_t)val;
	return 0;
}

static void pio_uart_reset(void *ctx)
{
	struct pio_uart *u = ctx;
	memset(u->regs, 0, sizeof(u->regs));
}

static const struct axvm_device_ops pio_uart_ops = {
	.read = pio_uart_read, .write = pio_uart_write, .reset = pio_uart_reset,
};

/* axvm-run's --testdev: 0x00..0x3f scratch, 0x40..0x4f a read-only
 * pattern; the mmio guest checks x86's extension rules against it. */
static const uint8_t testdev_pattern[16] = {
	0xbb, 0xaa, 0x99, 0x88, 0xf0, 0xe0, 0xc0, 0x80,
	0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x08,
};
static uint8_t x86_scratch[BM_MAX_VMS][0x40];

static int x86_testdev_read(void *ctx, uint64_t off, unsigned width, uint64_t *val)
{
	uint8_t *s = ctx;
	uint64_t v = 0;

	if (off + width <= 0x40) {
		for (unsigned i = 0; i < width; i++)
			v |= (uint64_t)s[off + i] << (8 * i);
	} else if (off >= 0x40 && off + width <= 0x50) {
		for (unsigned i = 0; i < width; i++)
			v |= (uint64_t)testdev_pattern[off - 0x40 + i] << (8 * i);
	} else {
		return AXVM_ENODEV;
	}
	*val = v;
	return 0;
}

static int x86_testdev_write(void *ctx, uint64_t off, unsigned width, uint64_t val)
{
	uint8_t *s = ctx;

	if (off + width > 0x40)
		return AXVM_ENODEV; /* the pattern is read-only */
	for (unsigned i = 0; i < width; i++)
		s[off + i] = (uint8_t)(val >> (8 * i));
	return 0;
}

static void x86_testdev_reset(void *ctx)
{
	memset(ctx, 0, 0x40);
}

static const struct axvm_device_ops x86_testdev_ops = {
	.read = x86_testdev_read, .write = x86_testdev_write, .reset = x86_testdev_reset,
};

int bm_arch_devs_add(struct bm_vm_devs *d, struct axvm_config *cfg)
{
	static atomic_uint next;
	unsigned i = atomic_fetch_add(&next, 1);
	int rc;

	if (i >= BM_MAX_VMS)
		return AXVM_ENOMEM;
	pio_uarts[i].d = d;
	const struct axvm_device_desc uart = {
		.name = "uart-pio", .bus = AXVM_BUS_PIO, .base = 0x3f8, .size = 8,
		.widths = AXVM_WIDTH_1, .ops = &pio_uart_ops, .ctx = &pio_uarts[i],
	};
	const struct axvm_device_desc testdev = {
		.name = "testdev-x86", .bus = AXVM_BUS_MMIO, .base = 0xfe000000ull, .size = 0x1000,
		.widths = AXVM_WIDTH_ANY, .naturally_aligned = true, .ops = &x86_testdev_ops,
		.ctx = x86_scratch[i],
	};
	if ((rc = axvm_config_add_device(cfg, &uart)))
		return rc;
	return axvm_config_add_device(cfg, &testdev);
}

/* The x86 guest ABI's hypercall numbers, as axvm-run answers them: 0
 * version, 2 the sum of the six arguments; main.c's own (0x100..0x102)
 * stay; anything else is ENOSYS. CPU up (1) never gets here: the backend
 * turns it into a CPU_UP exit. */
#define X86_HC_VERSION 0u
#define X86_HC_SUM 2u
#define X86_HC_KERNEL_FIRST 0x100u
#define X86_HC_KERNEL_LAST 0x102u

bool bm_arch_hypercall(uint64_t nr, const uint64_t args[6], uint64_t *ret)
{
	if (nr >= X86_HC_KERNEL_FIRST && nr <= X86_HC_KERNEL_LAST)
		return false;
	if (nr == X86_HC_VERSION) {
		*ret = 0x00010000u;
	} else if (nr == X86_HC_SUM) {
		*ret = 0;
		for (int i = 0; i < 6; i++)
			*ret += args[i];
	} else {
		*ret = (uint64_t)(int64_t)-38;
	}
	return true;
}
