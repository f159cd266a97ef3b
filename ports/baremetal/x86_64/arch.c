/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The x86_64 target of the bare-metal kernel (QEMU's PC, -cpu max with
 * SVM and NPT, booted by -kernel as a multiboot image): the first 16550
 * as a polled console, the TSC (calibrated on the PIT) for time, ACPI
 * power-off, and the guest side of docs/guest-abi-x86_64.md: the 16550
 * the guests print on (ports 0x3f8..0x3ff) and axvm-run's test device.
 * The local APIC gives the host timer (time slices, waits) and kicks.
 */
#include <string.h>

#include <axvm/test_hypercall.h>

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

/* --- the local APIC: the host timer and kicks ---------------------------------------- */

#define LAPIC_BASE 0xfee00000ul
#define LAPIC_ID 0x020
#define LAPIC_EOI 0x0b0
#define LAPIC_SVR 0x0f0
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR 0x390
#define LAPIC_TIMER_DIV 0x3e0

#define VEC_TIMER 0x20u
#define VEC_KICK 0x21u
#define VEC_SPURIOUS 0xffu

static uint64_t apic_hz;

static volatile uint32_t *lapic(unsigned reg)
{
	return (volatile uint32_t *)(LAPIC_BASE + reg);
}

/* The APIC timer's rate against the TSC (already calibrated). */
static void apic_timer_calibrate(void)
{
	uint64_t t0, ns = 10000000;
	uint32_t left;

	*lapic(LAPIC_SVR) = 0x100u | VEC_SPURIOUS;
	*lapic(LAPIC_TIMER_DIV) = 0xb; /* divide by 1 */
	*lapic(LAPIC_LVT_TIMER) = (1u << 16) | VEC_TIMER; /* masked */
	*lapic(LAPIC_TIMER_INIT) = UINT32_MAX;
	t0 = time_now_ns();
	while (time_now_ns() - t0 < ns)
		;
	left = *lapic(LAPIC_TIMER_CUR);
	*lapic(LAPIC_TIMER_INIT) = 0;
	apic_hz = (uint64_t)(UINT32_MAX - left) * (1000000000ull / ns);
	if (apic_hz < 1000000)
		apic_hz = 1000000;
}

/* One-shot at the deadline. Beyond the 32-bit count it fires early and
 * bm_timer_fired() (or the wait) arms it again. */
static void apic_arm(uint64_t deadline_ns)
{
	uint64_t now, count;

	if (!deadline_ns || deadline_ns == UINT64_MAX) {
		*lapic(LAPIC_TIMER_INIT) = 0;
		return;
	}
	now = time_now_ns();
	count = deadline_ns > now ? (deadline_ns - now) / 1000 * (apic_hz / 1000000) : 0;
	if (count == 0)
		count = 1;
	if (count > UINT32_MAX)
		count = UINT32_MAX;
	*lapic(LAPIC_LVT_TIMER) = VEC_TIMER; /* one-shot, unmasked */
	*lapic(LAPIC_TIMER_INIT) = (uint32_t)count;
}

/* What this CPU's own timer is armed for (0: nothing), and whether a
 * guest's APIC deadline has it meanwhile. Touched on the CPU itself with
 * interrupts off, or from its own timer interrupt. */
static uint64_t host_deadline[BM_MAX_CPUS];
static bool lent[BM_MAX_CPUS];

void bm_arch_timer_at(uint64_t deadline_ns)
{
	host_deadline[this_cpu()->id] = deadline_ns == UINT64_MAX ? 0 : deadline_ns;
	apic_arm(deadline_ns);
}

/* The backend's timer hook: around a VMRUN, the guest's APIC deadline
 * when it comes first, so a guest that never exits still gets its timer
 * interrupt (an INTR exit; the backend raises the guest's vector). The
 * interrupt the host then takes finds its own deadline not reached and
 * re-arms it, as after any early expiry. */
static void guest_timer(uint64_t deadline_ns)
{
	uint32_t id = this_cpu()->id;
	uint64_t h = host_deadline[id];

	if (deadline_ns) {
		if (!h || deadline_ns < h) {
			apic_arm(deadline_ns);
			lent[id] = true;
		}
	} else if (lent[id]) {
		lent[id] = false;
		apic_arm(h);
	}
}

static void inject_on_halt(void);

/* Sleep in HLT until an interrupt (a kick, the timer armed here for the
 * timeout or the slice's end) or the timeout. STI's one-instruction
 * shadow makes "sti; hlt" atomic: a kick after the check still ends the
 * HLT. */
void bm_arch_wait_until(uint64_t end)
{
	struct percpu *c = this_cpu();

	c->waits++;
	inject_on_halt();
	__asm__ volatile("cli" ::: "memory");
	if (!c->kicked) {
		bm_arch_timer_at(c->slice_vcpu && c->slice_end < end ? c->slice_end : end);
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	}
	__asm__ volatile("sti" ::: "memory");
	bm_arch_timer_at(c->slice_vcpu ? c->slice_end : 0);
	c->kicked = false;
	if (time_now_ns() < end)
		c->early_waits++;
}

void bm_arch_send_kick(uint32_t pcpu)
{
	while (*lapic(LAPIC_ICR_LO) & (1u << 12)) /* delivery pending */
		;
	*lapic(LAPIC_ICR_HI) = (uint32_t)bm_cpus[pcpu].hwid << 24;
	*lapic(LAPIC_ICR_LO) = VEC_KICK; /* fixed, physical, edge */
}

/* --- interrupts and exceptions ---------------------------------------------------------- */

struct bm_x86_frame {
	uint64_t r11, r10, r9, r8, rdi, rsi, rdx, rcx, rax, rbx;
	uint64_t vector, error, rip, cs, rflags, rsp, ss;
};

void bm_x86_trap(struct bm_x86_frame *f);
void bm_x86_trap(struct bm_x86_frame *f)
{
	struct percpu *c = this_cpu();

	switch (f->vector) {
	case VEC_TIMER:
		c->irqs++;
		*lapic(LAPIC_EOI) = 0;
		bm_timer_fired();
		return;
	case VEC_KICK:
		c->irqs++;
		c->kicks++;
		c->kicked = true;
		*lapic(LAPIC_EOI) = 0;
		bm_kick_received();
		return;
	case VEC_SPURIOUS:
		c->stray_irqs++;
		return;
	default:
		break;
	}
	uint64_t cr2;
	__asm__ volatile("movq %%cr2, %0" : "=r"(cr2));
	panic("exception %lu (error 0x%lx) at rip 0x%lx, rsp 0x%lx, cr2 0x%lx", f->vector,
	      f->error, f->rip, f->rsp, cr2);
}

struct idt_gate {
	uint16_t off0, sel;
	uint8_t ist, type;
	uint16_t off1;
	uint32_t off2, zero;
} __attribute__((packed));

static struct idt_gate idt[256] __attribute__((aligned(16)));

#define VEC(n) extern char bm_x86_vec##n[];
VEC(0) VEC(1) VEC(2) VEC(3) VEC(4) VEC(5) VEC(6) VEC(7) VEC(8) VEC(9) VEC(10) VEC(11)
VEC(12) VEC(13) VEC(14) VEC(15) VEC(16) VEC(17) VEC(18) VEC(19) VEC(20) VEC(21) VEC(22)
VEC(23) VEC(24) VEC(25) VEC(26) VEC(27) VEC(28) VEC(29) VEC(30) VEC(31) VEC(32) VEC(33)
VEC(255)
#undef VEC

static void set_gate(unsigned vec, const char *fn)
{
	uint64_t h = (uint64_t)(uintptr_t)fn;

	idt[vec] = (struct idt_gate){ .off0 = (uint16_t)h, .sel = 0x08, .type = 0x8e,
				      .off1 = (uint16_t)(h >> 16), .off2 = (uint32_t)(h >> 32) };
}

static void idt_init(void)
{
	static const char *const exc[32] = {
		bm_x86_vec0, bm_x86_vec1, bm_x86_vec2, bm_x86_vec3, bm_x86_vec4, bm_x86_vec5,
		bm_x86_vec6, bm_x86_vec7, bm_x86_vec8, bm_x86_vec9, bm_x86_vec10, bm_x86_vec11,
		bm_x86_vec12, bm_x86_vec13, bm_x86_vec14, bm_x86_vec15, bm_x86_vec16, bm_x86_vec17,
		bm_x86_vec18, bm_x86_vec19, bm_x86_vec20, bm_x86_vec21, bm_x86_vec22, bm_x86_vec23,
		bm_x86_vec24, bm_x86_vec25, bm_x86_vec26, bm_x86_vec27, bm_x86_vec28, bm_x86_vec29,
		bm_x86_vec30, bm_x86_vec31,
	};
	for (unsigned i = 0; i < 32; i++)
		set_gate(i, exc[i]);
	set_gate(VEC_TIMER, bm_x86_vec32);
	set_gate(VEC_KICK, bm_x86_vec33);
	set_gate(VEC_SPURIOUS, bm_x86_vec255);
}

static void idt_load(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) r = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };
	__asm__ volatile("lidt %0" ::"m"(r));
}

/* The 8259 PICs masked: every host interrupt comes through the LAPIC. */
static void pic_off(void)
{
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
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
	c->hwid = *lapic(LAPIC_ID) >> 24;
	cpu_slot[id] = c;
	__asm__ volatile("wrmsr" ::"c"(0xc0000101u), "a"((uint32_t)slot), "d"((uint32_t)(slot >> 32))
			 : "memory");
	idt_load();
	*lapic(LAPIC_SVR) = 0x100u | VEC_SPURIOUS; /* software-enabled */
	*lapic(LAPIC_LVT_TIMER) = (1u << 16) | VEC_TIMER;
	atomic_store(&c->online, true);
	__asm__ volatile("sti" ::: "memory");
}

/* How many CPUs QEMU gave the board: fw_cfg's FW_CFG_NB_CPUS (key 5),
 * read through the legacy I/O ports; 1 if it says something odd. */
static uint32_t board_cpus(void)
{
	uint16_t n;

	outw(0x510, 0x05);
	n = inb(0x511);
	n |= (uint16_t)(inb(0x511) << 8);
	return n >= 1 && n <= BM_MAX_CPUS ? n : (n > BM_MAX_CPUS ? BM_MAX_CPUS : 1);
}

/* --- the host-side injector -------------------------------------------------------- */

/* QEMU's fw_cfg file `opt/axvm/inject-irq` (scripts/run-x86_64
 * --inject-irq VEC) names a vector the kernel injects into vCPU 0 of each
 * VM the first time it waits halted: what tests/integration's KVM test
 * does to the `irq` guest from its host thread. Read once at boot. */
static uint32_t inject_vec;
static atomic_bool injected[BM_MAX_VMS];

static uint32_t fw_cfg_be(unsigned n)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v = v << 8 | inb(0x511);
	return v;
}

static void inject_init(void)
{
	static const char want[] = "opt/axvm/inject-irq";
	uint32_t count, size = 0;
	uint16_t sel = 0;
	char name[56], val[8];

	outw(0x510, 0x19); /* FW_CFG_FILE_DIR: count, then 64-byte entries */
	count = fw_cfg_be(4);
	for (uint32_t i = 0; i < count && i < 256 && !sel; i++) {
		uint32_t sz = fw_cfg_be(4);
		uint16_t s = (uint16_t)fw_cfg_be(2);
		(void)fw_cfg_be(2);
		for (unsigned k = 0; k < sizeof(name); k++)
			name[k] = (char)inb(0x511);
		if (!memcmp(name, want, sizeof(want))) {
			sel = s;
			size = sz;
		}
	}
	if (!sel)
		return;
	outw(0x510, sel);
	memset(val, 0, sizeof(val));
	for (uint32_t k = 0; k < size && k < sizeof(val) - 1; k++)
		val[k] = (char)inb(0x511);
	/* A decimal or 0x-hex vector, 32..255; anything else: no injector. */
	uint32_t v = 0, base = val[0] == '0' && val[1] == 'x' ? 16 : 10;
	for (const char *p = val + (base == 16 ? 2 : 0); *p; p++) {
		uint32_t d = *p >= '0' && *p <= '9' ? (uint32_t)(*p - '0')
			     : *p >= 'a' && *p <= 'f' ? (uint32_t)(*p - 'a' + 10) : 99;
		if (d >= base || v > 255)
			break;
		v = v * base + d;
	}
	if (v >= 32 && v <= 255) {
		inject_vec = v;
		kprintf("axvm: injecting vector 0x%x into each VM's vCPU 0 at its first halt\n", v);
	}
}

static void inject_on_halt(void)
{
	if (!inject_vec)
		return;
	for (uint32_t k = 0; k < bm_nvms && k < BM_MAX_VMS; k++) {
		enum axvm_vcpu_state st;
		struct axvm_vcpu *v = bm_vms[k].vcpu[0];
		if (v && !atomic_load(&injected[k]) && !axvm_vcpu_state(v, &st) &&
		    st == AXVM_VCPU_BLOCKED && !atomic_exchange(&injected[k], true))
			axvm_vcpu_inject_irq(v, inject_vec);
	}
}

#define BM_AP_TRAMPOLINE 0x7000ul /* boot.S's AP_BASE: SIPI vector 0x07 */
extern char ap_trampoline[], ap_trampoline_end[];
/* The index of the CPU being started (boot.S reads it for its stack). */
volatile uint64_t bm_x86_ap_index;

static void send_ipi(uint32_t apic_id, uint32_t icr)
{
	while (*lapic(LAPIC_ICR_LO) & (1u << 12))
		;
	*lapic(LAPIC_ICR_HI) = apic_id << 24;
	*lapic(LAPIC_ICR_LO) = icr;
}

/* APIC ids on QEMU's PC are 0..n-1 with the boot CPU's 0: each other one
 * gets INIT, then the two start-up IPIs the MP protocol asks for. */
void bm_arch_start_secondaries(void)
{
	uint32_t n = board_cpus();

	memcpy((void *)BM_AP_TRAMPOLINE, ap_trampoline,
	       (size_t)(ap_trampoline_end - ap_trampoline));
	for (uint32_t i = 1; i < n; i++) {
		uint32_t id = (uint32_t)bm_cpus[0].hwid + i;
		bm_cpus[i].hwid = id;
		bm_x86_ap_index = i;
		send_ipi(id, 0x4500); /* INIT, assert */
		time_delay_ns(10000000);
		for (int k = 0; k < 2; k++) {
			send_ipi(id, 0x4600 | (BM_AP_TRAMPOLINE >> 12)); /* SIPI */
			time_delay_ns(200000);
		}
		bm_wait_online(i);
		bm_ncpus = i + 1;
	}
}

void bm_arch_early_init(void)
{
	com1_init();
	pic_off();
	idt_init();
	tsc_calibrate();
	apic_timer_calibrate();
	axvm_x86_64_set_timer_hook(guest_timer);
	inject_init();
}

void bm_arch_banner(void)
{
	kprintf(BM_BANNER "CPL 0, AMD SVM, TSC %lu MHz\n", bm_arch_ops()->name,
		tsc_hz / 1000000u);
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

/* The guests' COM1 (ports 0x3f8..0x3ff) and axvm-run's test device at
 * 0xfe000000: the library's models, as axvm-run has them. COM1 has no
 * interrupt and takes no input here, so nothing but the VM's own exits
 * reaches it and it needs no masked wrapper. It runs in line mode, as
 * axvm-run's does: a byte (an exit each) is a store into `line`, and the
 * console line gets whole lines; what is left of one goes out when the
 * VM's console is flushed (bm_arch_devs_flush), before anything the
 * kernel prints about the VM. */
struct x86_devs {
	struct bm_vm_devs *d;
	struct axvm_ns16550 com1;
	uint8_t line[BM_LINE_MAX];
#if BM_TESTDEV
	struct axvm_testdev testdev; /* axvm-run's, at 0xfe000000 */
#endif
};
static struct x86_devs x86_devs[BM_MAX_VMS];

/* Called with COM1's lock held: the console line's lock nests inside. */
static void com1_tx_line(void *arg, const uint8_t *bytes, uint32_t n)
{
	struct x86_devs *x = arg;

	for (uint32_t i = 0; i < n; i++)
		bm_devs_putc(x->d, (char)bytes[i]);
}

/* `d` is set only once its COM1 is: a slot without it is nobody's. */
void bm_arch_devs_flush(struct bm_vm_devs *d)
{
	for (unsigned i = 0; d && i < BM_MAX_VMS; i++) {
		if (x86_devs[i].d == d) {
			(void)axvm_ns16550_flush(&x86_devs[i].com1); /* cannot fail */
			return;
		}
	}
}

int bm_arch_devs_add(struct bm_vm_devs *d, struct axvm_config *cfg)
{
	static atomic_uint next;
	unsigned i = atomic_fetch_add(&next, 1);
	struct x86_devs *x = &x86_devs[i];
	struct axvm_device_desc com1;
	int rc;

	if (i >= BM_MAX_VMS)
		return AXVM_ENOMEM;
	const struct axvm_uart_host host = {
		.arg = x, .line = x->line, .line_size = sizeof(x->line), .tx_line = com1_tx_line,
	};
	if ((rc = axvm_ns16550_init(&x->com1, &host, 0)) ||
	    (rc = axvm_ns16550_desc_bus(&x->com1, AXVM_BUS_PIO, 0x3f8, &com1)))
		return rc;
	x->d = d;
	com1.name = "com1";
	if ((rc = axvm_config_add_device(cfg, &com1)))
		return rc;
#if BM_TESTDEV
	struct axvm_device_desc testdev;
	if ((rc = axvm_testdev_init(&x->testdev, &axvm_testdev_x86_layout)) ||
	    (rc = axvm_testdev_desc(&x->testdev, 0xfe000000ull, &testdev)))
		return rc;
	testdev.name = "testdev-x86";
	rc = axvm_config_add_device(cfg, &testdev);
#endif
	return rc;
}

/* The x86 guest ABI's hypercalls, answered as axvm-run answers them
 * (axvm/test_hypercall.h: version, sum, ENOSYS for the rest); main.c's
 * own (0x100..0x102) stay. CPU up (1) never gets here: the backend turns
 * it into a CPU_UP exit. */
#define X86_HC_KERNEL_FIRST 0x100u
#define X86_HC_KERNEL_LAST 0x102u

bool bm_arch_hypercall(uint64_t nr, const uint64_t args[6], uint64_t *ret)
{
	if (nr >= X86_HC_KERNEL_FIRST && nr <= X86_HC_KERNEL_LAST)
		return false;
	*ret = axvm_x86_test_hypercall(nr, args); /* unknown numbers: ENOSYS */
	return true;
}
