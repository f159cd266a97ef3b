/* SPDX-License-Identifier: Apache-2.0 */
/* What every test guest shares, whatever its architecture: console
 * formatting and the check/verdict protocol the integration tests read
 * ("FAIL: ..." lines, then "RESULT <name> PASS|FAIL ..."). */
#ifndef GLIB_H
#define GLIB_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Supplied by the architecture's lib.c. */
void gputc(char c);
_Noreturn void guest_power_off(void);
uint64_t guest_now_us(void); /* the guest's counter (runs while it does not) */
/* Power on vCPU `cpu` at secondary_main(arg): PSCI CPU_ON / SBI hart_start;
 * 0 or the firmware's error. */
int64_t guest_cpu_on(uint64_t cpu, uint64_t arg);

void delay_us(uint64_t us); /* busy: no exits */

void gputs(const char *s);
/* %[0][width][l](d|u|x|s|c) */
void gprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* checks: each prints on failure; done() prints the verdict and powers off */
void check(bool ok, const char *what);
void check_eq(uint64_t got, uint64_t want, const char *what);
_Noreturn void done(const char *name);

#endif
