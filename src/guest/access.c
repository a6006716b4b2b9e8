/* SPDX-License-Identifier: MIT */
/*
 * Access patterns (docs/guest-model.md).  Each access is one visible action: a walk
 * of the Secure EPT as the hardware does it (guest_flow_access).  A fault exits to
 * the VMM with an EPT violation for that GPA; when the VMM resumes the vCPU the
 * access runs again at the same RIP.
 *
 * ACCESS_SEQ and ACCESS_RANDOM advance the guest RIP after every access (straight-line
 * code: no two accesses share a RIP), so their faults never look like zero-stepping.
 * ZERO_STEP is one instruction (think `rep movsb` over a1 pages): every page it
 * touches faults at the same RIP until the VMM has made it accessible, and RIP moves
 * only when the last page is done.  From the 7th fault at that RIP the module logs
 * the faulting GPAs and every TDH.VP.ENTER takes the SEPT tree exclusively
 * (tdx-module-1.5.md §4) until the RIP moves.
 *
 * The guest touches private pages it expects to be usable: accepted by it (ACCEPT) or
 * added by the VMM at build time.  Touching a PENDING page is what a buggy guest
 * does; the module's EPT violation then goes to the VMM, which in KVM kills the VM.
 */
#include "guest/guest_internal.h"

#define WRITE 1

/* GUEST_PROG_ACCESS_SEQ(a0 = GPA, a1 = pages, a2 = rounds, 0 = 1). */
enum flow_ret guest_flow_access_seq(struct flow_ctx *c)
{
#define BASE c->fr->l[0]
#define NPAGES c->fr->l[1]
#define ROUNDS c->fr->l[2]
#define ROUND c->fr->l[4]
#define I c->fr->l[5]
	FLOW_BEGIN(c);
	if (ROUNDS == 0)
		ROUNDS = 1;
	for (ROUND = 0; ROUND < ROUNDS; ROUND++) {
		for (I = 0; I < NPAGES; I++) {
			FLOW_CALL(c, GF_ACCESS, BASE + I * PAGE_SIZE_4K, WRITE, 0, 0);
			guest_set_rip(c, guest_cur.gv->rip + GUEST_INSN_LEN);
		}
	}
	FLOW_END(c);
#undef BASE
#undef NPAGES
#undef ROUNDS
#undef ROUND
#undef I
}

/* GUEST_PROG_ACCESS_RANDOM(a0 = GPA, a1 = pages, a2 = accesses): each access picks a
 * page of [a0, a0 + a1 pages) with the vCPU's PRNG (in the world). */
enum flow_ret guest_flow_access_random(struct flow_ctx *c)
{
#define BASE c->fr->l[0]
#define NPAGES c->fr->l[1]
#define COUNT c->fr->l[2]
#define K c->fr->l[4]
#define PAGE c->fr->l[5]
	FLOW_BEGIN(c);
	for (K = 0; K < COUNT && NPAGES; K++) {
		PAGE = guest_rand(guest_cur.gv) % NPAGES;
		FLOW_CALL(c, GF_ACCESS, BASE + PAGE * PAGE_SIZE_4K, WRITE, 0, 0);
		guest_set_rip(c, guest_cur.gv->rip + GUEST_INSN_LEN);
	}
	FLOW_END(c);
#undef BASE
#undef NPAGES
#undef COUNT
#undef K
#undef PAGE
}

/* GUEST_PROG_ZERO_STEP(a0 = GPA, a1 = pages): one instruction touching a1 pages. */
enum flow_ret guest_flow_zero_step(struct flow_ctx *c)
{
#define BASE c->fr->l[0]
#define NPAGES c->fr->l[1]
#define I c->fr->l[4]
	FLOW_BEGIN(c);
	for (I = 0; I < NPAGES; I++)
		FLOW_CALL(c, GF_ACCESS, BASE + I * PAGE_SIZE_4K, WRITE, 0, 0);
	guest_set_rip(c, guest_cur.gv->rip + GUEST_INSN_LEN);
	FLOW_END(c);
#undef BASE
#undef NPAGES
#undef I
}
