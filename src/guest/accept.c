/* SPDX-License-Identifier: MIT */
/*
 * Page acceptance as Linux does it (arch/x86/coco/tdx/tdx-shared.c,
 * linux-kvm-tdx.md §2 "Guest TDG.MEM.PAGE.ACCEPT contention"):
 *
 *   tdx_accept_memory(start, end):
 *     while start < end:
 *       size = try_accept_one(start, end - start, 1G)
 *       if !size: size = try_accept_one(..., 2M)
 *       if !size: size = try_accept_one(..., 4K)
 *       if !size: return false
 *       start += size
 *   try_accept_one(): 0 without a TDCALL if start is not aligned to the size or the
 *     range is shorter; else TDG.MEM.PAGE.ACCEPT(RCX = start | page size) and any
 *     non-zero RAX -- BUSY, TDX_PAGE_ALREADY_ACCEPTED, TDX_PAGE_SIZE_MISMATCH,
 *     TDX_OPERAND_INVALID (1G on a 1.5 module) -- fails that size.
 *
 * The module's answers are its own (tdx-module-1.5.md §3): an ACCEPT of a GPA with no
 * pending mapping TD-exits to the VMM (EPT violation, type ACCEPT) and is executed
 * again when the VMM resumes the vCPU; an interrupted 2 MB ACCEPT returns without
 * advancing RIP and is executed again (guest_flow_tdcall does both).
 *
 * Guest policy knobs (struct tdxsim_guest_policy):
 *   accept_fallback = false: only the largest size that fits is tried; its failure
 *     fails the accept (no smaller size);
 *   accept_retry_busy: a TDX_OPERAND_BUSY ACCEPT is issued again at the same size, up
 *     to accept_max_retries times (0 = no bound), before it counts as a failure.
 */
#include <string.h>

#include "guest/guest_internal.h"

static uint64_t level_bytes(uint64_t level)
{
	return PAGE_SIZE_4K << (9 * level);
}

static bool fits(uint64_t start, uint64_t end, uint64_t level)
{
	uint64_t size = level_bytes(level);
	return !(start & (size - 1)) && end - start >= size;
}

/* GUEST_PROG_ACCEPT(a0 = GPA, a1 = pages). */
enum flow_ret guest_flow_prog_accept(struct flow_ctx *c)
{
	FLOW_BEGIN(c);
	FLOW_CALL(c, GF_ACCEPT_MEMORY, c->fr->l[0], c->fr->l[0] + c->fr->l[1] * PAGE_SIZE_4K, 0, 0);
	FLOW_END(c);
}

/* GF_ACCEPT_MEMORY(start, end) -> 1 (true) or 0 (false). */
enum flow_ret guest_flow_accept_memory(struct flow_ctx *c)
{
#define START c->fr->l[0]
#define END c->fr->l[1]
#define LEVEL c->fr->l[2]
	const struct tdxsim_guest_policy *pol = &guest_cur.g->policy;
	FLOW_BEGIN(c);
	while (START < END) {
		if (pol->accept_fallback) {
			LEVEL = TDX_PS_1G;
		} else {
			LEVEL = TDX_PS_1G;
			while (LEVEL > TDX_PS_4K && !fits(START, END, LEVEL))
				LEVEL--;
		}
		for (;;) {
			if (fits(START, END, LEVEL)) {
				FLOW_CALL(c, GF_TRY_ACCEPT_ONE, START, LEVEL, 0, 0);
				if (c->fr->ret)
					break;
				if (!pol->accept_fallback)
					goto fail;
			}
			if (LEVEL == TDX_PS_4K)
				goto fail;
			LEVEL--;
		}
		START += level_bytes(LEVEL);
	}
	FLOW_RETURN(c, 1);
fail:
	guest_cur.gv->accept_failed++;
	FLOW_RETURN(c, 0);
	FLOW_END(c);
#undef START
#undef END
#undef LEVEL
}

/* GF_TRY_ACCEPT_ONE(start, level) -> 1 accepted, 0 failed. */
enum flow_ret guest_flow_try_accept_one(struct flow_ctx *c)
{
#define START c->fr->l[0]
#define LEVEL c->fr->l[1]
#define BUSY_RETRIES c->fr->l[2]
	const struct tdxsim_guest_policy *pol = &guest_cur.g->policy;
	struct guest_vcpu *gv = guest_cur.gv;
	FLOW_BEGIN(c);
again:
	guest_tdcall_regs(TDG_MEM_PAGE_ACCEPT, START | LEVEL);
	FLOW_CALL(c, GF_TDCALL, 0, 0, 0, 0);
	memset(gv->out, 0, sizeof(gv->out));
	if ((tdx_status_t)c->fr->ret == TDX_SUCCESS) {
		uint64_t pages = level_bytes(LEVEL) / PAGE_SIZE_4K;
		gv->accepted += pages;
		guest_mark_range(START, pages, true);
		FLOW_RETURN(c, 1);
	}
	if (((tdx_status_t)c->fr->ret & TDX_SEAMCALL_STATUS_MASK) == TDX_OPERAND_BUSY &&
	    pol->accept_retry_busy && (!pol->accept_max_retries || BUSY_RETRIES < pol->accept_max_retries)) {
		BUSY_RETRIES++;
		gv->accept_busy_retries++;
		goto again;
	}
	FLOW_RETURN(c, 0);
	FLOW_END(c);
#undef START
#undef LEVEL
#undef BUSY_RETRIES
}
