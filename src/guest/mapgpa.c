/* SPDX-License-Identifier: MIT */
/*
 * Page conversion as Linux does it (arch/x86/coco/tdx/tdx.c; linux-kvm-tdx.md §6.1):
 *
 *   tdx_map_gpa(start, end, enc):
 *     if !enc: set the shared bit on start and end
 *     retry_count = 0
 *     while retry_count < 3:                       (max_retries_per_page)
 *       R10 = TDVMCALL(MapGPA, R12 = start, R13 = end - start)
 *       if R10 != TDVMCALL_STATUS_RETRY: return R10 == 0
 *       map_fail_paddr = R11                       (from the untrusted VMM)
 *       if map_fail_paddr < start || >= end: return false
 *       if map_fail_paddr == start: retry_count++  (no progress)
 *       else: start = map_fail_paddr; retry_count = 0
 *     return false
 *
 *   tdx_enc_status_changed(): tdx_map_gpa(), then for shared->private
 *     tdx_accept_memory() of the range.
 *
 * The TDVMCALL is TDG.VP.VMCALL (leaf 0) with RCX = TDVMCALL_EXPOSE_REGS_MASK, R10 =
 * TDX_HYPERCALL_STANDARD, R11 = TDVMCALL_MAP_GPA (0x10001): the module hands those
 * registers to the VMM as TDH.VP.ENTER's outputs, and the VMM's R10/R11 come back at
 * the next TDH.VP.ENTER (vcpu_obj.guest_ret).  A TDCALL that itself fails makes Linux
 * panic (tdx_hypercall_failed): the model marks the vCPU panicked and gives up.
 * Policy knobs: mapgpa_max_no_progress (3) and mapgpa_check_r11 (true).
 */
#include <string.h>

#include "guest/guest_internal.h"
#include "module/sept_walk.h"

/* GUEST_PROG_MAPGPA(a0 = GPA, a1 = pages, a2 = 0 to shared, 1 to private). */
enum flow_ret guest_flow_prog_mapgpa(struct flow_ctx *c)
{
#define GPA c->fr->l[0]
#define NPAGES c->fr->l[1]
#define ENC c->fr->l[2]
	FLOW_BEGIN(c);
	if (ENC)
		FLOW_CALL(c, GF_MAP_GPA, GPA, GPA + NPAGES * PAGE_SIZE_4K, 0, 0);
	else
		FLOW_CALL(c, GF_MAP_GPA, GPA | TDXSIM_SHARED_BIT, (GPA + NPAGES * PAGE_SIZE_4K) | TDXSIM_SHARED_BIT,
			  0, 0);
	if (c->fr->ret && !ENC)
		guest_mark_range(GPA, NPAGES, false); /* private contents are gone */
	if (c->fr->ret && ENC && !guest_cur.gv->panicked)
		FLOW_CALL(c, GF_ACCEPT_MEMORY, GPA, GPA + NPAGES * PAGE_SIZE_4K, 0, 0);
	FLOW_END(c);
#undef GPA
#undef NPAGES
#undef ENC
}

/* GF_MAP_GPA(start, end) -> 1 (true) or 0 (false).  The loop state lives in the
 * vCPU's guest state, where the MapGPA property reads it. */
enum flow_ret guest_flow_map_gpa(struct flow_ctx *c)
{
	struct guest_vcpu *gv = guest_cur.gv;
	const struct tdxsim_guest_policy *pol = &guest_cur.g->policy;
	uint64_t status, r11;
	FLOW_BEGIN(c);
	gv->mg_start0 = c->fr->l[0];
	gv->mg_end = c->fr->l[1];
	gv->mg_start = c->fr->l[0];
	gv->mg_retry = 0;
	gv->mg_r11 = 0;
	gv->mg_active = 1;
	while (gv->mg_retry < pol->mapgpa_max_no_progress) {
		guest_tdcall_regs(TDG_VP_VMCALL, TDVMCALL_EXPOSE_REGS_MASK);
		gv->in[OPERAND_ID_R10] = TDX_HYPERCALL_STANDARD;
		gv->in[OPERAND_ID_R11] = TDVMCALL_MAP_GPA;
		gv->in[OPERAND_ID_R12] = gv->mg_start;
		gv->in[OPERAND_ID_R13] = gv->mg_end - gv->mg_start;
		gv->mapgpa_calls++;
		FLOW_CALL(c, GF_TDCALL, 0, 0, 0, 0);
		status = gv->out[OPERAND_ID_R10];
		r11 = gv->out[OPERAND_ID_R11];
		memset(gv->out, 0, sizeof(gv->out));
		if ((tdx_status_t)c->fr->ret != TDX_SUCCESS) {
			gv->panicked = 1;
			goto fail;
		}
		if (status != TDVMCALL_STATUS_RETRY) {
			if (status == 0)
				goto ok;
			goto fail;
		}
		gv->mg_r11 = r11;
		if (pol->mapgpa_check_r11 && (r11 < gv->mg_start || r11 >= gv->mg_end))
			goto fail;
		if (r11 == gv->mg_start) {
			gv->mg_retry++;
			continue;
		}
		if (r11 < gv->mg_start0 || r11 >= gv->mg_end)
			gv->mg_outside++;
		gv->mg_start = r11;
		gv->mg_retry = 0;
	}
fail:
	gv->mg_active = 0;
	gv->mg_result = 2;
	gv->mapgpa_failed++;
	FLOW_RETURN(c, 0);
ok:
	gv->mg_active = 0;
	gv->mg_result = 1;
	gv->mapgpa_ok++;
	FLOW_RETURN(c, 1);
	FLOW_END(c);
}
