/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The riscv64 target of the bare-metal kernel (QEMU virt, HS-mode under
 * OpenSBI): SBI console, harts started with SBI HSM, the time CSR and
 * SBI timer for time and waits, kicks through the board's ACLINT SSWI (or
 * SBI IPIs where it has none), and the guest side of
 * docs/guest-abi-riscv64.md.
 */
#include <string.h>

#include <axvm/boot.h>

#include "axvm_riscv64.h"
#include "board_fdt.h"
#include "devices.h"
#include "kernel.h"


#define SBI_EXT_TIME 0x54494d45u
#define SBI_EXT_IPI 0x735049u
#define SBI_EXT_HSM 0x48534du
#define SBI_EXT_SRST 0x53525354u

#define CAUSE_IRQ (1ull << 63)
#define IRQ_S_SOFT 1u
#define IRQ_S_TIMER 5u
#define IRQ_S_EXT 9u
#define EXC_ILLEGAL 2u
#define EXC_STORE_FAULT 7u
#define SIE_SSIE (1ull << 1)
#define SIE_STIE (1ull << 5)
#define SIE_SEIE (1ull << 9)
#define SSTATUS_SIE (1ull << 1)

struct sbiret {
	long error;
	long value;
};

static struct sbiret sbi(uint64_t ext, uint64_t fid, uint64_t a0, uint64_t a1, uint64_t a2)
{
	register uint64_t r0 __asm__("a0") = a0;
	register uint64_t r1 __asm__("a1") = a1;
	register uint64_t r2 __asm__("a2") = a2;
	register uint64_t r6 __asm__("a6") = fid;
	register uint64_t r7 __asm__("a7") = ext;

	__asm__ volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r6), "r"(r7) : "memory");
	return (struct sbiret){ (long)r0, (long)r1 };
}

static uint64_t rdtime(void)
{
	uint64_t t;
	__asm__ volatile("rdtime %0" : "=r"(t));
	return t;
}

/* --- console: the SBI's ---------------------------------------------------------- */

#define SBI_EXT_BASE 0x10u
#define SBI_EXT_DBCN 0x4442434eu
#define SBI_EXT_LEGACY_PUTCHAR 0x01u

/* DBCN write_byte where the firmware has it (SBI 2.0), else the legacy
 * putchar every OpenSBI keeps: the board's UART is the firmware's. */
static bool have_dbcn;

void bm_arch_putc(char c)
{
	if (have_dbcn)
		sbi(SBI_EXT_DBCN, 2, (uint8_t)c, 0, 0);
	else
		sbi(SBI_EXT_LEGACY_PUTCHAR, 0, (uint8_t)c, 0, 0);
}

/* --- traps, Sstc probe ---------------------------------------------------------- */

static struct axvm_rv_host rv_host = { .timebase_hz = BM_TIMEBASE_HZ };
static uint64_t boot_hart, boot_dtb;
static struct axvm_arch_ops rv_ops;
static volatile bool probing, probe_trapped;
extern char bm_trap_vector[];

/* --- console input: the board UART's receive interrupt, through the PLIC ---------- */

#define UART_RBR 0
#define UART_IER 1
#define UART_LSR 5
#define UART_LSR_DR 0x01u
#define PLIC_PRIORITY(src) (BM_PLIC_BASE + 4u * (src))
#define PLIC_ENABLE(ctx, src) (BM_PLIC_BASE + 0x2000u + 0x80u * (ctx) + 4u * ((src) / 32u))
#define PLIC_THRESHOLD(ctx) (BM_PLIC_BASE + 0x200000u + 0x1000u * (ctx))
#define PLIC_CLAIM(ctx) (PLIC_THRESHOLD(ctx) + 4u)

static volatile uint8_t *uart_reg(unsigned r)
{
	return (volatile uint8_t *)(BM_UART_BASE + r);
}

static volatile uint32_t *mmio32(uintptr_t a)
{
	return (volatile uint32_t *)a;
}

/* QEMU virt's PLIC contexts: hart h's M-mode is 2h, its S-mode 2h + 1. */
static uint64_t s_context(const struct percpu *c)
{
	return 2 * c->hwid + 1;
}

/* On pCPU 0 (bm_main): the UART raises "data available", the PLIC routes
 * it to this hart's S-mode context, and this hart takes S-level external
 * interrupts (they trap to HS-mode even while a guest runs). */
void bm_arch_console_input_on(void)
{
	uint64_t ctx = s_context(this_cpu());

	*mmio32(PLIC_PRIORITY(BM_UART_IRQ)) = 1;
	*mmio32(PLIC_ENABLE(ctx, BM_UART_IRQ)) |= 1u << (BM_UART_IRQ % 32u);
	*mmio32(PLIC_THRESHOLD(ctx)) = 0;
	*uart_reg(UART_IER) = 0x01; /* ERBFI */
	__asm__ volatile("csrs sie, %0" ::"r"(SIE_SEIE) : "memory");
}

static void console_rx_irq(struct percpu *c)
{
	uint64_t ctx = s_context(c);
	uint32_t src = *mmio32(PLIC_CLAIM(ctx));

	if (src == BM_UART_IRQ)
		while (*uart_reg(UART_LSR) & UART_LSR_DR)
			bm_console_rx(*uart_reg(UART_RBR));
	else if (src)
		c->stray_irqs++;
	if (src)
		*mmio32(PLIC_CLAIM(ctx)) = src;
}

/* A kick (SSIP, from the SSWI or the SBI alike): cleared, counted, noted.
 * From the trap handler, and from bm_arch_wait for the kick that ended
 * its WFI. */
static void take_kick(struct percpu *c)
{
	__asm__ volatile("csrc sip, %0" ::"r"(SIE_SSIE));
	c->irqs++;
	c->kicks++;
	c->kicked = true;
	bm_kick_received();
}

/* The timer (every time slice's end): out of line on its own, so it saves
 * only the few registers bm_timer_fired() needs, not the twelve the other
 * causes' paths (the console, panic) made a shared handler save (26 of
 * the slice switch's instructions). One-shot: bm_timer_fired() re-arms it in
 * the future or withdraws it (stimecmp with Sstc) before the sret, which
 * clears STIP; no separate withdrawal first. */
static __attribute__((noinline)) void timer_trap(struct percpu *c)
{
	c->irqs++;
	bm_timer_fired();
}

/* A kick taken by the trap (one that ended a WFI is bm_arch_wait's). */
static __attribute__((noinline)) void kick_trap(struct percpu *c)
{
	take_kick(c);
}

/* Every interrupt but a kick or the timer. */
static __attribute__((noinline)) void other_irq(struct percpu *c, uint64_t cause)
{
	if (cause == (CAUSE_IRQ | IRQ_S_EXT)) {
		c->irqs++;
		console_rx_irq(c);
		return;
	}
	c->stray_irqs++;
}

/* Interrupts (scause's top bit set), from bm_trap_vector, which leaves
 * sepc alone for them: no interrupt moves it. Each cause is a tail call
 * to its own function, so this one needs no frame (the timer, every time
 * slice's end, came through a handler that saved two registers and
 * passed sepc and stval around for the exceptions' sake). */
void bm_rv_irq(uint64_t cause);
void bm_rv_irq(uint64_t cause)
{
	struct percpu *c = this_cpu();

	if (cause == (CAUSE_IRQ | IRQ_S_TIMER))
		timer_trap(c);
	else if (cause == (CAUSE_IRQ | IRQ_S_SOFT))
		kick_trap(c);
	else
		other_irq(c, cause);
}

/* Exceptions: a probe's expected fault, else a panic. Returns where to
 * resume (bm_trap_vector writes it to sepc). */
uint64_t bm_rv_trap(uint64_t cause, uint64_t epc, uint64_t tval);
uint64_t bm_rv_trap(uint64_t cause, uint64_t epc, uint64_t tval)
{
	struct percpu *c = this_cpu();

	if ((cause == EXC_ILLEGAL || cause == EXC_STORE_FAULT) && probing) {
		probe_trapped = true;
		return epc + 4;
	}
	panic("HS-mode exception %lu on CPU %u: sepc %lx stval %lx", cause,
	      c ? c->id : 0u, epc, tval);
}

/* Sstc: stimecmp readable from S-mode once firmware enabled it. */
static bool probe_sstc(void)
{
	uint64_t v;

	probing = true;
	probe_trapped = false;
	__asm__ volatile("csrr %0, 0x14d" : "=r"(v)::"memory");
	probing = false;
	(void)v;
	return !probe_trapped;
}

/* --- kicks: the ACLINT SSWI ------------------------------------------------------ */

/* The RISC-V ACLINT's S-mode software-interrupt device (QEMU virt with
 * aclint=on: "riscv,aclint-sswi"): a 4-byte SETSSIP register per hart, in
 * the order of the node's interrupts-extended; storing 1 raises that
 * hart's sip.SSIP, storing 0 does nothing, and the hart clears SSIP in its
 * sip itself. One store where SBI send_ipi costs some 550 instructions
 * (an ECALL, OpenSBI raising MSIP, the target's M-mode trap setting SSIP).
 * By hart id; NULL where the board has no such register for it: SBI. */
static volatile uint32_t *sswi_setssip[BM_MAX_CPUS];

static bool node_okay(const struct board_fdt *f, int node)
{
	uint32_t len;
	const char *st = board_fdt_prop(f, node, "status", &len);

	/* The length from the blob, not a NUL it may lack. */
	return !st || (len == 5 && !memcmp(st, "okay", 5)) || (len == 3 && !memcmp(st, "ok", 3));
}

/* The hart id of the CPU whose interrupt controller is node intc, or -1:
 * the controller must be a "riscv,cpu-intc" under a cpu node. */
static int64_t intc_hart(const struct board_fdt *f, int intc)
{
	int cpu;
	uint32_t len;
	const uint8_t *reg;

	if (intc < 0 || !board_fdt_compatible(f, intc, "riscv,cpu-intc"))
		return -1;
	cpu = board_fdt_parent(f, intc);
	if (cpu < 0 || !node_okay(f, cpu))
		return -1;
	reg = board_fdt_prop(f, cpu, "reg", &len);
	if (!reg || len < 4)
		return -1;
	/* /cpus has #address-cells 1 on virt; with 2, the low word. */
	return board_fdt_be32(reg + (len / 4 - 1) * 4);
}

/* Read the board DTB for an SSWI node and note each hart's SETSSIP. The
 * blob is the firmware's, but checked like any other (board_fdt.h): a
 * node that does not parse leaves its harts on SBI. */
static unsigned sswi_find(const void *dtb)
{
	struct board_fdt f;
	unsigned found = 0;
	int node = 0, depth = 0;

	if (!dtb || board_fdt_open(&f, dtb, BOARD_DTB_MAX))
		return 0;
	for (; node >= 0; node = board_fdt_next(&f, node, &depth)) {
		uint32_t nirq;
		const uint8_t *irqs;
		uint64_t base, size;

		if (!board_fdt_compatible(&f, node, "riscv,aclint-sswi") || !node_okay(&f, node) ||
		    !board_fdt_reg(&f, node, board_fdt_parent(&f, node), 0, &base, &size))
			continue;
		irqs = board_fdt_prop(&f, node, "interrupts-extended", &nirq);
		if (!irqs || (base & 3))
			continue;
		nirq /= 4;
		/* Entries are <phandle irq...>, the cells after the phandle as
		 * many as that controller's #interrupt-cells; entry i is the
		 * hart whose SETSSIP is at base + 4 i. */
		for (uint32_t i = 0, entry = 0; i + 1 < nirq; entry++) {
			int intc = board_fdt_by_phandle(&f, board_fdt_be32(irqs + 4 * i));
			uint32_t n = intc >= 0 ? board_fdt_u32(&f, intc, "#interrupt-cells", 1) : 1;
			int64_t hart;

			if (n < 1 || n > 3 || i + 1 + n > nirq)
				break;
			hart = intc_hart(&f, intc);
			if (board_fdt_be32(irqs + 4 * (i + 1)) == IRQ_S_SOFT && hart >= 0 &&
			    hart < BM_MAX_CPUS && 4u * (entry + 1u) <= size && !sswi_setssip[hart]) {
				sswi_setssip[hart] = (volatile uint32_t *)(uintptr_t)(base + 4u * entry);
				found++;
			}
			i += 1 + n;
		}
	}
	return found;
}

/* This hart kicks itself once through its SETSSIP, interrupts off: a
 * store the firmware's PMP refuses, or a register that raises nothing
 * here, leaves every hart on SBI. */
static bool sswi_self_test(void)
{
	volatile uint32_t *r = boot_hart < BM_MAX_CPUS ? sswi_setssip[boot_hart] : NULL;
	uint64_t sip;

	if (!r)
		return false;
	__asm__ volatile("csrc sip, %0" ::"r"(SIE_SSIE) : "memory");
	probing = true;
	probe_trapped = false;
	/* 4 bytes even in a C build: the trap handler skips 4. */
	__asm__ volatile(".option push\n.option norvc\nsw %1, 0(%0)\n.option pop"
			 ::"r"(r), "r"(1u) : "memory");
	probing = false;
	__asm__ volatile("csrr %0, sip" : "=r"(sip)::"memory");
	__asm__ volatile("csrc sip, %0" ::"r"(SIE_SSIE) : "memory");
	return !probe_trapped && (sip & SIE_SSIE);
}

static bool have_sswi;

static void sswi_init(void)
{
	have_sswi = sswi_find((const void *)(uintptr_t)boot_dtb) && sswi_self_test();
	if (!have_sswi)
		memset((void *)sswi_setssip, 0, sizeof(sswi_setssip));
}

void bm_arch_early_init(void)
{
	have_dbcn = sbi(SBI_EXT_BASE, 3, SBI_EXT_DBCN, 0, 0).value != 0;
	__asm__ volatile("csrw stvec, %0" ::"r"(bm_trap_vector));
	rv_host.sstc = probe_sstc();
	sswi_init();
	rv_ops = axvm_arch_riscv64;
	rv_ops.ctx = &rv_host;
}

void bm_arch_banner(void)
{
	/* Kicks by SBI unless ", SSWI". */
	kprintf(BM_BANNER "HS-mode, timebase %lu Hz, Sstc %s%s\n", bm_arch_ops()->name,
		rv_host.timebase_hz, rv_host.sstc ? "yes" : "no", have_sswi ? ", SSWI" : "");
}

const struct axvm_arch_ops *bm_arch_ops(void)
{
	return &rv_ops;
}

_Noreturn void board_power_off(void)
{
	sbi(SBI_EXT_SRST, 0, 0, 0, 0); /* shutdown, no reason */
	sbi(0x08, 0, 0, 0, 0);         /* legacy shutdown */
	for (;;)
		__asm__ volatile("wfi");
}

/* --- CPUs ---------------------------------------------------------------------------- */

struct percpu *this_cpu(void)
{
	struct percpu *p;
	__asm__ volatile("mv %0, tp" : "=r"(p));
	return p;
}

void bm_rv_boot(uint64_t hartid, uint64_t dtb);
void bm_rv_boot(uint64_t hartid, uint64_t dtb)
{
	boot_hart = hartid;
	boot_dtb = dtb;
	bm_cpus[0].hwid = hartid;
	bm_main();
}

void bm_arch_cpu_setup(struct percpu *c)
{
	c->id = (uint32_t)(c - bm_cpus);
	__asm__ volatile("mv tp, %0" ::"r"(c));
	__asm__ volatile("csrw stvec, %0" ::"r"(bm_trap_vector));
	__asm__ volatile("csrw sie, %0" ::"r"(SIE_SSIE | SIE_STIE));
	__asm__ volatile("csrs sstatus, %0" ::"r"(SSTATUS_SIE) : "memory");
	atomic_store(&c->online, true);
}

extern char bm_secondary_entry[], _start[];

/* The CPU index of the hart being started, for one that enters at _start
 * (boot.S says why). Written before hart_start, which orders it. */
volatile uint64_t bm_rv_starting;

/* Where and with what a started hart enters: bm_secondary_entry with its
 * index; in the BM_TEST_STALE_HART_START build, the boot-time entry and
 * argument, as a racing OpenSBI would hand them out, to test boot.S. */
static void hart_start_args(uint32_t index, uint64_t *entry, uint64_t *arg)
{
#ifdef BM_TEST_STALE_HART_START
	(void)index;
	*entry = (uint64_t)(uintptr_t)_start;
	*arg = boot_dtb;
#else
	*entry = (uint64_t)(uintptr_t)bm_secondary_entry;
	*arg = index;
#endif
}

/* Hart ids on virt are 0..n-1; the boot hart is whichever OpenSBI chose. */
void bm_arch_start_secondaries(void)
{
	uint32_t next = 1;
	uint64_t entry, arg;

	for (uint64_t hart = 0; hart < BM_MAX_CPUS && next < BM_MAX_CPUS; hart++) {
		if (hart == boot_hart)
			continue;
		bm_cpus[next].hwid = hart;
		bm_rv_starting = next;
		hart_start_args(next, &entry, &arg);
		struct sbiret r = sbi(SBI_EXT_HSM, 0, hart, entry, arg);
		if (r.error)
			continue; /* no such hart */
		bm_wait_online(next);
		bm_ncpus = ++next;
	}
}

/* --- time, kicks, waits ------------------------------------------------------------ */

/* A timebase that divides 1 GHz (QEMU virt's 10 MHz) is a whole number of
 * nanoseconds per tick: one multiply instead of a division and a
 * remainder, and the same value (ticks * 1e9 / hz is exact then). */
#define NS_PER_TICK (1000000000ull % BM_TIMEBASE_HZ ? 0 : 1000000000ull / BM_TIMEBASE_HZ)

uint64_t time_now_ns(void)
{
	uint64_t t = rdtime();
	if (NS_PER_TICK)
		return t * NS_PER_TICK;
	return (t / BM_TIMEBASE_HZ) * 1000000000ull +
	       (t % BM_TIMEBASE_HZ) * 1000000000ull / BM_TIMEBASE_HZ;
}

void bm_arch_send_kick(uint32_t pcpu)
{
	uint64_t hart = bm_cpus[pcpu].hwid;
	volatile uint32_t *r = hart < BM_MAX_CPUS ? sswi_setssip[hart] : NULL;

	if (r) {
		/* What the kick announces (the other CPU's flags, plain
		 * stores and atomics) must be visible before its interrupt:
		 * memory writes ordered before the device store. */
		__asm__ volatile("fence w, o" ::: "memory");
		*r = 1;
	} else {
		sbi(SBI_EXT_IPI, 0, 1, hart, 0);
	}
}

/* The SBI timer compares against the time CSR, the counter time_now_ns()
 * reads. While a guest runs, the backend keeps this deadline (with Sstc,
 * the earlier of it and the guest's). */
static inline __attribute__((always_inline)) void timer_write(uint64_t t)
{
	/* With Sstc the comparator is ours to write: one instruction, where
	 * the SBI call costs some 280 in OpenSBI, twice per wait. */
	if (rv_host.sstc)
		__asm__ volatile("csrw 0x14d, %0" ::"r"(t) : "memory"); /* stimecmp */
	else
		sbi(SBI_EXT_TIME, 0, t, 0, 0);
}

void bm_arch_timer_at(uint64_t deadline_ns)
{
	uint64_t t = UINT64_MAX;

	if (deadline_ns && deadline_ns != UINT64_MAX && NS_PER_TICK)
		t = (deadline_ns - 1) / NS_PER_TICK + 1; /* rounded up: deadline_ns >= 1 */
	else if (deadline_ns && deadline_ns != UINT64_MAX)
		t = bm_ticks_at_or_after(deadline_ns, BM_TIMEBASE_HZ);
	timer_write(t);
}

/* A slice's start: one time read and the duration in ticks, rounded up
 * (what bm_arch_timer_at() gives for that deadline), where
 * time_now_ns() and bm_arch_timer_at() made two calls and a division. */
void bm_arch_timer_in(uint64_t ns, volatile uint64_t *deadline_ns)
{
	uint64_t t;

	if (!NS_PER_TICK) {
		bm_timer_in_by_deadline(ns, deadline_ns);
		return;
	}
	t = rdtime();
	*deadline_ns = t * NS_PER_TICK + ns;
	timer_write(t + (ns + NS_PER_TICK - 1) / NS_PER_TICK);
}

/* Sleep in WFI until an interrupt (a kick, the SBI timer armed here for
 * the timeout or the slice's end) or the timeout. Interrupts are off
 * between the check of the kick flag and the WFI; a pending one still
 * ends the WFI. */
void bm_arch_wait_until(uint64_t end)
{
	struct percpu *c = this_cpu();
	uint64_t sip;

	c->waits++;
	__asm__ volatile("csrc sstatus, %0" ::"r"(SSTATUS_SIE) : "memory");
	if (!c->kicked) {
		bm_arch_timer_at(c->slice_vcpu && c->slice_end < end ? c->slice_end : end);
		__asm__ volatile("wfi" ::: "memory");
	}
	/* The kick that ended the WFI is taken here, interrupts still off:
	 * the trap would do the same after saving and restoring 17
	 * registers (some 80 instructions on every wake-up by a kick).
	 * Anything else pending is taken by the trap below. */
	__asm__ volatile("csrr %0, sip" : "=r"(sip)::"memory");
	if (sip & SIE_SSIE)
		take_kick(c);
	__asm__ volatile("csrs sstatus, %0" ::"r"(SSTATUS_SIE) : "memory"); /* take it */
	bm_arch_timer_at(c->slice_vcpu ? c->slice_end : 0);
	c->kicked = false;
	if (time_now_ns() < end)
		c->early_waits++;
}

/* --- Linux VMs (boot-protocol "linux") ---------------------------------------------- */

/* QEMU loaded the Image file at the config's kernel-addr (the DTB may be
 * below it); the RISC-V boot protocol wants it at RAM + text_offset. The
 * header is checked by the library (hostile input: sizes, bounds, wrap)
 * against the VM's RAM before anything is moved; an image that would have
 * to move down (over what lies below it) is refused. */
int bm_arch_linux_place(void *image, uint64_t image_gpa, uint64_t ram_gpa, uint64_t ram_size,
			uint64_t *entry_gpa)
{
	struct axvm_riscv64_image img;
	uint8_t *base = image;
	uint64_t off = image_gpa - ram_gpa; /* the config put kernel-addr in RAM */
	int rc;

	rc = axvm_riscv64_image_place(base, AXVM_RISCV64_IMAGE_HDR_SIZE, 0, ram_gpa, ram_size,
				      &img);
	if (rc)
		return rc;
	if (img.text_offset < off)
		return AXVM_ERANGE;
	if (img.text_offset > off) {
		/* image_size covers the file; both ranges are inside RAM. */
		memmove(base + (img.text_offset - off), base, img.image_size);
		__asm__ volatile("fence.i" ::: "memory");
	}
	kprintf("axvm: Linux image: text_offset 0x%lx, image_size 0x%lx, flags 0x%lx, version 0x%x, entry 0x%lx\n",
		img.text_offset, img.image_size, img.flags, img.version, img.load_gpa);
	*entry_gpa = img.load_gpa;
	return 0;
}

/* --- the guest side -------------------------------------------------------------- */

/* a0 is the hart id already (the backend's power-on state); a1 the DTB. */

/* SBI console bytes (legacy putchar, DBCN) from the backend. */
static int sbi_con_write(void *ctx, uint64_t off, unsigned width, uint64_t val)
{
	(void)off;
	(void)width;
	bm_devs_putc(ctx, (char)(val & 0xff));
	return 0;
}

static int sbi_con_read(void *ctx, uint64_t off, unsigned width, uint64_t *val)
{
	(void)ctx;
	(void)off;
	(void)width;
	*val = 0;
	return 0;
}
static const struct axvm_device_ops sbi_con_ops = { .read = sbi_con_read, .write = sbi_con_write };

const struct bm_guest_contract bm_guest = {
	.dtb_reg = AXVM_RV_REG_X(11),
	.down_reset = AXVM_RV_DOWN_RESET,
	.down_off_name = "SBI shutdown",
	.down_reset_name = "SBI reboot",
	.cpu_off_name = "SBI hart_stop",
	.uart_kind = AXVM_FDT_DEV_NS16550A,
	.dtb_arch = AXVM_GUEST_RISCV64,
};

int bm_arch_devs_add(struct bm_vm_devs *d, struct axvm_config *cfg)
{
	const struct axvm_device_desc sbi_con = {
		.name = "sbi-console", .bus = AXVM_BUS_PIO, .base = AXVM_RV_SBI_CONSOLE_PORT,
		.size = 1, .widths = AXVM_WIDTH_1, .ops = &sbi_con_ops, .ctx = d,
	};

	return axvm_config_add_device(cfg, &sbi_con);
}

/* OpenSBI hands the next stage the board's DTB in a1. */
uint64_t bm_arch_board_dtb(void)
{
	return boot_dtb;
}

/* Harts see one coherent memory: nothing to do. */
void bm_arch_guest_ram_written(void *p, uint64_t len)
{
	(void)p;
	(void)len;
}


uint64_t bm_arch_irq_save(void)
{
	uint64_t s;

	__asm__ volatile("csrrc %0, sstatus, %1" : "=r"(s) : "r"(SSTATUS_SIE) : "memory");
	return s & SSTATUS_SIE;
}

void bm_arch_irq_restore(uint64_t flags)
{
	if (flags & SSTATUS_SIE)
		__asm__ volatile("csrs sstatus, %0" ::"r"(SSTATUS_SIE) : "memory");
}

