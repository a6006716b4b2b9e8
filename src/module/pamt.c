/* SPDX-License-Identifier: MIT */
/*
 * PAMT lookups and lock walks (reference §1.6, §6).
 *
 * Explicit walk (PAMT-X, check_and_lock_explicit_private_hpa):
 *   1. HPA aligned, HKID bits 0, below MAX_PA        -> TDX_OPERAND_INVALID|op
 *   2. pamt_get_block                                 -> TDX_OPERAND_ADDR_RANGE_ERROR|op
 *   3. 1G entry shared; a PT_REG leaf or a 1G target stops here (promote if ex);
 *      else 2M shared with the same rule; else the 4K entry in the wanted mode
 *   4. leaf size == wanted size                        -> TDX_PAGE_METADATA_INCORRECT|op
 *   5. page type is one of the expected ones           -> TDX_PAGE_METADATA_INCORRECT|op
 * Implicit (PAMT-I, pamt_implicit_get_and_lock): only the leaf entry, host mode;
 * the module halts if the page is PT_NDA or PT_RSVD.
 *
 * x->sub is the next operation: 1 = 1G shared, 2 = 2M shared, 3 = 4K leaf,
 * 4 = promote 1G, 5 = promote 2M, 6/7/8 = implicit leaf at 4K/2M/1G.
 */
#include "module/pamt.h"
#include "module/interp.h"
#include "module/sept_walk.h"

enum { OP_1G = 1, OP_2M, OP_4K, OP_PROMOTE_1G, OP_PROMOTE_2M, OP_IMPLICIT_4K, OP_IMPLICIT_2M,
       OP_IMPLICIT_1G };

int pamt_get_block(struct tdxsim_mod *m, uint64_t hpa)
{
	for (unsigned i = 0; i < m->lay.n_tdmrs; i++) {
		struct tdmr_entry *t = mod_tdmr(m, i);
		if (hpa < t->base || hpa >= t->base + t->size)
			continue;
		uint64_t last = atomic_load_explicit(&t->last_initialized, memory_order_acquire);
		/* §6: usable below last_initialized rounded down to 1 GB.  Emulator rule:
		 * a completely initialized TDMR is usable in full, so that TDMRs smaller
		 * than 1 GB (small worlds) work (docs/api.md). */
		uint64_t limit = last >= t->base + t->size ? t->base + t->size : (last & ~((1ull << 30) - 1));
		return hpa < limit ? (int)i : -1;
	}
	return -1;
}

struct pamt_entry *pamt_entry_of(struct tdxsim_mod *m, uint32_t frame, enum pamt_level lvl)
{
	uint64_t rel = (uint64_t)frame << 12;
	switch (lvl) {
	case PAMT_1G: return mod_pamt(m, PAMT_1G, (uint32_t)(rel >> 30));
	case PAMT_2M: return mod_pamt(m, PAMT_2M, (uint32_t)(rel >> 21));
	case PAMT_4K: break;
	}
	return mod_pamt(m, PAMT_4K, frame);
}

static uint8_t want_of(const struct tdxsim_leaf_exec *x, const struct tdxsim_step *st)
{
	switch (st->size) {
	case TDXSIM_PSIZE_4K: return PAMT_4K;
	case TDXSIM_PSIZE_2M: return PAMT_2M;
	case TDXSIM_PSIZE_1G: return PAMT_1G;
	case TDXSIM_PSIZE_FROM_LEVEL: return x->level <= SEPT_LVL_PDPT ? x->level : PAMT_1G;
	case TDXSIM_PSIZE_EXISTING: return 0xFF;
	}
	return PAMT_4K;
}

/* The HPA a register names.  Two leaves carry flags in the same register:
 * SEPT.ADD's RDX bit 0 is allow_existing (§3), and VP.ENTER's RCX has flags
 * above the physical address (host_recoverability_hint in bit 52, §1.7). */
static uint64_t reg_hpa(struct tdxsim_mod *m, const struct tdxsim_leaf_exec *x,
			const struct tdxsim_step *st)
{
	uint64_t v = x->regs.r[st->reg];
	unsigned number = m->table->leaves[x->leaf].number;
	if (x->side == TDXSIM_SIDE_HOST && number == 3 && st->reg == OPERAND_ID_RDX)
		v &= ~1ull;
	if (x->side == TDXSIM_SIDE_HOST && number == 0 && st->reg == OPERAND_ID_RCX)
		v &= (1ull << m->lay.pa_bits) - 1;
	return v;
}

static uint32_t operand_of(const struct tdxsim_mod *m, const struct tdxsim_step *st)
{
	const struct tdxsim_resource *r = &m->table->res[st->res];
	if (st->busy_operand >= 0)
		return (uint32_t)st->busy_operand;
	if (r->busy == TDXSIM_BUSY_OPERAND)
		return r->busy_operand;
	return st->reg >= 0 ? (uint32_t)st->reg : 0;
}

/* An implicit lock via the SEPT leaf taken on a non-leaf entry: PROMOTE's
 * pamt_promote, a host exclusive acquire of the large range's entry, which is not
 * yet PT_REG (its 512 smaller entries are) and is not type-checked. */
static bool promote_range(const struct tdxsim_leaf_exec *x, const struct tdxsim_step *st)
{
	return st->via == TDXSIM_VIA_SEPT_LEAF && !(x->entry & SEPT_PS) && x->walk_level > SEPT_LVL_PT;
}

static uint32_t implicit_frame(struct tdxsim_mod *m, struct tdxsim_leaf_exec *x,
			       const struct tdxsim_step *st, uint8_t *want)
{
	switch (st->via) {
	case TDXSIM_VIA_TDVPR_OWNER: {
		if (x->vc == UINT32_MAX)
			mod_fatal(m, x, "TDR via TDVPR owner before the TDVPR lock");
		struct pamt_entry *p = mod_pamt(m, PAMT_4K, mod_vcpu(m, x->vc)->tdvpr_frame);
		*want = PAMT_4K;
		return mod_frame_of(m, pamt_owner(p) << 12);
	}
	case TDXSIM_VIA_PAGE_OWNER: {
		if (x->nframe == 0)
			mod_fatal(m, x, "owner TDR before the page lock");
		struct pamt_entry *p = pamt_entry_of(m, x->frame[0], (enum pamt_level)x->pamt_leaf_level);
		*want = PAMT_4K;
		return mod_frame_of(m, pamt_owner(p) << 12);
	}
	case TDXSIM_VIA_SEPT_LEAF: {
		*want = x->walk_level <= SEPT_LVL_PDPT ? x->walk_level : PAMT_4K;
		uint64_t size = pamt_level_bytes((enum pamt_level)*want);
		if (promote_range(x, st)) {
			/* TDH.MEM.PAGE.PROMOTE (pamt_promote, the table's "via sept_leaf names
			 * the range the 512 child leaves map"): the locked entry is non-leaf;
			 * the page is the range its child SEPT page's first leaf starts (the
			 * body checks all 512).  If that entry maps nothing in TDX memory, the
			 * child SEPT page's own range stands in, and the body fails with
			 * TDX_EPT_INVALID_PROMOTE_CONDITIONS. */
			uint32_t sp = sept_page_of_frame(m, mod_frame_of(m, sept_hpa(x->entry)));
			uint64_t c0 = sp == UINT32_MAX ? 0
				      : atomic_load_explicit(&mod_sept_page(m, sp)->e[0], memory_order_acquire);
			uint32_t f = mod_frame_of(m, sept_hpa(c0) & ~(size - 1));
			return f != UINT32_MAX ? f : mod_frame_of(m, sept_hpa(x->entry) & ~(size - 1));
		}
		/* A 2 MB PENDING leaf keeps accept_counter in HPA bits 20:12 (§5.1). */
		return mod_frame_of(m, sept_hpa(x->entry) & ~(size - 1));
	}
	case TDXSIM_VIA_SEPT_CHILD:
		*want = PAMT_4K;
		return mod_frame_of(m, sept_hpa(x->entry));
	case TDXSIM_VIA_REG:
		break;
	}
	return UINT32_MAX;
}

tdx_status_t pamt_lock_start(struct tdxsim_mod *m, struct tdxsim_leaf_exec *x,
			     const struct tdxsim_step *st, struct pamt_walk_result *res)
{
	uint32_t op = operand_of(m, st);
	if (st->via != TDXSIM_VIA_REG) {
		uint8_t want = PAMT_4K;
		uint32_t frame = implicit_frame(m, x, st, &want);
		if (frame == UINT32_MAX) {
			/* The page named by a module structure lies outside TDX memory:
			 * only a corrupted structure can do this. */
			mod_fatal(m, x, "implicit PAMT lock on a page outside TDX memory");
		}
		x->pamt_frame = frame;
		x->pamt_want = want;
		x->sub = (uint8_t)(OP_IMPLICIT_4K + want);
		res->frame = frame;
		res->want = want;
		return TDX_SUCCESS;
	}
	uint64_t hpa = reg_hpa(m, x, st);
	uint8_t want = want_of(x, st);
	uint64_t align = pamt_level_bytes(want == 0xFF ? PAMT_4K : (enum pamt_level)want);
	if ((hpa & (align - 1)) || (hpa >> m->lay.pa_bits) != 0 || mod_hkid_of_pa(m, hpa) != 0 ||
	    hpa >= mod_max_pa(m))
		return tdx_status_with_operand(TDX_OPERAND_INVALID, op);
	if (pamt_get_block(m, hpa) < 0 || mod_frame_of(m, hpa) == UINT32_MAX)
		return tdx_status_with_operand(TDX_OPERAND_ADDR_RANGE_ERROR, op);
	x->pamt_frame = mod_frame_of(m, hpa);
	x->pamt_want = want;
	x->sub = OP_1G;
	res->frame = x->pamt_frame;
	res->want = want;
	return TDX_SUCCESS;
}

void pamt_next_op(struct tdxsim_mod *m, struct tdxsim_leaf_exec *x, const struct tdxsim_step *st,
		  struct pamt_op *op)
{
	uint64_t rel = (uint64_t)x->pamt_frame << 12;
	op->promote = false;
	op->mode = TDXSIM_MODE_SHARED;
	switch (x->sub) {
	case OP_1G:
	case OP_PROMOTE_1G:
	case OP_IMPLICIT_1G:
		op->level = PAMT_1G;
		op->index = (uint32_t)(rel >> 30);
		break;
	case OP_2M:
	case OP_PROMOTE_2M:
	case OP_IMPLICIT_2M:
		op->level = PAMT_2M;
		op->index = (uint32_t)(rel >> 21);
		break;
	case OP_4K:
	case OP_IMPLICIT_4K:
		op->level = PAMT_4K;
		op->index = x->pamt_frame;
		break;
	default:
		mod_fatal(m, x, "PAMT walk in an unknown state");
	}
	if (x->sub == OP_PROMOTE_1G || x->sub == OP_PROMOTE_2M)
		op->promote = true;
	if (x->sub == OP_4K || x->sub >= OP_IMPLICIT_4K)
		op->mode = st->mode;
}

bool pamt_advance(struct tdxsim_mod *m, struct tdxsim_leaf_exec *x, const struct tdxsim_step *st,
		  const struct pamt_op *op)
{
	bool ex = st->mode == TDXSIM_MODE_EXCLUSIVE;
	switch (x->sub) {
	case OP_1G: {
		uint8_t pt = mod_pamt(m, PAMT_1G, op->index)->pt;
		if (pt == TDXSIM_PT_REG || x->pamt_want == PAMT_1G) {
			if (ex) {
				x->sub = OP_PROMOTE_1G;
				return true;
			}
			return false;
		}
		x->sub = OP_2M;
		return true;
	}
	case OP_2M: {
		uint8_t pt = mod_pamt(m, PAMT_2M, op->index)->pt;
		if (pt == TDXSIM_PT_REG || x->pamt_want == PAMT_2M) {
			if (ex) {
				x->sub = OP_PROMOTE_2M;
				return true;
			}
			return false;
		}
		x->sub = OP_4K;
		return true;
	}
	default:
		return false;
	}
}

tdx_status_t pamt_lock_finish(struct tdxsim_mod *m, struct tdxsim_leaf_exec *x,
			      const struct tdxsim_step *st, enum pamt_level leaf)
{
	uint32_t op = operand_of(m, st);
	struct pamt_entry *pe = pamt_entry_of(m, x->pamt_frame, leaf);
	x->pamt_leaf_level = (uint8_t)leaf;
	if (st->via != TDXSIM_VIA_REG) {
		/* §1.6 implicit lock: the type is not checked, but NDA/RSVD halts. */
		if ((pe->pt == TDXSIM_PT_NDA || pe->pt == TDXSIM_PT_RSVD) && !promote_range(x, st))
			mod_halt(m, 0x0002, m->table->leaves[x->leaf].number);
	} else {
		if (x->pamt_want != 0xFF && x->pamt_want != leaf)
			return tdx_status_with_operand(TDX_PAGE_METADATA_INCORRECT, op);
		if (st->expect_pt && !(st->expect_pt & TDXSIM_PT_MASK(pe->pt)))
			return tdx_status_with_operand(TDX_PAGE_METADATA_INCORRECT, op);
		if (st->free_range && leaf == PAMT_2M) {
			/* check_and_lock_free_range_hpa: every 4K child must be PT_NDA. */
			uint32_t first = x->pamt_frame & ~(uint32_t)(PAMT_CHILD_ENTRIES - 1);
			for (uint32_t i = 0; i < PAMT_CHILD_ENTRIES; i++) {
				if (first + i >= m->lay.n_frames ||
				    mod_pamt(m, PAMT_4K, first + i)->pt != TDXSIM_PT_NDA)
					return tdx_status_with_operand(TDX_PAGE_METADATA_INCORRECT, op);
			}
		}
	}
	if (x->nframe < 4)
		x->frame[x->nframe++] = x->pamt_frame;
	if (st->res == m->res_tdr && pe->pt == TDXSIM_PT_TDR)
		x->td = mod_frame(m, x->pamt_frame)->idx;
	if (st->res == m->res_tdvpr && pe->pt == TDXSIM_PT_TDVPR)
		x->vc = mod_frame(m, x->pamt_frame)->idx;
	return TDX_SUCCESS;
}
