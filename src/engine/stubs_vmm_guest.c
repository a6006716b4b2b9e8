/* SPDX-License-Identifier: MIT */
/*
 * SCAFFOLDING: weak stand-ins for the VMM and guest contracts (src/vmm/vmm.h,
 * src/guest/guest.h) while those layers are being written; the real
 * definitions override them.  Deleted once both layers exist.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/guest.h"
#include "vmm/vmm.h"

static void missing(const char *what) __attribute__((noreturn));
static void missing(const char *what)
{
	fprintf(stderr, "tdxsim: %s is not implemented yet\n", what);
	abort();
}

__attribute__((weak)) size_t vmm_state_size(const struct vmm_config *cfg) { (void)cfg; return 0; }
__attribute__((weak)) void vmm_state_init(void *vmm, const struct vmm_config *cfg, struct tdxsim_mod *m)
{ (void)vmm; (void)cfg; (void)m; }
__attribute__((weak)) const flow_fn *vmm_flow_table(void) { missing("the VMM model"); }
__attribute__((weak)) void vmm_program_start(struct flow_ctx *c, enum vmm_program p, uint64_t a0,
					     uint64_t a1, uint64_t a2)
{ (void)c; (void)p; (void)a0; (void)a1; (void)a2; missing("the VMM model"); }
__attribute__((weak)) size_t guest_state_size(const struct guest_config *cfg) { (void)cfg; return 0; }
__attribute__((weak)) void guest_state_init(void *guest, const struct guest_config *cfg)
{ (void)guest; (void)cfg; }
__attribute__((weak)) const flow_fn *guest_flow_table(void) { missing("the guest model"); }
__attribute__((weak)) void guest_program_start(struct flow_ctx *c, enum guest_program p, uint64_t a0,
					       uint64_t a1, uint64_t a2)
{ (void)c; (void)p; (void)a0; (void)a1; (void)a2; missing("the guest model"); }
__attribute__((weak)) enum flow_ret guest_vcpu_step(struct flow_ctx *c, struct flow_stack *h,
						    unsigned vm, unsigned vcpu)
{ (void)c; (void)h; (void)vm; (void)vcpu; missing("the guest model"); }
__attribute__((weak)) void guest_progress(const void *guest, struct guest_progress *out)
{ (void)guest; memset(out, 0, sizeof(*out)); }
