/* SPDX-License-Identifier: Apache-2.0 */
/* The emulated local APIC of one vCPU (svm_lapic.c): its registers as the
 * xAPIC page and the x2APIC MSRs reach them, fixed interrupts by priority,
 * the ICR's IPIs, INIT and SIPI, and the timer. */
#ifndef AXVM_SVM_LAPIC_H
#define AXVM_SVM_LAPIC_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <axvm/exit.h>

struct svm_vcpu;

struct svm_lapic {
	/* Set by any thread (IPIs, injection); the rest only by the vCPU's. */
	_Atomic uint32_t irr[8];
	uint32_t isr[8];
	uint64_t base;          /* IA32_APIC_BASE as the guest reads it */
	uint32_t tpr, ldr, dfr, icr_lo, icr_hi;
	_Atomic uint32_t svr;   /* read by IPI senders (svm_lapic_raise) */
	uint32_t esr, esr_next;  /* visible; latched into it by an ESR write */
	uint32_t lvt[7];        /* CMCI, timer, thermal, perf, LINT0, LINT1, error */
	uint32_t tmr_init, tmr_div;
	uint64_t deadline;      /* HAL ns of the next expiry; 0: not counting */
	uint64_t period;        /* ns of one count-down */
	uint64_t lend;          /* run(): the deadline the port's timer is lent for */
};

/* Power-on state (also INIT's): xAPIC mode at 0xfee00000, software
 * disabled, every LVT masked, the timer stopped. */
void svm_lapic_reset(struct svm_vcpu *v);
/* RDMSR/WRMSR of `msr` if the APIC (or EFER) owns it: 1 with *exit filled
 * (the instruction is done), 0 when the MSR is not the APIC's. */
int svm_lapic_msr(struct svm_vcpu *v, uint32_t msr, bool write, struct axvm_exit *exit);
/* True if `gpa` is this vCPU's xAPIC page (xAPIC mode only). */
bool svm_lapic_is_mmio(const struct svm_vcpu *v, uint64_t gpa);
/* A decoded access to the xAPIC page: `reg` (an AXVM_X86_REG_PART id) gets
 * a read's value; `data` is a write's. Fills *exit; always 0. */
int svm_lapic_mmio(struct svm_vcpu *v, uint64_t off, bool write, uint64_t data, uint32_t reg,
		   struct axvm_exit *exit);
/* Make fixed vector `vec` pending (any thread); AXVM_EINVAL for 0..15. */
int svm_lapic_raise(struct svm_vcpu *v, uint32_t vec);
/* The timer at HAL time `now`: an expiry raises its vector, periodic
 * timers count down again. */
void svm_lapic_tick(struct svm_vcpu *v, uint64_t now);
/* The highest pending vector the processor priority lets through, or -1;
 * svm_lapic_accept() moves it from IRR to ISR as the CPU takes it. */
int svm_lapic_pending(const struct svm_vcpu *v);
void svm_lapic_accept(struct svm_vcpu *v, unsigned vec);
/* HAL time of the timer's next interrupt, 0 for none. */
uint64_t svm_lapic_deadline(const struct svm_vcpu *v);

#endif /* AXVM_SVM_LAPIC_H */
