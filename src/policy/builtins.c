/* SPDX-License-Identifier: MIT */
/*
 * The built-in retry policies (DESIGN §5).  Each is also shipped as
 * data/policies/<name>.yaml in the format users write, and a unit test checks that
 * the file loads to exactly the struct below.  docs/policy.md explains each rule.
 *
 * Sources (cited in each rule):
 *   linux §n   shared/reference/linux-kvm-tdx.md
 *   seed 000   Sean Christopherson's "zero tolerance" and the TDX spec's "retry until
 *              success" (quoted in the same thread)
 *   seed 001   Yan Zhao, "[PATCH 0/7] KVM: TDX SEPT SEAMCALL retry" (2025-01-12)
 *   seed 002   the TDX-module lock-status report in reply to "[PATCH 09/21] KVM: TDX:
 *              Retry seamcall when TDX_OPERAND_BUSY with operand SEPT" (2024)
 *   ERA        the pre-merge kvm-coco-queue code those two seeds discuss.  It is not in
 *              the provided sources: what the policies take from it is marked
 *              UNVERIFIED here and in docs/policy.md.
 *
 * Rules are tried in order; the first match decides (policy.h).
 */
#include <errno.h>

#include "policy/policy_internal.h"

#define R_(site_, leaf_, st_, mask_, op_, act_, max_, err_)                                  \
	{ .site = (site_), .leaf = (leaf_), .status = (st_), .status_mask = (mask_),         \
	  .operand = (op_), .action = (act_), .max_retries = (max_), .err = (err_), .line = 0 }
#define R(site_, leaf_, match_, op_, act_, max_, err_) R_(site_, leaf_, match_, op_, act_, max_, err_)

#define ANY_SITE -1
#define ANY_LEAF -1
#define ANY_OP -1
#define INSTALL TDXSIM_SITE_INSTALL
#define REMOVE TDXSIM_SITE_REMOVE
#define BUILD TDXSIM_SITE_BUILD
#define ENTER TDXSIM_SITE_ENTER
#define TEARDOWN TDXSIM_SITE_TEARDOWN
#define INIT TDXSIM_SITE_INIT

/* ---- pieces shared by several policies ------------------------------------------- */

/* linux §1.4 and the VP.ENTER row of §1.2 (6.16 on): BUSY (any operand, KVM's
 * tdx_operand_busy()) leaves the fastpath with EXIT_FASTPATH_EXIT_HANDLED and the run
 * loop re-enters; a software error (TDX_SW_ERROR class: #UD/#GP/VMfailInvalid) is
 * KVM_BUG_ON(!kvm_rebooting); TDX_ERROR or TDX_NON_RECOVERABLE is an unhandled exit
 * to userspace (KVM_EXIT_INTERNAL_ERROR; ERRNO EIO stands for it at this site).
 * Successful exits (exit reason in RAX, bit 63 clear) match nothing and are OK. */
#define ENTER_RULES_616                                                                    \
	R(ENTER, PL_VP_ENTER, PM_CLASS(TDX_OPERAND_BUSY), ANY_OP, TDXSIM_ACT_EXIT_FASTPATH, 0, 0), \
	R(ENTER, PL_VP_ENTER, PM_SW_ERROR, ANY_OP, TDXSIM_ACT_BUG, 0, 0),                         \
	R(ENTER, PL_VP_ENTER, PM_ERROR, ANY_OP, TDXSIM_ACT_ERRNO, 0, EIO),                        \
	R(ENTER, PL_VP_ENTER, PM_NONREC, ANY_OP, TDXSIM_ACT_ERRNO, 0, EIO)

/* ERA (UNVERIFIED): tdx_exit_handlers_fastpath() re-entered the guest from the fastpath
 * only when RAX was exactly TDX_ERROR_SEPT_BUSY (BUSY|SEPT_TREE, "see the comment of
 * tdx_seamcall_sept()"); any other BUSY (e.g. BUSY|TD_EPOCH against TDH.MEM.TRACK) was
 * a TDX_ERROR and so an unhandled exit.  The REENTER action is this behaviour. */
#define ENTER_RULES_ERA                                                                    \
	R(ENTER, PL_VP_ENTER, PM_CLASS(TDX_OPERAND_BUSY), OPERAND_ID_SEPT_TREE, TDXSIM_ACT_REENTER, 0, 0), \
	R(ENTER, PL_VP_ENTER, PM_SW_ERROR, ANY_OP, TDXSIM_ACT_BUG, 0, 0),                         \
	R(ENTER, PL_VP_ENTER, PM_ERROR, ANY_OP, TDXSIM_ACT_ERRNO, 0, EIO),                        \
	R(ENTER, PL_VP_ENTER, PM_NONREC, ANY_OP, TDXSIM_ACT_ERRNO, 0, EIO)

/* linux §1.1: sc_retry() under every wrapper except TDH.VP.ENTER (which calls
 * __seamcall_saved_ret directly; its site's rules come first) retries only
 * TDX_RND_NO_ENTROPY, exactly, up to RDRAND_RETRY_LOOPS = 10 calls. */
#define SC_RETRY_RULE                                                                      \
	R(ANY_SITE, ANY_LEAF, PM_EXACT(TDX_RND_NO_ENTROPY), ANY_OP, TDXSIM_ACT_RETRY, PL_SC_RETRY_RETRIES, 0)

/* linux §1.2: TD build.  6.16-6.18: PAGE.ADD BUSY -> -EBUSY to userspace, other errors
 * -EIO without a bug; MR.EXTEND errors -EIO; MR.FINALIZE BUSY -> -EBUSY; MNG.CREATE
 * and MNG.ADDCX TDX_RND_NO_ENTROPY (left after sc_retry) -> -EAGAIN; MNG.INIT
 * TDX_OPERAND_INVALID class -> -EINVAL; anything else (VP.CREATE/ADDCX/INIT/RD/WR,
 * MNG.KEY.CONFIG ...) KVM_BUG_ON -> -EIO. */
#define BUILD_RULES_616                                                                    \
	R(BUILD, PL_MEM_PAGE_ADD, PM_CLASS(TDX_OPERAND_BUSY), ANY_OP, TDXSIM_ACT_ERRNO, 0, EBUSY),   \
	R(BUILD, PL_MEM_PAGE_ADD, PM_ANY, ANY_OP, TDXSIM_ACT_ERRNO, 0, EIO),                        \
	R(BUILD, PL_MR_EXTEND, PM_ANY, ANY_OP, TDXSIM_ACT_ERRNO, 0, EIO),                           \
	BUILD_RULES_COMMON
/* 6.19 (linux §0 item 4, §1.2): PAGE.ADD and MR.EXTEND errors other than BUSY are
 * TDX_BUG_ON ("Bug the VM if extending the initial measurement fails"). */
#define BUILD_RULES_619                                                                    \
	R(BUILD, PL_MEM_PAGE_ADD, PM_CLASS(TDX_OPERAND_BUSY), ANY_OP, TDXSIM_ACT_ERRNO, 0, EBUSY),   \
	BUILD_RULES_COMMON
#define BUILD_RULES_COMMON                                                                 \
	R(BUILD, PL_MR_FINALIZE, PM_CLASS(TDX_OPERAND_BUSY), ANY_OP, TDXSIM_ACT_ERRNO, 0, EBUSY),    \
	R(BUILD, PL_MNG_CREATE, PM_EXACT(TDX_RND_NO_ENTROPY), ANY_OP, TDXSIM_ACT_ERRNO, 0, EAGAIN),  \
	R(BUILD, PL_MNG_ADDCX, PM_EXACT(TDX_RND_NO_ENTROPY), ANY_OP, TDXSIM_ACT_ERRNO, 0, EAGAIN),   \
	R(BUILD, PL_MNG_INIT, PM_CLASS(TDX_OPERAND_INVALID), ANY_OP, TDXSIM_ACT_ERRNO, 0, EINVAL),   \
	R(BUILD, ANY_LEAF, PM_ANY, ANY_OP, TDXSIM_ACT_BUG, 0, 0)

/* linux §1.2 and §3 "TD teardown": CACHE.WB loops up to TDX_SEAMCALL_RETRIES = 10000
 * calls while TDX_INTERRUPTED_RESUMABLE, TDX_NO_HKID_READY_TO_WBCACHE counts as
 * success, anything else WARNs (6.19: TDX_BUG_ON(..., NULL), which only WARNs);
 * VPFLUSHDONE's TDX_FLUSHVP_NOT_DONE skips the HKID release (no errno in KVM: ERRNO
 * EBUSY is the model's "give up, keep the HKID"); RECLAIM failures WARN and leak the
 * page; VP.FLUSH ignores TDX_VCPU_NOT_ASSOCIATED; everything else (VPFLUSHDONE, FREEID,
 * VP.FLUSH, WBINVD of the TDR) is KVM_BUG_ON. */
#define TEARDOWN_RULES                                                                     \
	R(TEARDOWN, PL_PHYMEM_CACHE_WB, PM_EXACT(TDX_INTERRUPTED_RESUMABLE), ANY_OP, TDXSIM_ACT_RETRY, PL_CACHE_WB_RETRIES, 0), \
	R(TEARDOWN, PL_PHYMEM_CACHE_WB, PM_EXACT(TDX_NO_HKID_READY_TO_WBCACHE), ANY_OP, TDXSIM_ACT_OK, 0, 0), \
	R(TEARDOWN, PL_PHYMEM_CACHE_WB, PM_ANY, ANY_OP, TDXSIM_ACT_WARN, 0, 0),                    \
	R(TEARDOWN, PL_MNG_VPFLUSHDONE, PM_EXACT(TDX_FLUSHVP_NOT_DONE), ANY_OP, TDXSIM_ACT_ERRNO, 0, EBUSY), \
	R(TEARDOWN, PL_PHYMEM_PAGE_RECLAIM, PM_ANY, ANY_OP, TDXSIM_ACT_WARN, 0, 0),                \
	R(TEARDOWN, PL_VP_FLUSH, PM_EXACT(TDX_VCPU_NOT_ASSOCIATED), ANY_OP, TDXSIM_ACT_OK, 0, 0),  \
	R(TEARDOWN, ANY_LEAF, PM_ANY, ANY_OP, TDXSIM_ACT_BUG, 0, 0)

/* linux §4 "Host-core conversion to errno" (sc_retry_prerr, the init SEAMCALLs):
 * VMfailInvalid -> -ENODEV, #GP -> -EOPNOTSUPP, #UD -> -EACCES, anything else -> -EIO.
 * A failed init is sticky (§5.2); that is the VMM's business. */
#define INIT_RULES                                                                         \
	R(INIT, ANY_LEAF, PM_EXACT(TDX_SEAMCALL_VMFAILINVALID), ANY_OP, TDXSIM_ACT_ERRNO, 0, ENODEV), \
	R(INIT, ANY_LEAF, PM_EXACT(TDX_SEAMCALL_GP), ANY_OP, TDXSIM_ACT_ERRNO, 0, EOPNOTSUPP),     \
	R(INIT, ANY_LEAF, PM_EXACT(TDX_SEAMCALL_UD), ANY_OP, TDXSIM_ACT_ERRNO, 0, EACCES),         \
	R(INIT, ANY_LEAF, PM_ANY, ANY_OP, TDXSIM_ACT_ERRNO, 0, EIO)

/* linux §1.2, §1.3 (6.16 on, and seed 001 group 3): BLOCK, TRACK and REMOVE get one
 * more attempt with wait_for_sept_zap set and every vCPU kicked out of guest mode
 * (tdh_do_no_vcpus); BUSY again, WBINVD failing, or any other result is KVM_BUG_ON on
 * this no-fail path (informational statuses too: KVM_BUG_ON(err)). */
#define REMOVE_RULES_KICK                                                                  \
	R(REMOVE, PL_MEM_RANGE_BLOCK, PM_CLASS(TDX_OPERAND_BUSY), ANY_OP, TDXSIM_ACT_KICK_RETRY, 1, 0), \
	R(REMOVE, PL_MEM_TRACK, PM_CLASS(TDX_OPERAND_BUSY), ANY_OP, TDXSIM_ACT_KICK_RETRY, 1, 0),       \
	R(REMOVE, PL_MEM_PAGE_REMOVE, PM_CLASS(TDX_OPERAND_BUSY), ANY_OP, TDXSIM_ACT_KICK_RETRY, 1, 0), \
	R(REMOVE, ANY_LEAF, PM_ANY, ANY_OP, TDXSIM_ACT_BUG, 0, 0)

/* ERA (UNVERIFIED): tdx_track() looped while tdx_operand_busy() (Yan's series made it
 * kick+retry-once), and the removal path retried TDH.PHYMEM.PAGE.WBINVD while it
 * returned BUSY|RCX (seed 001 patch 6 "Remove the retry loop for
 * tdh_phymem_page_wbinvd_hkid()" confirms a loop; its condition is from memory). */
#define REMOVE_RULES_ERA_LOOPS                                                             \
	R(REMOVE, PL_MEM_TRACK, PM_CLASS(TDX_OPERAND_BUSY), ANY_OP, TDXSIM_ACT_RETRY, 0, 0),         \
	R(REMOVE, PL_PHYMEM_PAGE_WBINVD, PM_CLASS(TDX_OPERAND_BUSY), OPERAND_ID_RCX, TDXSIM_ACT_RETRY, 0, 0)

/* linux §1.2 and §2: SEPT.ADD and AUG BUSY -> -EBUSY; the TDP MMU restores the frozen
 * SPTE and the fault returns RET_PF_RETRY (what happens next is the fault policy);
 * any other result is KVM_BUG_ON -> -EIO. */
#define INSTALL_RULES_EBUSY                                                                \
	R(INSTALL, ANY_LEAF, PM_CLASS(TDX_OPERAND_BUSY), ANY_OP, TDXSIM_ACT_ERRNO, 0, EBUSY),         \
	R(INSTALL, ANY_LEAF, PM_ANY, ANY_OP, TDXSIM_ACT_BUG, 0, 0)

/* Upstream's EPT-violation loop (linux §2, [v6.16] through [v6.19]). */
#define FAULT_LOCAL_RETRY_616                                                              \
	{ .local_retry = true, .max_local = 0, .exit_on_events = true, .exit_on_signal = true,    \
	  .exit_on_vm_dead = true, .exit_on_memslot_invalid = false }
/* No local loop: RET_PF_RETRY resumes the guest, which faults again. */
#define FAULT_RESUME_GUEST                                                                 \
	{ .local_retry = false, .max_local = 0, .exit_on_events = false, .exit_on_signal = false, \
	  .exit_on_vm_dead = false, .exit_on_memslot_invalid = false }

/* The Linux guest (linux §2 "Guest TDG.MEM.PAGE.ACCEPT contention", §6.1). */
#define GUEST_LINUX                                                                        \
	{ .accept_retry_busy = false, .accept_max_retries = 0, .accept_fallback = true,           \
	  .mapgpa_max_no_progress = 3, .mapgpa_check_r11 = true }

/* ---- kvm-6.16 --------------------------------------------------------------------- */

static const struct tdxsim_policy kvm_6_16 = {
	.name = "kvm-6.16",
	.source = "linux-kvm-tdx.md §1.2-1.4, §2, §3 [v6.16]: KVM TDX as first merged (6.16-6.18)",
	.kick_before_block = false,
	.fault = FAULT_LOCAL_RETRY_616,
	.guest = GUEST_LINUX,
	.rules = {
		ENTER_RULES_616,
		SC_RETRY_RULE,
		INSTALL_RULES_EBUSY,
		REMOVE_RULES_KICK,
		BUILD_RULES_616,
		TEARDOWN_RULES,
		INIT_RULES,
	},
	.nrules = 4 + 1 + 2 + 4 + 8 + 7 + 4,
};

/* ---- kvm-6.19 --------------------------------------------------------------------- */

/* linux §0 item 4: same BUSY handling through tdh_do_no_vcpus(); errors are
 * TDX_BUG_ON*(); PAGE.ADD and MR.EXTEND errors now bug the VM.  (VP.INIT under
 * mmu_lock and the state guard are VMM locking, not policy.) */
static const struct tdxsim_policy kvm_6_19 = {
	.name = "kvm-6.19",
	.source = "linux-kvm-tdx.md §0 item 4, §1.2-1.4 [v6.19]: tdh_do_no_vcpus, TDX_BUG_ON; PAGE.ADD/MR.EXTEND errors BUG",
	.kick_before_block = false,
	.fault = FAULT_LOCAL_RETRY_616,
	.guest = GUEST_LINUX,
	.rules = {
		ENTER_RULES_616,
		SC_RETRY_RULE,
		INSTALL_RULES_EBUSY,
		REMOVE_RULES_KICK,
		BUILD_RULES_619,
		TEARDOWN_RULES,
		INIT_RULES,
	},
	.nrules = 4 + 1 + 2 + 4 + 6 + 7 + 4,
};

/* ---- sept-retry-v1 ----------------------------------------------------------------- */

/* Seed 001: group 1 (PAGE.ADD) -> -EBUSY (patch 1); group 2 (SEPT.ADD, AUG) -> local
 * retry in the EPT-violation handler on RET_PF_RETRY (patches 2-3); group 3 (BLOCK,
 * TRACK, REMOVE) -> kick vCPUs, no entry (wait_for_sept_zap + KVM_REQ_OUTSIDE_GUEST_MODE,
 * patch 4); patch 5 makes SEPT.ADD BUSY -EBUSY; patch 6 drops WBINVD's retry loop.
 * These are the rules that merged (linux §0 item 2: "squashed into the base
 * patches"), so the rule list is kvm-6.16's.  Differences from the merge, both outside
 * the seed's cover letter and UNVERIFIED: v1's local loop stops on signal, pending
 * posted interrupt or NMI but has no KVM_REQ_VM_DEAD exit (exit_on_vm_dead = false);
 * VP.ENTER BUSY is taken to leave the fastpath as merged (the kick needs IRQs on). */
static const struct tdxsim_policy sept_retry_v1 = {
	.name = "sept-retry-v1",
	.source = "seed 001: Yan Zhao, [PATCH 0/7] KVM: TDX SEPT SEAMCALL retry (2025-01-12), groups 1/2/3",
	.kick_before_block = false,
	.fault = { .local_retry = true, .max_local = 0, .exit_on_events = true, .exit_on_signal = true,
		   .exit_on_vm_dead = false, .exit_on_memslot_invalid = false },
	.guest = GUEST_LINUX,
	.rules = {
		ENTER_RULES_616,
		SC_RETRY_RULE,
		INSTALL_RULES_EBUSY,
		REMOVE_RULES_KICK,
		BUILD_RULES_616,
		TEARDOWN_RULES,
		INIT_RULES,
	},
	.nrules = 4 + 1 + 2 + 4 + 8 + 7 + 4,
};

/* ---- eagain-kick-first -------------------------------------------------------------- */

/* Seed 002's proposal, applied to the code it was written against (the ERA, with the
 * 16-retry hack removed):
 *  - SEPT.ADD/AUG BUSY -> -EAGAIN directly: the fault returns to the guest, which
 *    faults again.  No local retry loop: that loop needs "Return RET_PF* instead of 1
 *    in kvm_mmu_page_fault()" and came with seed 001 (patches 2-3), four months later.
 *  - kick_before_block: kick every vCPU out and block TD entry before BLOCK, until
 *    REMOVE is done (the VMM model reads the flag).
 *  - BLOCK/REMOVE BUSY after that -> BUG.  The report's conclusion is that with the
 *    vCPUs out nothing can contend (epoch and tree: VP.ENTER; entry lock: ACCEPT), so
 *    BUSY is a KVM bug; and literally, without tdx_seamcall_sept() the ERA callers
 *    return -EAGAIN, which remove_external_spte() turns into KVM_BUG_ON.
 *  - TRACK and WBINVD keep the ERA loops the proposal does not touch (UNVERIFIED).
 *  - The seed's optional variant (no kick normally; on BUSY retry once, then kick) is
 *    not this policy; docs/policy.md shows it as a user policy. */
static const struct tdxsim_policy eagain_kick_first = {
	.name = "eagain-kick-first",
	.source = "seed 002: TDX-module lock-status report on [PATCH 09/21]: -EAGAIN for SEPT.ADD/AUG; kick vCPUs before BLOCK",
	.kick_before_block = true,
	.fault = FAULT_RESUME_GUEST,
	.guest = GUEST_LINUX,
	.rules = {
		ENTER_RULES_ERA,
		SC_RETRY_RULE,
		R(INSTALL, ANY_LEAF, PM_CLASS(TDX_OPERAND_BUSY), ANY_OP, TDXSIM_ACT_ERRNO, 0, EAGAIN),
		R(INSTALL, ANY_LEAF, PM_ANY, ANY_OP, TDXSIM_ACT_BUG, 0, 0),
		REMOVE_RULES_ERA_LOOPS,
		R(REMOVE, ANY_LEAF, PM_ANY, ANY_OP, TDXSIM_ACT_BUG, 0, 0),
		BUILD_RULES_616,
		TEARDOWN_RULES,
		INIT_RULES,
	},
	.nrules = 4 + 1 + 2 + 2 + 1 + 8 + 7 + 4,
};

/* ---- retry16 -------------------------------------------------------------------------- */

/* The blind retry of TDX MMU Part 2 ("[PATCH 09/21] KVM: TDX: Retry seamcall when
 * TDX_OPERAND_BUSY with operand SEPT", the patch seed 002 replies to; dropped before
 * the merge, linux §0 item 2): tdx_seamcall_sept() re-issues a TDH.MEM.* SEAMCALL
 * while it returns exactly BUSY|SEPT_TREE (TDX_ERROR_SEPT_BUSY), up to 16 more times
 * (17 calls), then the caller's error handling:
 *  - install (SEPT.ADD, AUG): TDX_ERROR_SEPT_BUSY -> -EAGAIN (seed 001 patch 5 names
 *    the -EAGAIN) -> RET_PF_RETRY -> resume the guest (no local loop yet); any other
 *    status, BUSY with another operand included (e.g. BUSY|RCX from the guest's
 *    ACCEPT holding the entry), KVM_BUG_ON;
 *  - removal (BLOCK, REMOVE): still busy -> -EAGAIN -> remove_external_spte()'s
 *    KVM_BUG_ON; TRACK and WBINVD: the ERA loops (UNVERIFIED);
 *  - VP.ENTER: the ERA fastpath (exact SEPT busy re-enters; UNVERIFIED);
 *  - build, teardown, init: kvm-6.16's rules (the seeds say nothing else).
 * The bound is the retry count the policy's name gives ("up to 16 times"); whether the
 * loop was `retry-- > 0` (16 retries) or `--retry` (15) is UNVERIFIED. */
static const struct tdxsim_policy retry16 = {
	.name = "retry16",
	.source = "seed 002 subject ([PATCH 09/21] KVM: TDX: Retry seamcall when TDX_OPERAND_BUSY with operand SEPT), linux §0 item 2",
	.kick_before_block = false,
	.fault = FAULT_RESUME_GUEST,
	.guest = GUEST_LINUX,
	.rules = {
		ENTER_RULES_ERA,
		SC_RETRY_RULE,
		R(ANY_SITE, ANY_LEAF, PM_CLASS(TDX_OPERAND_BUSY), OPERAND_ID_SEPT_TREE, TDXSIM_ACT_RETRY, 16, 0),
		R(INSTALL, ANY_LEAF, PM_CLASS(TDX_OPERAND_BUSY), OPERAND_ID_SEPT_TREE, TDXSIM_ACT_ERRNO, 0, EAGAIN),
		R(INSTALL, ANY_LEAF, PM_ANY, ANY_OP, TDXSIM_ACT_BUG, 0, 0),
		REMOVE_RULES_ERA_LOOPS,
		R(REMOVE, ANY_LEAF, PM_ANY, ANY_OP, TDXSIM_ACT_BUG, 0, 0),
		BUILD_RULES_616,
		TEARDOWN_RULES,
		INIT_RULES,
	},
	.nrules = 4 + 1 + 1 + 2 + 2 + 1 + 8 + 7 + 4,
};

/* ---- zero-tolerance --------------------------------------------------------------------- */

/* Seed 000, Sean: "_very_ opposed to blindly retrying an SEPT SEAMCALL, ever", KVM must
 * ensure there is no contention, "any conflict in the module would be treated as a
 * kernel bug", and "if the TDX module's single-step protection spuriously kicks in,
 * KVM exits to userspace".  So: no retry and no kick anywhere; BUSY on the no-fail
 * removal and teardown paths is KVM_BUG_ON; where a caller can fail, BUSY is an errno:
 * the fault path returns RET_PF_RETRY and resumes the guest (no local loop), VP.ENTER
 * BUSY (zero-step's tree lock) exits to userspace, build ioctls return -EBUSY.
 * Everything else is kvm-6.16's. */
static const struct tdxsim_policy zero_tolerance = {
	.name = "zero-tolerance",
	.source = "seed 000: Sean Christopherson (2024-09-09): never retry an SEPT SEAMCALL; a conflict is a KVM bug",
	.kick_before_block = false,
	.fault = FAULT_RESUME_GUEST,
	.guest = GUEST_LINUX,
	.rules = {
		R(ENTER, PL_VP_ENTER, PM_CLASS(TDX_OPERAND_BUSY), ANY_OP, TDXSIM_ACT_ERRNO, 0, EBUSY),
		R(ENTER, PL_VP_ENTER, PM_SW_ERROR, ANY_OP, TDXSIM_ACT_BUG, 0, 0),
		R(ENTER, PL_VP_ENTER, PM_ERROR, ANY_OP, TDXSIM_ACT_ERRNO, 0, EIO),
		R(ENTER, PL_VP_ENTER, PM_NONREC, ANY_OP, TDXSIM_ACT_ERRNO, 0, EIO),
		SC_RETRY_RULE,
		INSTALL_RULES_EBUSY,
		R(REMOVE, ANY_LEAF, PM_ANY, ANY_OP, TDXSIM_ACT_BUG, 0, 0),
		BUILD_RULES_616,
		TEARDOWN_RULES,
		INIT_RULES,
	},
	.nrules = 4 + 1 + 2 + 1 + 8 + 7 + 4,
};

/* ---- spec-retry ---------------------------------------------------------------------------- */

/* The TDX Base Architecture Specification as quoted in seed 000: "The host VMM is
 * expected to retry host-side operations that fail with a TDX_OPERAND_BUSY status ...
 * re-attempt the SEAMCALL function until it succeeds", and "the guest is expected to
 * retry the operation".  Every TDX_OPERAND_BUSY (any operand, any SEAMCALL, VP.ENTER
 * included) is retried at once without bound; so does the guest's ACCEPT.  Other
 * statuses (TDX_PREVIOUS_TLB_EPOCH_BUSY is not TDX_OPERAND_BUSY) follow kvm-6.16. */
static const struct tdxsim_policy spec_retry = {
	.name = "spec-retry",
	.source = "seed 000: TDX Base Architecture Specification (quoted): the host retries TDX_OPERAND_BUSY until success",
	.kick_before_block = false,
	.fault = FAULT_LOCAL_RETRY_616,
	.guest = { .accept_retry_busy = true, .accept_max_retries = 0, .accept_fallback = true,
		   .mapgpa_max_no_progress = 3, .mapgpa_check_r11 = true },
	.rules = {
		R(ANY_SITE, ANY_LEAF, PM_CLASS(TDX_OPERAND_BUSY), ANY_OP, TDXSIM_ACT_RETRY, 0, 0),
		R(ENTER, PL_VP_ENTER, PM_SW_ERROR, ANY_OP, TDXSIM_ACT_BUG, 0, 0),
		R(ENTER, PL_VP_ENTER, PM_ERROR, ANY_OP, TDXSIM_ACT_ERRNO, 0, EIO),
		R(ENTER, PL_VP_ENTER, PM_NONREC, ANY_OP, TDXSIM_ACT_ERRNO, 0, EIO),
		SC_RETRY_RULE,
		R(INSTALL, ANY_LEAF, PM_ANY, ANY_OP, TDXSIM_ACT_BUG, 0, 0),
		R(REMOVE, ANY_LEAF, PM_ANY, ANY_OP, TDXSIM_ACT_BUG, 0, 0),
		BUILD_RULES_616,
		TEARDOWN_RULES,
		INIT_RULES,
	},
	.nrules = 1 + 3 + 1 + 1 + 1 + 8 + 7 + 4,
};

const struct tdxsim_policy *const tdxsim_builtin_policies[] = {
	&kvm_6_16, &kvm_6_19, &sept_retry_v1, &eagain_kick_first, &retry16, &zero_tolerance, &spec_retry,
};
const unsigned tdxsim_builtin_policy_count =
	sizeof(tdxsim_builtin_policies) / sizeof(tdxsim_builtin_policies[0]);
