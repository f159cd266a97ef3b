/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_devices: guest register accesses as a backend reports them (exits
 * of the scripted mock backend), through the core's run loop and buses,
 * into the register-level device models: the PL011, a 16550A on MMIO and
 * one on ports (line mode or not), the test device with a fuzzed layout,
 * both ends of an inter-VM channel, and the RISC-V backend's PLIC model.
 * Host calls (received bytes, rings, raises, flushes) come in between as
 * hypercalls; the script then runs a second time after a VM reset, and
 * the VM is destroyed. Exit fields are hostile too: widths that are no
 * width, addresses that wrap, results for registers the backend lacks.
 *
 * What is checked, besides ASan and UBSan:
 * - the channel and the PLIC against models of their documented register
 *   interfaces kept here (every access the core hands them, every host
 *   call, the reset), and every interrupt level against its registers;
 * - the test device's scratch and read-only bytes against a copy;
 * - the core hands a device only accesses inside its window, of a width
 *   and alignment its descriptor allows;
 * - levels only change (no callback repeats a level), a line-mode line is
 *   never empty or longer than its buffer;
 * - no allocation outlives the VM.
 *
 * Input: byte 0 the set-up (see setup_from()), then operations, each an
 * opcode byte and its operands (see script_from()).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <axvm/axvm.h>
#include <axvm/ivc.h>
#include <axvm/testdev.h>
#include <axvm/uart.h>

#include "fuzz_devices.h"
#include "fuzz_input.h"
#include "rv_plic.h"
#include "test_env.h"

#define MAX_EXITS 2048u
#define LINE_BUF 64u

static const uint64_t dev_base[FD_NDEV] = {
	[FD_PL011] = 0x9000000, [FD_NS_MMIO] = 0x9001000, [FD_NS_PIO] = 0x3f8,
	[FD_TESTDEV] = 0x9002000, [FD_IVC0] = 0x9003000, [FD_IVC1] = 0x9004000,
	[FD_PLIC] = 0xc000000, [FD_NONE] = 0x9005000,
};

/* The PLIC as its register interface is documented (rv_plic.h and the
 * PLIC spec): only aligned 32-bit accesses act. */
struct plic_model {
	uint32_t nctx, pending, claimed;
	uint8_t prio[RV_PLIC_SOURCES];
	uint32_t enable[RV_PLIC_MAX_CTX];
	uint8_t threshold[RV_PLIC_MAX_CTX];
};

struct run {
	struct test_env env;
	long live_before;
	struct axvm_exit exits[MAX_EXITS];
	size_t nexits;

	struct axvm_pl011 pl011;
	struct axvm_ns16550 ns[2]; /* FD_NS_MMIO, FD_NS_PIO */
	uint8_t line[2][LINE_BUF];
	uint32_t line_size;
	struct axvm_testdev td;
	uint8_t td_ro[AXVM_TESTDEV_RO_MAX], td_scratch[AXVM_TESTDEV_SCRATCH_MAX];
	struct axvm_testdev_layout td_layout;
	bool td_ok;
	struct axvm_device_desc inner[FD_NDEV]; /* the models' own descriptors */

	struct axvm_ivc_end ivc[2];
	uint32_t ivc_pending[2], ivc_enable[2];
	struct rv_plic plic;
	struct plic_model pm;
	bool level[FD_NDEV];
};

static struct run R; /* one input at a time; too big for the stack */

/* --- host callbacks ---------------------------------------------------------- */

static void on_level(enum fd_dev d, bool level)
{
	CHECK(level != R.level[d]); /* a callback means a change */
	R.level[d] = level;
}
static void irq_pl011(void *a, bool l) { (void)a; on_level(FD_PL011, l); }
static void irq_ns_mmio(void *a, bool l) { (void)a; on_level(FD_NS_MMIO, l); }
static void irq_ns_pio(void *a, bool l) { (void)a; on_level(FD_NS_PIO, l); }
static void irq_ivc0(void *a, bool l) { (void)a; on_level(FD_IVC0, l); }
static void irq_ivc1(void *a, bool l) { (void)a; on_level(FD_IVC1, l); }

static void tx(void *a, uint8_t byte)
{
	(void)a;
	(void)byte;
}

static void tx_line(void *a, const uint8_t *bytes, uint32_t n)
{
	volatile uint8_t sink = 0;

	(void)a;
	CHECK(n > 0 && n <= R.line_size);
	for (uint32_t i = 0; i < n; i++) /* ASan checks every byte handed over */
		sink ^= bytes[i];
	(void)sink;
}

/* --- what the core hands every device ------------------------------------------ */

/* Inside the window, of an allowed width, aligned where asked. */
static void check_access(enum fd_dev d, uint64_t off, unsigned width)
{
	const struct axvm_device_desc *in = &R.inner[d];
	uint8_t widths = in->widths ? in->widths : AXVM_WIDTH_ANY;

	CHECK(width == 1 || width == 2 || width == 4 || width == 8);
	CHECK(widths & width); /* AXVM_WIDTH_n is bit log2(n): 1, 2, 4, 8 */
	CHECK(off < in->size && in->size - off >= width);
	CHECK(!in->naturally_aligned || !(off & (width - 1)));
}

/* --- the channel's model ----------------------------------------------------- */

static void ivc_check_level(unsigned e)
{
	CHECK(R.level[FD_IVC0 + e] == ((R.ivc_pending[e] & R.ivc_enable[e]) != 0));
}

static int ivc_read(void *ctx, uint64_t off, unsigned width, uint64_t *val)
{
	unsigned e = (unsigned)(uintptr_t)ctx;
	const uint64_t shm = 0x40000000ull + 0x100000ull * e;
	uint64_t want;
	int rc;

	check_access(FD_IVC0 + e, off, width);
	rc = R.inner[FD_IVC0 + e].ops->read(&R.ivc[e], off, width, val);

	switch (off) {
	case AXVM_IVC_MAGIC: want = AXVM_IVC_MAGIC_VALUE; break;
	case AXVM_IVC_VERSION: want = 1; break;
	case AXVM_IVC_CHANNEL: want = 7; break;
	case AXVM_IVC_END: want = e; break;
	case AXVM_IVC_SHM_LO: want = (uint32_t)shm; break;
	case AXVM_IVC_SHM_HI: want = shm >> 32; break;
	case AXVM_IVC_SIZE_LO: want = 0x10000; break;
	case AXVM_IVC_SIZE_HI: want = 0; break;
	case AXVM_IVC_PENDING: want = R.ivc_pending[e]; break;
	case AXVM_IVC_IRQ_ENABLE: want = R.ivc_enable[e]; break;
	case AXVM_IVC_STATUS: want = AXVM_IVC_STATUS_PEER; break;
	default:
		CHECK(rc != 0); /* write-only or unassigned */
		return rc;
	}
	CHECK(rc == 0 && *val == want);
	return rc;
}

static int ivc_write(void *ctx, uint64_t off, unsigned width, uint64_t val)
{
	unsigned e = (unsigned)(uintptr_t)ctx;
	uint32_t v = (uint32_t)val;
	int rc;

	check_access(FD_IVC0 + e, off, width);
	rc = R.inner[FD_IVC0 + e].ops->write(&R.ivc[e], off, width, val);

	switch (off) {
	case AXVM_IVC_DOORBELL: R.ivc_pending[!e] |= v; break;
	case AXVM_IVC_ACK: R.ivc_pending[e] &= ~v; break;
	case AXVM_IVC_IRQ_ENABLE: R.ivc_enable[e] = v; break;
	default:
		CHECK(rc != 0); /* read-only or unassigned */
		return rc;
	}
	CHECK(rc == 0);
	ivc_check_level(0);
	ivc_check_level(1);
	return rc;
}

static void ivc_reset(void *ctx)
{
	unsigned e = (unsigned)(uintptr_t)ctx;

	R.inner[FD_IVC0 + e].ops->reset(&R.ivc[e]);
	R.ivc_pending[e] = R.ivc_enable[e] = 0;
	ivc_check_level(e);
}

static void ivc_destroy(void *ctx)
{
	unsigned e = (unsigned)(uintptr_t)ctx;

	R.inner[FD_IVC0 + e].ops->destroy(&R.ivc[e]);
}

static const struct axvm_device_ops ivc_ops = { ivc_read, ivc_write, ivc_reset, ivc_destroy };

/* --- the PLIC's model ----------------------------------------------------------- */

#define PLIC_PENDING 0x1000u
#define PLIC_ENABLE(c) (0x2000u + 0x80u * (c))
#define PLIC_THRESHOLD(c) (0x200000u + 0x1000u * (c))
#define PLIC_CLAIM(c) (PLIC_THRESHOLD(c) + 4u)

/* Highest priority above the threshold among pending, unclaimed, enabled
 * sources; the lowest id among equals; 0 for none. */
static uint32_t pm_best(const struct plic_model *m, uint32_t c)
{
	uint32_t src = 0, top = m->threshold[c];

	for (uint32_t s = 1; s < RV_PLIC_SOURCES; s++)
		if ((m->pending & ~m->claimed & m->enable[c]) >> s & 1u && m->prio[s] > top) {
			top = m->prio[s];
			src = s;
		}
	return src;
}

/* The context whose register `reg` of a block at `base` with `stride` is
 * at `off`, or -1. */
static int64_t pm_ctx(const struct plic_model *m, uint64_t off, uint64_t base,
		      uint64_t stride, uint64_t reg)
{
	if (off < base || (off - base) % stride != reg || (off - base) / stride >= m->nctx)
		return -1;
	return (int64_t)((off - base) / stride);
}

static uint32_t pm_read(struct plic_model *m, uint64_t off)
{
	int64_t c;
	uint32_t s;

	if (off < 4u * RV_PLIC_SOURCES)
		return m->prio[off / 4];
	if (off == PLIC_PENDING)
		return m->pending;
	if (off < PLIC_THRESHOLD(0))
		return (c = pm_ctx(m, off, PLIC_ENABLE(0), 0x80, 0)) >= 0 ? m->enable[c] : 0;
	if ((c = pm_ctx(m, off, PLIC_THRESHOLD(0), 0x1000, 0)) >= 0)
		return m->threshold[c];
	if ((c = pm_ctx(m, off, PLIC_THRESHOLD(0), 0x1000, 4)) < 0)
		return 0;
	if ((s = pm_best(m, (uint32_t)c))) {
		m->pending &= ~(1u << s);
		m->claimed |= 1u << s;
	}
	return s;
}

static void pm_write(struct plic_model *m, uint64_t off, uint32_t v)
{
	int64_t c;

	if (off >= 4 && off < 4u * RV_PLIC_SOURCES)
		m->prio[off / 4] = v & 7u;
	else if (off < PLIC_THRESHOLD(0)) {
		if ((c = pm_ctx(m, off, PLIC_ENABLE(0), 0x80, 0)) >= 0)
			m->enable[c] = v & ~1u; /* source 0 does not exist */
	} else if ((c = pm_ctx(m, off, PLIC_THRESHOLD(0), 0x1000, 0)) >= 0)
		m->threshold[c] = v & 7u;
	else if ((c = pm_ctx(m, off, PLIC_THRESHOLD(0), 0x1000, 4)) >= 0 &&
		 v < RV_PLIC_SOURCES && (m->enable[c] >> v & 1u))
		m->claimed &= ~(1u << v); /* completion, by a context that enabled it */
}

static void plic_check(void)
{
	for (uint32_t c = 0; c < RV_PLIC_MAX_CTX + 1; c++)
		CHECK(rv_plic_pending(&R.plic, c) == (c < R.pm.nctx && pm_best(&R.pm, c) != 0));
}

/* The RISC-V backend serves the PLIC window in place (rv_exit.c): any
 * width, any alignment, the model ignoring what it does not take. */
static int plic_read(void *ctx, uint64_t off, unsigned width, uint64_t *val)
{
	uint32_t want = 0;

	(void)ctx;
	check_access(FD_PLIC, off, width);
	if (width == 4 && !(off & 3))
		want = pm_read(&R.pm, off);
	CHECK(rv_plic_read(&R.plic, off, width, val) == 0 && *val == want);
	plic_check();
	return 0;
}

static int plic_write(void *ctx, uint64_t off, unsigned width, uint64_t val)
{
	(void)ctx;
	check_access(FD_PLIC, off, width);
	if (width == 4 && !(off & 3))
		pm_write(&R.pm, off, (uint32_t)val);
	CHECK(rv_plic_write(&R.plic, off, width, val) == 0);
	plic_check();
	return 0;
}

static void plic_reset(void *ctx)
{
	uint32_t nctx = R.pm.nctx;

	(void)ctx;
	rv_plic_init(&R.plic, nctx);
	memset(&R.pm, 0, sizeof(R.pm));
	R.pm.nctx = nctx;
}

static const struct axvm_device_ops plic_ops = { plic_read, plic_write, plic_reset, NULL };

/* --- the test device --------------------------------------------------------- */

static bool td_inside(uint64_t off, unsigned width, uint32_t start, uint32_t len)
{
	return off >= start && off + width <= (uint64_t)start + len;
}

static int td_read(void *ctx, uint64_t off, unsigned width, uint64_t *val)
{
	const struct axvm_testdev_layout *l = &R.td_layout;
	uint64_t want = 0;
	int rc;

	(void)ctx;
	check_access(FD_TESTDEV, off, width);
	rc = R.inner[FD_TESTDEV].ops->read(&R.td, off, width, val);
	if (td_inside(off, width, 0, l->scratch_len)) {
		memcpy(&want, R.td_scratch + off, width);
		CHECK(rc == 0 && *val == want);
	} else if (td_inside(off, width, l->ro_off, l->ro_len)) {
		memcpy(&want, R.td_ro + (off - l->ro_off), width);
		CHECK(rc == 0 && *val == want);
	}
	return rc;
}

static int td_write(void *ctx, uint64_t off, unsigned width, uint64_t val)
{
	int rc;

	(void)ctx;
	check_access(FD_TESTDEV, off, width);
	rc = R.inner[FD_TESTDEV].ops->write(&R.td, off, width, val);
	if (td_inside(off, width, 0, R.td_layout.scratch_len)) {
		CHECK(rc == 0);
		memcpy(R.td_scratch + off, &val, width); /* little-endian host */
	}
	return rc;
}

static void td_reset(void *ctx)
{
	(void)ctx;
	R.inner[FD_TESTDEV].ops->reset(&R.td);
	memset(R.td_scratch, 0, sizeof(R.td_scratch));
}

static const struct axvm_device_ops td_ops = { td_read, td_write, td_reset, NULL };

/* The UARTs keep their own descriptors' rules: checked, then passed on. */
static int uart_read(void *ctx, uint64_t off, unsigned width, uint64_t *val)
{
	enum fd_dev d = (enum fd_dev)(uintptr_t)ctx;

	check_access(d, off, width);
	return R.inner[d].ops->read(R.inner[d].ctx, off, width, val);
}

static int uart_write(void *ctx, uint64_t off, unsigned width, uint64_t val)
{
	enum fd_dev d = (enum fd_dev)(uintptr_t)ctx;

	check_access(d, off, width);
	return R.inner[d].ops->write(R.inner[d].ctx, off, width, val);
}

static void uart_reset(void *ctx)
{
	enum fd_dev d = (enum fd_dev)(uintptr_t)ctx;

	R.inner[d].ops->reset(R.inner[d].ctx);
}

static const struct axvm_device_ops uart_ops = { uart_read, uart_write, uart_reset, NULL };

/* --- host calls, as hypercalls ----------------------------------------------- */

static void check_all(void)
{
	uint64_t mis = 0;

	ivc_check_level(0);
	ivc_check_level(1);
	CHECK(R.inner[FD_PL011].ops->read(&R.pl011, 0x40, 4, &mis) == 0); /* UARTMIS */
	CHECK(R.level[FD_PL011] == (mis != 0));
	plic_check();
}

static int host_call(void *ctx, struct axvm_vcpu *vcpu, uint64_t nr, const uint64_t args[6],
		     uint64_t *ret)
{
	uint8_t byte = (uint8_t)args[0];
	uint32_t bits = (uint32_t)args[0];
	unsigned e;

	(void)ctx;
	(void)vcpu;
	switch (nr) {
	case FD_PL011:
		(void)axvm_pl011_rx(&R.pl011, byte);
		break;
	case FD_NS_MMIO:
	case FD_NS_PIO:
		(void)axvm_ns16550_rx(&R.ns[nr - FD_NS_MMIO], byte);
		break;
	case FD_TESTDEV:
		CHECK(axvm_ns16550_flush(&R.ns[0]) == 0 && axvm_ns16550_flush(&R.ns[1]) == 0);
		break;
	case FD_IVC0:
	case FD_IVC1:
		e = (unsigned)(nr - FD_IVC0);
		CHECK(axvm_ivc_ring(&R.ivc[e], bits) == 0);
		R.ivc_pending[!e] |= bits;
		break;
	case FD_PLIC:
		CHECK(rv_plic_raise(&R.plic, byte) == (byte && byte < RV_PLIC_SOURCES ? 0 : AXVM_EINVAL));
		if (byte && byte < RV_PLIC_SOURCES)
			R.pm.pending |= 1u << byte;
		break;
	default:
		break;
	}
	check_all();
	*ret = 0;
	return 0;
}

/* --- the input --------------------------------------------------------------- */

static struct fuzz_input in;

static enum axvm_bus dev_bus(enum fd_dev d)
{
	return d == FD_NS_PIO ? AXVM_BUS_PIO : AXVM_BUS_MMIO;
}

/* A device offset from two input bytes. Bit 15 set: any offset of the
 * window and 16 bytes past it (the first 32 KiB of the PLIC's). Clear: a
 * register, so that a protocol's steps meet: the n-th of the device's
 * (a 16550A's stride is its register shift), or for the PLIC a priority,
 * the pending word, an enable word or a threshold or claim register of
 * a context, including the first one past the last. */
static uint64_t offset_from(enum fd_dev d, uint16_t o)
{
	uint64_t span = (d == FD_NONE ? 0x1000 : R.inner[d].size) + 16, n = o & 0x7fffu, k;

	if (o & FD_OFF_RAW)
		return n % span;
	switch (d) {
	case FD_NS_MMIO:
	case FD_NS_PIO:
		return (n % 8) * (R.inner[d].size / 8);
	case FD_PLIC:
		k = (n >> 2) & 127u; /* a source or a context, see FD_PLIC_* */
		switch (n % 4) {
		case 0: return 4 * (k % RV_PLIC_SOURCES);
		case 1: return PLIC_PENDING + 4 * (k % 2);
		case 2: return PLIC_ENABLE(k % (RV_PLIC_MAX_CTX + 1)) + 4 * (n >> 12 & 1);
		default: return PLIC_THRESHOLD(k % (RV_PLIC_MAX_CTX + 1)) + 4 * (n >> 12 & 1);
		}
	case FD_TESTDEV:
		return 8 * (n % (span / 8));
	default:
		return 4 * (n % 20); /* the channel's 13, the PL011's up to DMACR */
	}
}

/* Byte 0: bit 0 the STOP policy, bits 1-2 the 16550As' register shift
 * (3 is 0), bit 3 line mode with a buffer of 1 + byte 1 % LINE_BUF bytes;
 * byte 2: the PLIC's contexts (0..RV_PLIC_MAX_CTX); bytes 3-6: the test
 * device's layout (scratch length, read-only offset and length, the
 * read-only bytes from the input). A layout the device refuses leaves it
 * out of the VM. */
static void setup_from(struct axvm_config *cfg)
{
	uint8_t flags = (uint8_t)fuzz_take(&in, 1), line = (uint8_t)fuzz_take(&in, 1);
	unsigned shift = (flags >> 1) & 3u;
	struct axvm_uart_host h = { .tx = tx };

	axvm_config_init(cfg, 1);
	axvm_config_set_vcpus(cfg, 1);
	cfg->unhandled_policy = (flags & 1) ? AXVM_POLICY_STOP : AXVM_POLICY_IGNORE;

	h.irq = irq_pl011;
	CHECK(axvm_pl011_init(&R.pl011, &h) == 0);
	CHECK(axvm_pl011_desc(&R.pl011, dev_base[FD_PL011], &R.inner[FD_PL011]) == 0);
	R.line_size = 1u + line % LINE_BUF;
	for (unsigned i = 0; i < 2; i++) {
		h = (struct axvm_uart_host){ .tx = tx, .irq = i ? irq_ns_pio : irq_ns_mmio };
		if (flags & 8) {
			h = (struct axvm_uart_host){ .irq = h.irq, .line = R.line[i],
						     .line_size = R.line_size, .tx_line = tx_line };
		}
		CHECK(axvm_ns16550_init(&R.ns[i], &h, i ? 0 : (shift == 3 ? 0 : shift)) == 0);
	}
	CHECK(axvm_ns16550_desc(&R.ns[0], dev_base[FD_NS_MMIO], &R.inner[FD_NS_MMIO]) == 0);
	CHECK(axvm_ns16550_desc_bus(&R.ns[1], AXVM_BUS_PIO, dev_base[FD_NS_PIO], &R.inner[FD_NS_PIO]) == 0);

	R.pm.nctx = (uint32_t)fuzz_take(&in, 1) % (RV_PLIC_MAX_CTX + 1);
	rv_plic_init(&R.plic, R.pm.nctx);

	R.td_layout = (struct axvm_testdev_layout){
		.scratch_len = (uint32_t)fuzz_take(&in, 2) % (AXVM_TESTDEV_SCRATCH_MAX + 2),
		.ro_off = (uint32_t)fuzz_take(&in, 2) % (AXVM_TESTDEV_COUNTER + 8),
		.ro_len = (uint32_t)fuzz_take(&in, 1) % (AXVM_TESTDEV_RO_MAX + 2),
		.ro = R.td_ro,
	};
	for (unsigned i = 0; i < AXVM_TESTDEV_RO_MAX; i++)
		R.td_ro[i] = (uint8_t)(0x5a + 13 * i);
	R.td_ok = axvm_testdev_init(&R.td, &R.td_layout) == 0;
	if (R.td_ok)
		CHECK(axvm_testdev_desc(&R.td, dev_base[FD_TESTDEV], &R.inner[FD_TESTDEV]) == 0);

	for (unsigned e = 0; e < 2; e++) {
		struct axvm_ivc_host ih = { .irq = e ? irq_ivc1 : irq_ivc0 };
		CHECK(axvm_ivc_init(&R.ivc[e], &ih, 7, e, 0x40000000ull + 0x100000ull * e,
				    0x10000) == 0);
	}
	CHECK(axvm_ivc_connect(&R.ivc[0], &R.ivc[1]) == 0);
	for (unsigned e = 0; e < 2; e++)
		CHECK(axvm_ivc_desc(&R.ivc[e], dev_base[FD_IVC0 + e], &R.inner[FD_IVC0 + e]) == 0);
	R.inner[FD_PLIC] = (struct axvm_device_desc){ .bus = AXVM_BUS_MMIO, .base = dev_base[FD_PLIC],
						   .size = RV_PLIC_SIZE };
}

/* The VM's descriptors: each model's own rules, the harness's ops. */
static void add_devices(struct axvm_vm *vm)
{
	for (enum fd_dev d = FD_PL011; d < FD_NONE; d++) {
		struct axvm_device_desc w = R.inner[d];

		if (d == FD_TESTDEV && !R.td_ok)
			continue;
		w.ops = d == FD_TESTDEV ? &td_ops : d == FD_PLIC ? &plic_ops :
			(d == FD_IVC0 || d == FD_IVC1) ? &ivc_ops : &uart_ops;
		w.ctx = (d == FD_IVC0 || d == FD_IVC1) ? (void *)(uintptr_t)(d - FD_IVC0) :
			(void *)(uintptr_t)d;
		CHECK(axvm_vm_add_device(vm, &w) == 0);
	}
}

/* Each operation: an opcode byte, bits 0-2 the kind, 3-5 the device, 6-7
 * log2 of the width.
 * - 0, 4, 6: a read of the device: offset:2 (see offset_from()),
 *   then reg:1 (bits 0-4 the register, 31 only if bit 5 is also set; bit 6
 *   sign extension; bit 7 a 64-bit destination, else the access's width);
 * - 1, 5, 7: a write: offset:2 value:8 (truncated to the width);
 * - 2: any exit on the device's bus: addr:8 width:1 value:8, a read when
 *   the device number is odd (register 1, reg_width as width);
 * - 3: a host call, the device number its kind: arg:4. */
static void script_from(void)
{
	while (in.n && R.nexits < MAX_EXITS) {
		uint8_t op = (uint8_t)fuzz_take(&in, 1), kind = op & 7u;
		enum fd_dev d = (enum fd_dev)((op >> 3) & 7u);
		uint8_t width = (uint8_t)(1u << (op >> 6));
		bool pio = dev_bus(d) == AXVM_BUS_PIO;
		struct axvm_exit *x = &R.exits[R.nexits++];

		if (kind == FD_HOST) {
			*x = (struct axvm_exit){ .kind = AXVM_EXIT_HYPERCALL,
						 .u.hypercall = { .nr = d, .ret_reg = AXVM_REG_NONE } };
			x->u.hypercall.args[0] = fuzz_take(&in, 4);
		} else if (kind == FD_RAW) {
			uint64_t addr = fuzz_take(&in, 8);
			uint8_t w = (uint8_t)fuzz_take(&in, 1);
			if (d & 1) {
				*x = (struct axvm_exit){ .kind = pio ? AXVM_EXIT_IO_READ :
								 AXVM_EXIT_MMIO_READ,
							 .u.read = { .addr = addr, .width = w,
								     .reg_width = w, .reg = 1 } };
				fuzz_take(&in, 8);
			} else {
				*x = (struct axvm_exit){ .kind = pio ? AXVM_EXIT_IO_WRITE :
								 AXVM_EXIT_MMIO_WRITE,
							 .u.write = { .addr = addr, .width = w,
								      .data = fuzz_take(&in, 8) } };
			}
		} else if (kind & 1) {
			uint64_t addr = dev_base[d] + offset_from(d, (uint16_t)fuzz_take(&in, 2)), v = fuzz_take(&in, 8);
			if (width < 8)
				v &= (1ull << (8 * width)) - 1;
			*x = (struct axvm_exit){ .kind = pio ? AXVM_EXIT_IO_WRITE : AXVM_EXIT_MMIO_WRITE,
						 .u.write = { .addr = addr, .width = width, .data = v } };
		} else {
			uint64_t addr = dev_base[d] + offset_from(d, (uint16_t)fuzz_take(&in, 2));
			uint8_t r = (uint8_t)fuzz_take(&in, 1), reg = r & 31u;
			if (reg == AXVM_MOCK_BAD_REG && !(r & 32u))
				reg = 30;
			*x = (struct axvm_exit){ .kind = pio ? AXVM_EXIT_IO_READ : AXVM_EXIT_MMIO_READ,
						 .u.read = { .addr = addr, .width = width,
							     .reg_width = (r & 128u) ? 8 : width,
							     .sign_extend = r & 64u, .reg = reg } };
		}
	}
}

static void run_once(struct axvm_vm *vm, struct axvm_vcpu *v)
{
	struct axvm_exit ex;
	int rc;

	CHECK(axvm_vm_boot(vm) == 0);
	do
		rc = axvm_vcpu_run(v, &ex);
	while (rc == 0 || rc == AXVM_EINTR); /* an exit handed back: go on */
	check_all();
	(void)axvm_vm_shutdown(vm);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool env_ok;
	struct axvm_config cfg;
	struct axvm_vm *vm;
	struct axvm_vcpu *v;
	struct axvm_vm_callbacks cb = { .hypercall = host_call };

	if (!env_ok) {
		CHECK(test_env_init(&R.env) == 0);
		env_ok = true;
	}
	memset((char *)&R + sizeof(R.env), 0, sizeof(R) - sizeof(R.env));
	R.live_before = atomic_load(&R.env.fh.live);
	in = (struct fuzz_input){ data, size };
	setup_from(&cfg);
	script_from();
	R.env.mock.scripts[0] = (struct axvm_mock_script){ .exits = R.exits, .count = R.nexits };

	CHECK(axvm_vm_create(R.env.host, &cfg, &vm, NULL) == 0);
	add_devices(vm);
	CHECK(axvm_vm_set_callbacks(vm, &cb) == 0);
	CHECK(axvm_vm_vcpu(vm, 0, &v) == 0);
	run_once(vm, v);
	/* Again from reset: every model back to its power-on state. */
	CHECK(axvm_vm_reset(vm) == 0);
	check_all();
	run_once(vm, v);
	axvm_vcpu_put(v);
	axvm_vm_put(vm);
	CHECK(atomic_load(&R.env.fh.live) == R.live_before);
	return 0;
}
