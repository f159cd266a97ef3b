/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_rv_insn: the RISC-V backend's MMIO instruction decoder (rv_insn.c)
 * fed what a hostile guest controls: the instruction word at its pc (any
 * 32 bits, compressed or not), the htinst value a trap on it leaves (the
 * hart writes it, but from the guest's instruction), its registers and
 * the address it faulted at. Each case goes through rv_insn_decode() and
 * rv_insn_from_htinst(), then rv_insn_check_access() as rv_exit.c calls
 * them.
 *
 * What is checked, besides ASan and UBSan, against the model of the specs
 * in tests/support/rv_insn_model.h (which test_rv_insn_model checks
 * exhaustively where it can and pins to assembler output):
 * - rv_insn_decode: refused (AXVM_EINVAL) exactly when the word is no
 *   RV64I or RV64C integer load or store; else every field: length,
 *   width, load or store, sign extension, register, base and immediate,
 *   not transformed; a NULL output refused;
 * - rv_insn_from_htinst: AXVM_ENOENT for 0, AXVM_EINVAL for the
 *   pseudoinstructions and everything not a transformed integer load or
 *   store, else every field, the length from bit 1, the offset in rs1;
 * - rv_insn_check_access: the start address (always set), and emulate
 *   (aligned, faulted at its start), misaligned (faulted on one of its
 *   bytes) or AXVM_EINVAL (on none of them), with address arithmetic
 *   modulo 2^64.
 *
 * Input: fuzz_rv_insn.h; seeds from gen_rv_insn_seeds.
 */
#include <stdint.h>

#include <axvm/types.h>

#include "fuzz_input.h"
#include "fuzz_rv_insn.h"
#include "rv_insn.h"
#include "rv_insn_model.h"

#define MAX_CASES 4096u

static struct fuzz_input in;
static uint64_t x[32];

static bool same(const struct rv_mmio_insn *d, const struct rvm_insn *m)
{
	return d->len == m->len && d->width == m->width && d->store == m->store &&
	       d->sign_extend == m->sign_extend && d->reg == m->reg &&
	       d->transformed == m->transformed && d->rs1 == m->rs1 && d->imm == m->imm;
}

/* rv_insn_decode against the model; true when both took it. */
static bool decode(uint32_t w, struct rv_mmio_insn *d, struct rvm_insn *m)
{
	bool want = rvm_decode(w, m);
	int rc = rv_insn_decode(w, d);

	CHECK(rc == (want ? 0 : AXVM_EINVAL));
	CHECK(!want || same(d, m));
	CHECK(rv_insn_decode(w, NULL) == AXVM_EINVAL);
	return want;
}

static bool from_htinst(uint64_t v, struct rv_mmio_insn *d, struct rvm_insn *m)
{
	enum rvm_htinst want = rvm_from_htinst(v, m);
	int rc = rv_insn_from_htinst(v, d);

	switch (want) {
	case RVM_HT_DECODED: CHECK(rc == 0 && same(d, m)); break;
	case RVM_HT_NONE: CHECK(rc == AXVM_ENOENT); break;
	case RVM_HT_REFUSED: CHECK(rc == AXVM_EINVAL); break;
	}
	CHECK(rv_insn_from_htinst(v, NULL) == AXVM_EINVAL);
	return want == RVM_HT_DECODED;
}

static void check_access(const struct rv_mmio_insn *d, const struct rvm_insn *m, uint64_t fault)
{
	uint64_t va = ~fault, want_va;
	enum rvm_access want = rvm_check_access(m, x, fault, &want_va);
	int rc = rv_insn_check_access(d, x, fault, &va);

	switch (want) {
	case RVM_EMULATE: CHECK(rc == RV_ACCESS_EMULATE); break;
	case RVM_MISALIGNED: CHECK(rc == RV_ACCESS_MISALIGNED); break;
	case RVM_NOT_IT: CHECK(rc == AXVM_EINVAL); break;
	}
	CHECK(va == want_va);
}

/* One case (fuzz_rv_insn.h). */
static void one_case(void)
{
	uint8_t op = (uint8_t)fuzz_take(&in, 1);
	struct rv_mmio_insn raw_d, ht_d;
	struct rvm_insn raw_m, ht_m;
	uint64_t ht, fault, anchor;
	bool raw_ok, ht_ok;
	uint32_t w;

	if (op & FI_SET_REG) {
		unsigned r = (unsigned)fuzz_take(&in, 1) % 32u;
		uint64_t v = fuzz_take(&in, 8);

		if (r)
			x[r] = v;
	}
	w = (uint32_t)fuzz_take(&in, 4);
	ht = w;
	if (op & FI_HTINST_HI)
		ht |= fuzz_take(&in, 4) << 32;
	raw_ok = decode(w, &raw_d, &raw_m);
	ht_ok = from_htinst(ht, &ht_d, &ht_m);

	anchor = x[1];
	if (!(op & FI_HTINST) && raw_ok)
		anchor = rvm_start(&raw_m, x, 0);
	if (op & FI_NEAR)
		fault = anchor + (uint64_t)(int64_t)(int8_t)fuzz_take(&in, 1);
	else
		fault = fuzz_take(&in, 8);

	if (op & FI_HTINST) {
		if (ht_ok)
			check_access(&ht_d, &ht_m, fault);
	} else if (raw_ok) {
		check_access(&raw_d, &raw_m, fault);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	in = (struct fuzz_input){ data, size };
	x[0] = 0;
	for (unsigned r = 1; r < 32; r++)
		x[r] = FI_REG(r);
	for (unsigned i = 0; i < MAX_CASES && in.n; i++)
		one_case();
	return 0;
}
