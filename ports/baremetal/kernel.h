/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The bare-metal kernel's internal interfaces. The kernel is one program
 * for every target: main.c (VMs and the per-pCPU scheduler), vmconfig.c
 * (the config blob turned into VMs), hal.c (the page pool and the HAL),
 * console.c and devices.c are shared; each target
 * directory (aarch64/, riscv64/) supplies boot code, platform.h and the
 * `bm_arch_*` hooks below.
 */
#ifndef BM_KERNEL_H
#define BM_KERNEL_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <axvm/axvm.h>
#include <axvm/config_fdt.h>

#include "capacity.h"
#include "platform.h"

/* What this kernel gives guests beyond CPUs, RAM, a UART and passthrough
 * (ports/baremetal/CMakeLists.txt: AXVM_BM_VIRTIO, AXVM_BM_IVC,
 * AXVM_BM_GUEST_DTB); 1 unless the build leaves one out. */
#ifndef BM_VIRTIO
#define BM_VIRTIO 1
#endif
#ifndef BM_IVC
#define BM_IVC 1
#endif
#ifndef BM_GUEST_DTB
#define BM_GUEST_DTB 1
#endif
/* 1: every VM gets the test device (AXVM_BM_TESTDEV). */
#ifndef BM_TESTDEV
#define BM_TESTDEV 1
#endif
/* 1: the VMs are compiled in (AXVM_BM_CONFIG_C), no blob is parsed. */
#ifndef BM_BUILTIN_CONFIG
#define BM_BUILTIN_CONFIG 0
#endif

/* One per physical CPU. */
struct percpu {
	uint32_t id;
	uint64_t hwid;             /* MPIDR or hart id */
	volatile bool kicked;      /* set by the kick interrupt's handler */
	atomic_bool online;
	uint64_t irqs;             /* interrupts handled */
	uint64_t kicks;            /* kick interrupts received */
	uint64_t waits, early_waits; /* HAL waits, and those ended early */
	uint64_t stray_irqs;       /* interrupts that were not ours */
	/* The vCPU running on a time slice (when others share this pCPU),
	 * and when the slice ends; set and read on this CPU only, by the
	 * scheduler and the timer interrupt. */
	struct axvm_vcpu *volatile slice_vcpu;
	volatile uint64_t slice_end; /* UINT64_MAX: until a kick */
	volatile bool slice_waiting; /* the slice's vCPU is halted in the HAL's wait */
	volatile bool slice_idle;    /* it gave up the pCPU while halted */
	volatile uint64_t slice_bit; /* its bit in main.c's list of this pCPU's vCPUs */
	uint64_t slices;           /* slices that ended with a switch */
};

extern struct percpu bm_cpus[BM_MAX_CPUS];
extern uint32_t bm_ncpus;

/* console.c */
void kputs(const char *s);   /* whole string under the console lock */
int ksnprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/* 1: the dictionary log (AXVM_BM_DICT_LOG): kprintf() and panic() print a
 * record, not their text, and scripts/axvm-log-decode prints the text. */
#ifndef BM_DICT_LOG
#define BM_DICT_LOG 0
#endif

#if !BM_DICT_LOG
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* An AXVM_E* code as a "%s" argument of kprintf() or panic(): its text. */
#define bm_strerror(rc) axvm_strerror(rc)
#else
/*
 * Each call's format (a string literal) goes to .axvm_dict, which the
 * link script keeps in the ELF but not in the loaded image, and the call
 * prints one record line under the console lock: its format's address
 * and its arguments, each an integer or, for a char pointer, the text
 * (docs/ports-baremetal.md has the record's form). Which argument is
 * text is decided here, at compile time, so the kernel never reads the
 * format. An unreached call of bm_dict_check() keeps the compiler's
 * printf checks on every call.
 */
void bm_dict_log(const char *fmt, unsigned meta, ...);
_Noreturn void bm_dict_panic(const char *fmt, unsigned meta, ...);
static inline __attribute__((format(printf, 1, 2))) void bm_dict_check(const char *fmt, ...)
{
	(void)fmt;
}

/* 1 for an argument printed as text. */
#define BM_DICT_IS_STR(a) _Generic((a), char *: 1u, const char *: 1u, unsigned char *: 1u, \
					 const unsigned char *: 1u, default: 0u)
/* Every argument travels as 64 bits: an integer sign- or zero-extended
 * as its type says, a pointer as its address. */
#define BM_DICT_VAL(a) ((uint64_t)(uintptr_t)(a))

/* The count of arguments, 1 to 12 (the format included). */
#define BM_DICT_N(...) BM_DICT_N_(__VA_ARGS__, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)
#define BM_DICT_N_(a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, n, ...) n
#define BM_DICT_CAT(a, b) BM_DICT_CAT_(a, b)
#define BM_DICT_CAT_(a, b) a##b
/* m(arg, i) for each argument after the format. */
#define BM_DICT_EACH(m, ...) BM_DICT_CAT(BM_DICT_EACH, BM_DICT_N(__VA_ARGS__))(m, __VA_ARGS__)
#define BM_DICT_EACH1(m, f)
#define BM_DICT_EACH2(m, f, a) m(a, 0)
#define BM_DICT_EACH3(m, f, a, ...) m(a, 1) BM_DICT_EACH2(m, f, __VA_ARGS__)
#define BM_DICT_EACH4(m, f, a, ...) m(a, 2) BM_DICT_EACH3(m, f, __VA_ARGS__)
#define BM_DICT_EACH5(m, f, a, ...) m(a, 3) BM_DICT_EACH4(m, f, __VA_ARGS__)
#define BM_DICT_EACH6(m, f, a, ...) m(a, 4) BM_DICT_EACH5(m, f, __VA_ARGS__)
#define BM_DICT_EACH7(m, f, a, ...) m(a, 5) BM_DICT_EACH6(m, f, __VA_ARGS__)
#define BM_DICT_EACH8(m, f, a, ...) m(a, 6) BM_DICT_EACH7(m, f, __VA_ARGS__)
#define BM_DICT_EACH9(m, f, a, ...) m(a, 7) BM_DICT_EACH8(m, f, __VA_ARGS__)
#define BM_DICT_EACH10(m, f, a, ...) m(a, 8) BM_DICT_EACH9(m, f, __VA_ARGS__)
#define BM_DICT_EACH11(m, f, a, ...) m(a, 9) BM_DICT_EACH10(m, f, __VA_ARGS__)
#define BM_DICT_EACH12(m, f, a, ...) m(a, 10) BM_DICT_EACH11(m, f, __VA_ARGS__)
#define BM_DICT_MASK(a, i) | BM_DICT_IS_STR(a) << (4 + (i))
#define BM_DICT_ARG(a, i) , BM_DICT_VAL(a)
/* meta: the argument count in bits 0-3 and, for the argument k of n
 * (from 0), bit 4 + n - 1 - k set if it is text (EACHn numbers from the
 * last argument). */
#define BM_DICT_META(...) ((BM_DICT_N(__VA_ARGS__) - 1u) BM_DICT_EACH(BM_DICT_MASK, __VA_ARGS__))
#define BM_DICT_FIRST(f, ...) f
/* The format's address. GNU ld puts .axvm_dict where the link script
 * says, past the image; ld.lld puts a non-allocated section at 0, out of
 * reach of -mcmodel=tiny's adr (+-1 MB), so an AArch64 clang build makes
 * the address with adrp (+-4 GB) instead. */
#if defined(__clang__) && defined(__aarch64__)
#define BM_DICT_ADDR(s) ({ \
		const char *bm_dict_p_; \
		__asm__("adrp %0, %1\n\tadd %0, %0, :lo12:%1" : "=r"(bm_dict_p_) : "S"(s)); \
		bm_dict_p_; \
	})
#else
#define BM_DICT_ADDR(s) (s)
#endif
#define BM_DICT_CALL(fn, ...) do { \
		static const char bm_dict_fmt_[] __attribute__((section(".axvm_dict"))) = \
			BM_DICT_FIRST(__VA_ARGS__, ~); \
		if (0) \
			bm_dict_check(__VA_ARGS__); \
		fn(BM_DICT_ADDR(bm_dict_fmt_), BM_DICT_META(__VA_ARGS__) BM_DICT_EACH(BM_DICT_ARG, __VA_ARGS__)); \
	} while (0)
#define kprintf(...) BM_DICT_CALL(bm_dict_log, __VA_ARGS__)
#define panic(...) BM_DICT_CALL(bm_dict_panic, __VA_ARGS__)
/* An AXVM_E* code as a "%s" argument: the record carries the code, as an
 * integer (the printf check takes a signed char pointer for text, which
 * no string here is, and BM_DICT_IS_STR does not), and the decoder
 * prints axvm_strerror()'s text from the table console.c keeps beside
 * the formats: no error text in the image. */
#define bm_strerror(rc) ((const signed char *)(intptr_t)(int)(rc))
#endif

/* hal.c */
extern const struct axvm_hal bm_hal;
void bm_pool_stats(size_t *used, size_t *total);
void time_delay_ns(uint64_t ns);

/* A DTB's magic (0xd00dfeed, big-endian) read as a little-endian word. */
#define BM_FDT_MAGIC_LE 0xedfe0dd0u

/* vmconfig.c: the VMs of the config blob QEMU loaded at BM_CONFIG_ADDR. */
/* VMs one config may describe: AXVM_BM_MAX_VMS (CMakeLists.txt), 8 by
 * default. Each slot reserves its config, devices and virtio state in
 * .bss whether a VM uses it or not. */
#ifndef BM_MAX_VMS
#define BM_MAX_VMS 8u
#endif
#define BM_MAX_VM_VCPUS 8u  /* vCPUs of one VM */
struct bm_vm {
	/* As parsed, in vmconfig.c's table (device ctx points into it:
	 * it never moves); library device state lives there. */
	struct axvm_fdt_vm *fdt;
	const char *name;       /* fdt.cfg.name */
	uint32_t nvcpus;
	uint32_t affinity[BM_MAX_VM_VCPUS];
	unsigned max_reboots;   /* guest resets answered with a reboot */
	atomic_uint reboots;
	struct axvm_vm *vm;
	struct axvm_vcpu *vcpu[BM_MAX_VM_VCPUS];
	/* vCPU i left its last run halted (a time slice ended in its WFI):
	 * a halted neighbour need not give the pCPU up for it. Read and
	 * written on vCPU i's pCPU only. */
	volatile bool idle[BM_MAX_VM_VCPUS];
	struct bm_vm_devs *devs;
};

/* Whether VM v boots Linux. With the VMs compiled in, the link knows
 * which protocols they use (axvm_config_builtin_boots, a constant LTO
 * folds): a kernel whose VMs boot no Linux links no Linux loader. Always
 * inlined: as a call, LTO found it constant only after it had compiled
 * its callers, and kept their Linux paths. */
static inline __attribute__((always_inline)) bool bm_boots_linux(const struct bm_vm *v)
{
#if BM_BUILTIN_CONFIG
	if (!(axvm_config_builtin_boots & (1u << AXVM_BOOT_LINUX)))
		return false;
#endif
	return v->fdt->boot == AXVM_BOOT_LINUX;
}

extern struct bm_vm bm_vms[BM_MAX_VMS];
extern uint32_t bm_nvms;
/* Parse the config blob and check it against this board (RAM, the
 * kernel's own ranges, pCPUs, limits): fills bm_vms[0..bm_nvms-1]. 0, or
 * a negative AXVM_E* after printing why (then bm_nvms is 0). */
int bm_config_load(void);
/* A VM with a dtb-addr where nothing was loaded: its guest DTB written
 * there from the config (axvm_guest_fdt_build()). 0 (also when there is
 * nothing to do) or a negative AXVM_E* after printing why. */
int bm_vm_guest_dtb(struct bm_vm *v);
/* The host address of guest range [gpa, gpa + len) of a VM when one
 * linear RAM region holds all of it; 0 otherwise. */
uint64_t bm_vm_hpa(const struct bm_vm *v, uint64_t gpa, uint64_t len);

/* The end of the board RAM VMs may use (from the board DTB). */
uint64_t bm_ram_end(void);

/* virtio.c: the library's virtio-blk for each "virtio,mmio" node with
 * axvm,disk, over the host memory it names (checked: RAM VMs may use,
 * apart from every VM's RAM), and its virtio-console for one with
 * axvm,console (v->devs already made; at most one per VM). 0 or a negative AXVM_E* after printing why. */
#if BM_VIRTIO
int bm_virtio_add(struct bm_vm *v);
#else
static inline int bm_virtio_add(struct bm_vm *v)
{
	(void)v;
	return 0; /* the parser refused every virtio node */
}
#endif

/* ivc.c: the config's inter-VM channels (axvm,ivc) wired to the library's
 * doorbell model, their shared regions mapped to host pages kept for
 * channels. 0 or a negative AXVM_E* after printing why. */
#if BM_IVC
int bm_ivc_config(struct bm_vm *vms, uint32_t n);
/* Each channel end's counters, for the power-off report. */
void bm_ivc_report(void);
#else
static inline int bm_ivc_config(struct bm_vm *vms, uint32_t n)
{
	(void)vms;
	(void)n;
	return 0; /* the parser refused every channel */
}
static inline void bm_ivc_report(void) {}
#endif

/* devices.c: the emulated devices the kernel gives each guest. */
struct bm_vm_devs;
struct bm_vm_devs *bm_devs_create(const char *vm_name);
/* The test device, the target's extras, and the library's UART model for
 * the config's UART node (its device entry is re-pointed at the model). */
int bm_devs_add(struct bm_vm_devs *d, struct bm_vm *v);
void bm_devs_flush(struct bm_vm_devs *d);
/* Print what the VM's devices refused (console input its UART did not
 * take), if anything. */
void bm_devs_report(const struct bm_vm_devs *d);
/* A byte of console input into the VM's UART: 0, or a negative AXVM_E*
 * when the UART did not take it (receiver off, FIFO full: dropped). */
int bm_devs_input(struct bm_vm_devs *d, uint8_t byte);
/* A byte the guest wrote to its console, by whatever path: lines go to
 * the kernel console prefixed "[vmname] ". */
void bm_devs_putc(struct bm_vm_devs *d, char c);

/* console_in.c: the board's console input to the VM with the focus. */
/* Take input (after the VMs are created) or stop (before teardown). */
void bm_console_input(bool on);
/* One received byte (the target's receive interrupt, one pCPU). */
void bm_console_rx(uint8_t c);

/* --- what each target supplies (aarch64/arch.c, riscv64/arch.c) --------------- */

/* Boot CPU: console and shared interrupt hardware, before anything prints. */
void bm_arch_early_init(void);
/* This CPU: its percpu pointer, local interrupt setup, interrupts on. */
void bm_arch_cpu_setup(struct percpu *c);
/* Start the other CPUs (each ends in bm_secondary_main); sets bm_ncpus. */
void bm_arch_start_secondaries(void);
/* Wait until CPU `id`, which its firmware took to start, is online
 * (main.c); panics if it never comes. */
void bm_wait_online(uint32_t id);
struct percpu *this_cpu(void);
void bm_arch_putc(char c);
/* Turn on the board console's receive interrupt (bm_console_rx). */
void bm_arch_console_input_on(void);
/* Mask this CPU's interrupts; restore what bm_arch_irq_save() returned. */
uint64_t bm_arch_irq_save(void);
void bm_arch_irq_restore(uint64_t flags);
uint64_t time_now_ns(void);
/* Interrupt CPU `pcpu` (its handler sets ->kicked). */
void bm_arch_send_kick(uint32_t pcpu);
/* Sleep until an interrupt or time_now_ns() reaches `deadline_ns`
 * (bm_arch_wait: `timeout_ns` from now); returns at once if this CPU
 * was kicked (the flag is checked with interrupts masked). Leaves the host
 * timer armed for this CPU's time slice, if one runs. */
void bm_arch_wait_until(uint64_t deadline_ns);
static inline void bm_arch_wait(uint64_t timeout_ns)
{
	bm_arch_wait_until(time_now_ns() + timeout_ns);
}
/* Counter ticks at `hz` for `ns`, rounded up: a timer compare value that
 * fires at or after the time (no overflow for any ns below UINT64_MAX). */
static inline uint64_t bm_ticks_at_or_after(uint64_t ns, uint64_t hz)
{
	return ns / 1000000000ull * hz + (ns % 1000000000ull * hz + 999999999ull) / 1000000000ull;
}
/* Arm this CPU's host timer for time_now_ns() == deadline_ns (0 or
 * UINT64_MAX: disarm). Its interrupt calls bm_timer_fired(), which
 * re-arms it in the future or withdraws it on every path. */
void bm_arch_timer_at(uint64_t deadline_ns);
/* Arm it `ns` from now with one counter read: *deadline_ns gets that
 * time (in time_now_ns() terms) before the timer is written, so its
 * handler never sees the new timer with the old deadline. Optional:
 * main.c's default is bm_timer_in_by_deadline(). */
void bm_arch_timer_in(uint64_t ns, volatile uint64_t *deadline_ns);
/* bm_arch_timer_in() by way of a deadline: main.c's default, and the
 * targets' own where the counter's rate is not a whole number of ns. */
static inline void bm_timer_in_by_deadline(uint64_t ns, volatile uint64_t *deadline_ns)
{
	*deadline_ns = time_now_ns() + ns;
	bm_arch_timer_at(*deadline_ns);
}
_Noreturn void board_power_off(void);
/* The backend, set up for this machine. */
const struct axvm_arch_ops *bm_arch_ops(void);
/* The banner's head; each target's bm_arch_banner() prints it with the
 * backend's name and how the CPU runs the kernel ("CurrentEL = 2"), in
 * one kprintf, so a dictionary log needs no formatter in the image. */
#define BM_BANNER "\naxvm: bare-metal kernel, libaxvm + %s backend, "
void bm_arch_banner(void);
/* The target's guest contract, as data the shared kernel acts on. */
struct bm_guest_contract {
	uint32_t dtb_reg;         /* boot vCPU register for the DTB's address */
	uint64_t down_reset;      /* the SYSTEM_DOWN code that asks for a reboot */
	const char *down_off_name, *down_reset_name, *cpu_off_name; /* for the log */
	enum axvm_fdt_dev_kind uart_kind;          /* the UART a config may give */
	enum axvm_guest_arch dtb_arch;            /* for guest DTBs written here */
};
extern const struct bm_guest_contract bm_guest;
/* The board's DTB, as the firmware or QEMU handed it (0: none). */
uint64_t bm_arch_board_dtb(void);
/* A VM with boot-protocol "linux": its kernel image is at guest
 * `image_gpa`, host `image` (QEMU loaded the file there), inside the
 * linear RAM region [ram_gpa, ram_gpa + ram_size). The boot protocol's
 * header is checked and, if it asks, the image moved to where it wants to
 * be; `*entry_gpa` is then its entry. 0 or a negative AXVM_E*. */
int bm_arch_linux_place(void *image, uint64_t image_gpa, uint64_t ram_gpa, uint64_t ram_size,
			uint64_t *entry_gpa);
/* The kernel wrote guest RAM at [p, p + len) that the guest may read with
 * its MMU and caches off (AArch64: cleaned to the point of coherency). */
void bm_arch_guest_ram_written(void *p, uint64_t len);
/* The target-only devices (AArch64: ACTLR_EL1; riscv64: the SBI console). */
int bm_arch_devs_add(struct bm_vm_devs *d, struct axvm_config *cfg);
/* Console bytes those devices still hold (x86_64: COM1's line) to
 * bm_devs_putc() now; bm_devs_flush() calls it first, so no caller has to
 * know. Must not be called with the VM's console line lock held. Optional:
 * devices.c has a default that holds nothing. */
void bm_arch_devs_flush(struct bm_vm_devs *d);

/* A hypercall of the target's guest ABI (x86_64: docs/guest-abi-x86_64.md's
 * numbers), answered in *ret; false: not one, main.c's table applies.
 * Optional: main.c has a default that answers none. */
bool bm_arch_hypercall(uint64_t nr, const uint64_t args[6], uint64_t *ret);

/* main.c */
void bm_main(void);
void bm_secondary_main(uint64_t id);
/* The host timer went off on this CPU (interrupt context). */
void bm_timer_fired(void);
/* A kick reached this CPU (interrupt context, or a kick to itself). */
void bm_kick_received(void);
/* Called by the HAL's wait, i.e. by a halted vCPU: true if it was told to
 * give the pCPU to a vCPU with work (its run() returns AXVM_EINTR). */
bool bm_halt_yield(void);

#endif
