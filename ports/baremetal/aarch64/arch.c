/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The AArch64 target of the bare-metal kernel (QEMU virt, EL2, GICv3):
 * PL011 console, CPU bring-up with PSCI, the generic timer for time and
 * waits, SGIs for kicks, and the guest side of docs/guest-abi-aarch64.md.
 */
#include <string.h>

#include "axvm_aarch64.h"
#include "devices.h"
#include "kernel.h"
#include "port.h"

#define ACTLR_RESET 0x5a5aull

/* --- console: PL011 ------------------------------------------------------------ */

#define UART_DR 0x00
#define UART_FR 0x18
#define UART_FR_TXFF (1u << 5)
#define UART_IBRD 0x24
#define UART_FBRD 0x28
#define UART_LCRH 0x2c
#define UART_CR 0x30
#define UART_FR_RXFE (1u << 4)
#define UART_IMSC 0x38
#define UART_RXIM_RTIM ((1u << 4) | (1u << 6))

static volatile uint32_t *uart_reg(unsigned off)
{
	return (volatile uint32_t *)(BM_UART_BASE + off);
}

void bm_arch_putc(char c)
{
	while (*uart_reg(UART_FR) & UART_FR_TXFF)
		;
	*uart_reg(UART_DR) = (uint32_t)(unsigned char)c;
}

static void time_init(void);

void bm_arch_early_init(void)
{
	/* QEMU's PL011 works out of reset; program it like real hardware
	 * anyway: 8N1, FIFOs on, TX and RX enabled. */
	*uart_reg(UART_CR) = 0;
	*uart_reg(UART_IBRD) = 13; /* 115200 at 24 MHz */
	*uart_reg(UART_FBRD) = 1;
	*uart_reg(UART_LCRH) = (3u << 5) | (1u << 4);
	*uart_reg(UART_CR) = (1u << 0) | (1u << 8) | (1u << 9);
	time_init();
	gic_init_dist();
	/* The guest's timer interrupt mapped to the physical PPI: one exit
	 * per tick instead of two. */
	axvm_a64_set_ppi_active(gic_ppi_set_active);
	/* time_now_ns() is CNTPCT in nanoseconds: halt deadlines on the
	 * guest timer's own tick. */
	axvm_a64_set_time_is_counter(true);
}

/* Console input: the receive interrupt goes to pCPU 0 (the boot CPU's
 * affinity is 0 on virt); bm_console_rx() routes each byte. */
void bm_arch_console_input_on(void)
{
	*uart_reg(UART_IMSC) = UART_RXIM_RTIM;
	gic_enable_spi(BM_IRQ_UART, 0);
}

/* Out of line, like the timer's below: the kick, the interrupt a waking
 * vCPU waits for, then needs no more registers saved than its own. */
static __attribute__((noinline)) void console_rx_irq(void)
{
	while (!(*uart_reg(UART_FR) & UART_FR_RXFE))
		bm_console_rx((uint8_t)*uart_reg(UART_DR));
}

/* Each pCPU's redistributor registers that clear [0] and set [1] a PPI's
 * active state, for gic_ppi_set_active() (the timer's placement on every
 * wake-up), and the SGI1R value that kicks it, worked out once (each CPU
 * writes its own before it is online, which publishes it to the senders). */
static volatile uint32_t *ppi_active_reg[BM_MAX_CPUS][2];
static uint64_t kick_sgi1r[BM_MAX_CPUS];

void gic_init_cpu(void)
{
	uintptr_t rd = gic_init_redist(this_cpu()->hwid, (1u << BM_SGI_KICK) | (1u << BM_IRQ_MAINT) |
							  (1u << BM_IRQ_HYP_TIMER) |
							  (1u << BM_IRQ_VTIMER));

	if (!rd)
		panic("no GIC redistributor for MPIDR %lx", this_cpu()->hwid);
	ppi_active_reg[this_cpu()->id][0] = gic_redist_ppi_active_reg(rd, false);
	ppi_active_reg[this_cpu()->id][1] = gic_redist_ppi_active_reg(rd, true);
	kick_sgi1r[this_cpu()->id] = gic_sgi1r(this_cpu()->hwid, BM_SGI_KICK);
}

/* The backend's hook (axvm_a64_set_ppi_active): a PPI's active state on
 * this pCPU, set while a guest holds its HW-mapped twin. */
void gic_ppi_set_active(uint32_t intid, bool active)
{
	gic_ppi_active_write(ppi_active_reg[this_cpu()->id][active], intid);
}

uint64_t bm_arch_irq_save(void)
{
	uint64_t daif;

	__asm__ volatile("mrs %0, daif; msr daifset, #2" : "=r"(daif)::"memory");
	return daif;
}

void bm_arch_irq_restore(uint64_t flags)
{
	__asm__ volatile("msr daif, %0" ::"r"(flags) : "memory");
}

void bm_arch_banner(void)
{
	uint64_t el;

	__asm__ volatile("mrs %0, CurrentEL" : "=r"(el));
	kprintf(BM_BANNER "CurrentEL = %lu\n", bm_arch_ops()->name, el >> 2);
}

const struct axvm_arch_ops *bm_arch_ops(void)
{
	return &axvm_arch_aarch64;
}

/* --- interrupts and faults ------------------------------------------------------ */

struct percpu *this_cpu(void)
{
	struct percpu *p;
	__asm__ volatile("mrs %0, tpidr_el2" : "=r"(p));
	return p;
}

/* No silencing first: bm_timer_fired() rewrites CNTHP (a deadline in the
 * future, or disabled) before this returns and the PPI is EOIed, and
 * IRQs stay masked until then, so the level it leaves is low. */
static __attribute__((noinline)) void hyp_timer_irq(void)
{
	bm_timer_fired();
}

/* The host timer withdrawn: CNTHP stays enabled (bm_arch_cpu_setup) with
 * a compare value no counter reaches (bm_arch_timer_at). */
static inline __attribute__((always_inline)) void timer_off(void)
{
	__asm__ volatile("msr cnthp_cval_el2, %0; isb" ::"r"(UINT64_MAX) : "memory");
}

/* The IRQ handler's body, for the vector (bm_irq_handler) and inline in
 * the wait (bm_arch_wait_until), whose wake-up then makes no call. */
static inline __attribute__((always_inline)) void irq_handle(struct percpu *c)
{
	uint64_t iar;

	/* One interrupt per call: the CPU interface keeps IRQ asserted while
	 * another one is pending, so it is taken again at the unmask or the
	 * ERET. A second IAR read here only to see 1023 cost every
	 * interrupt; two at once (rare) now cost one exception entry more. */
	__asm__ volatile("mrs %0, icc_iar1_el1" : "=r"(iar));
	uint32_t id = (uint32_t)(iar & 0xffffff);
	if (id >= 1020)
		return;
	c->irqs++;
	if (id == BM_SGI_KICK) {
		c->kicked = true;
		c->kicks++;
		bm_kick_received();
	} else if (id == BM_IRQ_HYP_TIMER && !c->slice_vcpu) {
		/* No slice on this pCPU: the timer was a wait's timeout (a
		 * halted vCPU's deadline), and bm_timer_fired() would only
		 * withdraw it. Done here, without its call and frame. */
		timer_off();
	} else if (id == BM_IRQ_HYP_TIMER) {
		hyp_timer_irq();
	} else if (id == BM_IRQ_UART) {
		console_rx_irq();
	} else
		c->stray_irqs++; /* a guest's, caught in a window */
	__asm__ volatile("msr icc_eoir1_el1, %0; isb" ::"r"(iar));
}

void bm_irq_handler(void)
{
	irq_handle(this_cpu());
}

void bm_fatal_exception(uint64_t kind, uint64_t esr, uint64_t elr, uint64_t far)
{
	panic("EL2 exception %lu on CPU %u: ESR %lx ELR %lx FAR %lx", kind,
	      this_cpu()->id, esr, elr, far);
}

_Noreturn void board_power_off(void)
{
	psci_smc(0x84000008, 0, 0, 0); /* SYSTEM_OFF */
	for (;;)
		__asm__ volatile("wfi");
}

/* --- CPUs ---------------------------------------------------------------------------- */

void bm_arch_cpu_setup(struct percpu *c)
{
	uint64_t mpidr;

	__asm__ volatile("mrs %0, mpidr_el1" : "=r"(mpidr));
	c->id = (uint32_t)(c - bm_cpus);
	c->hwid = mpidr & 0xff00ffffffull;
	__asm__ volatile("msr tpidr_el2, %0" ::"r"(c));
	gic_init_cpu();
	/* The host timer stays enabled from here on, with a compare value
	 * no counter reaches (bm_arch_timer_at). */
	__asm__ volatile("msr cnthp_cval_el2, %0; mov x9, #1; msr cnthp_ctl_el2, x9; isb"
			 ::"r"(UINT64_MAX) : "x9", "memory");
	__asm__ volatile("msr daifclr, #2; isb" ::: "memory"); /* IRQs on */
	atomic_store(&c->online, true);
}

extern char bm_secondary_entry[];

void bm_arch_start_secondaries(void)
{
	for (uint32_t i = 1; i < BM_MAX_CPUS; i++) {
		uint64_t target = ((uint64_t)(i / 8) << 8) | (i % 8); /* virt's MPIDRs */
		int64_t r = (int64_t)psci_smc(0xc4000003, target,
					      (uint64_t)(uintptr_t)bm_secondary_entry, i);
		if (r != 0)
			break; /* INVALID_PARAMETERS: no such CPU */
		bm_wait_online(i);
		bm_ncpus = i + 1;
	}
#ifdef BM_TEST_HOST_FAULT
	/* The test build's fault at EL2: reported, not a hang (boot.S's
	 * axvm_a64_host_sync, reached through the backend's table). */
	__asm__ volatile("brk #0");
#endif
}

/* --- time, kicks, waits ------------------------------------------------------------ */

static uint64_t cntfrq(void)
{
	uint64_t f;
	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(f));
	return f;
}

/* 1e9 / CNTFRQ when that is a whole number (16 at QEMU virt's 62.5 MHz),
 * set at boot before the other CPUs start: then a time is one multiply
 * and a deadline one division, the same values exactly (with 1e9 = f * k,
 * (c / f) * 1e9 + (c % f) * 1e9 / f is c * k). 0: the general formulas. */
static uint64_t ns_per_tick;

static void time_init(void)
{
	uint64_t f = cntfrq();

	if (f && 1000000000ull % f == 0)
		ns_per_tick = 1000000000ull / f;
}

uint64_t time_now_ns(void)
{
	uint64_t f, c;

	__asm__ volatile("isb; mrs %0, cntpct_el0" : "=r"(c));
	if (ns_per_tick)
		return c * ns_per_tick;
	f = cntfrq();
	return (c / f) * 1000000000ull + (c % f) * 1000000000ull / f;
}

/* The first counter value at or after `ns` (bm_ticks_at_or_after).
 * Inline: out of line it was a call from bm_arch_timer_at(), which then
 * needed a frame of its own (11 instructions per timer write, two
 * writes per time-slice switch). */
static inline __attribute__((always_inline)) uint64_t ticks_at_or_after(uint64_t ns)
{
	if (ns_per_tick)
		return ns / ns_per_tick + (ns % ns_per_tick != 0);
	return bm_ticks_at_or_after(ns, cntfrq());
}

void bm_arch_send_kick(uint32_t pcpu)
{
	gic_send_sgi1r(kick_sgi1r[pcpu]);
}

/* The EL2 physical timer (CNTHP) compares against CNTPCT, the counter
 * time_now_ns() reads. It is enabled once per CPU (bm_arch_cpu_setup)
 * and withdrawn with a compare value of all ones, which a 64-bit counter
 * starting near zero does not reach: every arm or withdrawal is then one
 * CVAL write, with no CTL write beside it (the condition, and so the
 * interrupt's level, follows CVAL). The ISB makes the new value count
 * before IRQs are unmasked or the PPI is EOIed. */
void bm_arch_timer_at(uint64_t deadline_ns)
{
	/* UINT64_MAX (a wait with no end) is the withdrawn value as it is:
	 * no constant to load on the halt's way to its WFI. */
	if (deadline_ns == UINT64_MAX) {
		__asm__ volatile("msr cnthp_cval_el2, %0; isb" ::"r"(deadline_ns) : "memory");
		return;
	}
	if (!deadline_ns) {
		timer_off();
		return;
	}
	__asm__ volatile("msr cnthp_cval_el2, %0; isb"
			 ::"r"(ticks_at_or_after(deadline_ns)) : "memory");
}

/* A slice's start: one counter read where time_now_ns() and
 * bm_arch_timer_at() made two calls and a second conversion (the
 * compare value is the counter plus the duration in ticks, rounded up,
 * which is what bm_arch_timer_at() gives for that deadline). */
void bm_arch_timer_in(uint64_t ns, volatile uint64_t *deadline_ns)
{
	uint64_t c;

	if (!ns_per_tick) {
		bm_timer_in_by_deadline(ns, deadline_ns);
		return;
	}
	__asm__ volatile("isb; mrs %0, cntpct_el0" : "=r"(c));
	*deadline_ns = c * ns_per_tick + ns;
	__asm__ volatile("msr cnthp_cval_el2, %0; isb"
			 ::"r"(c + ticks_at_or_after(ns)) : "memory");
}

/* Sleep in WFI until an interrupt (a kick, the timer armed here for the
 * timeout or the slice's end) or the timeout. Interrupts are masked
 * between the check of the kick flag and the WFI, so a kick in that window
 * still ends the WFI. They stay masked after it: a masked interrupt still
 * ends a WFI, and the handler is called here, where it would have been
 * called from the vector, without the exception entry, the register save
 * and the ERET (the wake-up path of a halted vCPU). What arrives after the
 * handler looked is taken at the unmask, as before. */
void bm_arch_wait_until(uint64_t end)
{
	struct percpu *c = this_cpu();
	uint64_t now;
	/* Early or not, told in ticks: no division after the wake-up. */
	uint64_t end_ticks = ticks_at_or_after(end);

	c->waits++;
	__asm__ volatile("msr daifset, #2" ::: "memory");
	if (!c->kicked) {
		bm_arch_timer_at(c->slice_vcpu && c->slice_end < end ? c->slice_end : end);
		__asm__ volatile("dsb sy; wfi" ::: "memory");
		irq_handle(c);
	}
	__asm__ volatile("msr daifclr, #2; isb" ::: "memory");
	if (c->slice_vcpu)
		bm_arch_timer_at(c->slice_end);
	else /* bm_arch_timer_at(0) without the call: the halt's wake-up */
		timer_off();
	c->kicked = false;
	__asm__ volatile("isb; mrs %0, cntpct_el0" : "=r"(now));
	if (now < end_ticks)
		c->early_waits++;
}

/* --- the guest side -------------------------------------------------------------- */

/* ACTLR_EL1 (trapped by HCR_EL2.TACR) as a plain 64-bit register. */
static int actlr_read(void *ctx, uint64_t off, unsigned width, uint64_t *val)
{
	struct bm_vm_devs *d = ctx;
	(void)off;
	(void)width;
	*val = d->sysreg;
	return 0;
}

static int actlr_write(void *ctx, uint64_t off, unsigned width, uint64_t val)
{
	struct bm_vm_devs *d = ctx;
	(void)off;
	(void)width;
	d->sysreg = val;
	return 0;
}

static void actlr_reset(void *ctx)
{
	((struct bm_vm_devs *)ctx)->sysreg = ACTLR_RESET;
}

static const struct axvm_device_ops actlr_ops = {
	.read = actlr_read, .write = actlr_write, .reset = actlr_reset,
};

const struct bm_guest_contract bm_guest = {
	.dtb_reg = AXVM_A64_REG_X(0),
	.down_reset = AXVM_A64_DOWN_RESET,
	.down_off_name = "PSCI SYSTEM_OFF",
	.down_reset_name = "PSCI SYSTEM_RESET",
	.cpu_off_name = "PSCI CPU_OFF",
	.uart_kind = AXVM_FDT_DEV_PL011,
	.dtb_arch = AXVM_GUEST_AARCH64,
};

int bm_arch_devs_add(struct bm_vm_devs *d, struct axvm_config *cfg)
{
	const struct axvm_device_desc actlr = {
		.name = "actlr_el1", .bus = AXVM_BUS_SYSREG,
		.base = AXVM_A64_SYSREG_ACTLR_EL1, .size = 8, .widths = AXVM_WIDTH_8,
		.ops = &actlr_ops, .ctx = d,
	};

	d->sysreg = ACTLR_RESET;
	return axvm_config_add_device(cfg, &actlr);
}

/* QEMU puts the board's DTB at the start of RAM for an ELF -kernel. */
uint64_t bm_arch_board_dtb(void)
{
	return BM_BOARD_DTB;
}

/* --- Linux VMs (boot-protocol "linux") ---------------------------------------------------------------- */

/* Write a range back to the point of coherency: the guest starts with its
 * MMU and caches off, so it reads memory, not this kernel's cache. */
static void clean_to_poc(uintptr_t a, uint64_t n)
{
	uint64_t ctr;

	__asm__ volatile("mrs %0, ctr_el0" : "=r"(ctr));
	const uintptr_t line = 4u << ((ctr >> 16) & 0xf); /* DminLine, in words */
	for (uintptr_t p = a & ~(line - 1); p < a + n; p += line)
		__asm__ volatile("dc cvac, %0" ::"r"(p) : "memory");
	__asm__ volatile("dsb sy" ::: "memory");
}

void bm_arch_guest_ram_written(void *p, uint64_t len)
{
	clean_to_poc((uintptr_t)p, len);
}

/* QEMU loaded the Image file at the VM's kernel-addr (2 MiB aligned); the
 * arm64 boot protocol wants it text_offset bytes above that base. The
 * header is checked by the library (hostile input: sizes, bounds, wrap)
 * against the VM's RAM region before anything is moved. */
int bm_arch_linux_place(void *image, uint64_t image_gpa, uint64_t ram_gpa, uint64_t ram_size,
			uint64_t *entry_gpa)
{
	struct axvm_arm64_image img;
	uint8_t *base = image;
	int rc;

	rc = axvm_arm64_image_place(base, AXVM_ARM64_IMAGE_HDR_SIZE, 0, image_gpa, ram_gpa,
				    ram_size, &img);
	if (rc)
		return rc;
	if (img.text_offset) {
		/* image_size covers the file; both ranges are inside RAM. */
		memmove(base + img.text_offset, base, img.image_size);
		clean_to_poc((uintptr_t)base, img.text_offset + img.image_size);
	}
	kprintf("axvm: Linux image: text_offset 0x%lx, image_size 0x%lx, flags 0x%lx, entry 0x%lx\n",
		img.text_offset, img.image_size, img.flags, img.load_gpa);
	*entry_gpa = img.load_gpa;
	return 0;
}
