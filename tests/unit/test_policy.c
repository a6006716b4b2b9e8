/* SPDX-License-Identifier: MIT */
/*
 * Retry policies (include/tdxsim/policy.h, docs/policy.md): every built-in's decision
 * for the BUSY codes at each site and leaf that matters, the decision semantics
 * (first match, bounded retries falling through, informational/error defaults), the
 * shipped data/policies/NAME.yaml files loading to exactly the built-ins, and one exact
 * "file:line: message" per bad policy file.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "tdxsim/policy.h"
#include "tdxsim/table.h"

#define BAD TDXSIM_TEST_DATA "/policies/"
#define SHIPPED TDXSIM_DATA_DIR "/policies/"

/* Leaf numbers (linux-kvm-tdx.md §4). */
enum {
	VP_ENTER = 0, MNG_ADDCX = 1, PAGE_ADD = 2, SEPT_ADD = 3, AUG = 6, BLOCK = 7, MNG_CREATE = 9,
	VP_CREATE = 10, MR_EXTEND = 16, MR_FINALIZE = 17, VP_FLUSH = 18, VPFLUSHDONE = 19,
	KEY_FREEID = 20, MNG_INIT = 21, VP_INIT = 22, RECLAIM = 28, REMOVE = 29, SYS_INIT = 33,
	TRACK = 38, CACHE_WB = 40, WBINVD = 41,
};

#define BUSY_SEPT 0x8000020000000092ull   /* TDX_OPERAND_BUSY | SEPT_TREE */
#define BUSY_RCX 0x8000020000000001ull    /* SEPT entry (host) or page on RCX */
#define BUSY_RDX 0x8000020000000002ull    /* explicit TDR on RDX */
#define BUSY_EPOCH 0x80000200000000A9ull  /* TD_EPOCH */
#define BUSY_OPSTATE 0x80000200000000ACull

static const struct tdxsim_policy *B(const char *name)
{
	const struct tdxsim_policy *p = tdxsim_policy_builtin(name);
	if (!p)
		fail_msg("no built-in policy %s", name);
	return p;
}

static void expect_at(const char *file, int line, const struct tdxsim_policy *p, enum tdxsim_site site,
		      unsigned leaf, tdx_status_t st, unsigned attempt, enum tdxsim_action act, int err)
{
	struct tdxsim_decision d = tdxsim_policy_decide(p, site, leaf, st, attempt);
	if (d.action != act || (act == TDXSIM_ACT_ERRNO && d.err != err)) {
		print_error("%s:%d: %s: site %s leaf %u status 0x%016llx attempt %u: got %s (err %d), "
			    "expected %s (err %d)\n", file, line, p->name, tdxsim_site_name(site), leaf,
			    (unsigned long long)st, attempt, tdxsim_action_name(d.action), d.err,
			    tdxsim_action_name(act), err);
		_fail(file, line);
	}
}
#define EXPECT(p, site, leaf, st, attempt, act, err) \
	expect_at(__FILE__, __LINE__, (p), TDXSIM_SITE_##site, (leaf), (st), (attempt), TDXSIM_ACT_##act, (err))

static const enum tdxsim_site all_sites[] = {
	TDXSIM_SITE_INSTALL, TDXSIM_SITE_REMOVE, TDXSIM_SITE_BUILD,
	TDXSIM_SITE_ENTER, TDXSIM_SITE_TEARDOWN, TDXSIM_SITE_INIT,
};

/* ---- built-ins ---------------------------------------------------------------- */

static void builtin_names(void **state)
{
	(void)state;
	unsigned n = 0;
	const char *const *names = tdxsim_policy_builtin_names(&n);
	const char *want[] = { "kvm-6.16", "kvm-6.19", "sept-retry-v1", "eagain-kick-first", "retry16",
			       "zero-tolerance", "spec-retry" };
	assert_int_equal(n, 7);
	for (unsigned i = 0; i < 7; i++) {
		assert_string_equal(names[i], want[i]);
		const struct tdxsim_policy *p = B(want[i]);
		assert_string_equal(p->name, want[i]);
		assert_true(p->source[0] != 0);
		/* nrules counts exactly the initialised rules: each has an explicit operand
		 * (-1 or an ID > 0), and the slots after them are all zero. */
		assert_true(p->nrules > 0 && p->nrules <= TDXSIM_POLICY_MAX_RULES);
		for (unsigned r = 0; r < p->nrules; r++)
			assert_true(p->rules[r].operand != 0);
		static const struct tdxsim_policy_rule zero;
		for (unsigned r = p->nrules; r < TDXSIM_POLICY_MAX_RULES; r++)
			assert_memory_equal(&p->rules[r], &zero, sizeof(zero));
	}
	assert_null(tdxsim_policy_builtin("kvm-6.17"));
}

static void success_is_ok_everywhere(void **state)
{
	(void)state;
	unsigned n;
	const char *const *names = tdxsim_policy_builtin_names(&n);
	for (unsigned i = 0; i < n; i++)
		for (unsigned s = 0; s < 6; s++)
			for (unsigned leaf = 0; leaf < 64; leaf++)
				expect_at(__FILE__, __LINE__, B(names[i]), all_sites[s], leaf, TDX_SUCCESS, 0,
					  TDXSIM_ACT_OK, 0);
}

static void kvm_6_16(void **state)
{
	(void)state;
	const struct tdxsim_policy *p = B("kvm-6.16");
	/* Install (§1.2, §2): any BUSY -> -EBUSY -> RET_PF_RETRY; the fault loop retries. */
	EXPECT(p, INSTALL, AUG, BUSY_SEPT, 0, ERRNO, EBUSY);
	EXPECT(p, INSTALL, AUG, BUSY_SEPT, 1000, ERRNO, EBUSY);
	EXPECT(p, INSTALL, AUG, BUSY_RCX, 0, ERRNO, EBUSY);
	EXPECT(p, INSTALL, SEPT_ADD, BUSY_SEPT, 0, ERRNO, EBUSY);
	EXPECT(p, INSTALL, SEPT_ADD, BUSY_OPSTATE, 0, ERRNO, EBUSY);
	EXPECT(p, INSTALL, AUG, 0xC0000B0D00000001ull, 0, BUG, 0);        /* STATE_INCORRECT|RCX */
	assert_true(p->fault.local_retry);
	assert_int_equal(p->fault.max_local, 0);
	assert_true(p->fault.exit_on_events && p->fault.exit_on_signal && p->fault.exit_on_vm_dead);
	assert_false(p->fault.exit_on_memslot_invalid);
	/* Removal (§1.3): kick + retry once, then BUG. */
	EXPECT(p, REMOVE, BLOCK, BUSY_SEPT, 0, KICK_RETRY, 0);
	EXPECT(p, REMOVE, BLOCK, BUSY_SEPT, 1, BUG, 0);
	EXPECT(p, REMOVE, BLOCK, BUSY_RCX, 0, KICK_RETRY, 0);
	EXPECT(p, REMOVE, TRACK, BUSY_EPOCH, 0, KICK_RETRY, 0);
	EXPECT(p, REMOVE, TRACK, BUSY_EPOCH, 1, BUG, 0);
	EXPECT(p, REMOVE, TRACK, TDX_PREVIOUS_TLB_EPOCH_BUSY, 0, BUG, 0);
	EXPECT(p, REMOVE, REMOVE, BUSY_RCX, 0, KICK_RETRY, 0);
	EXPECT(p, REMOVE, REMOVE, BUSY_SEPT, 1, BUG, 0);
	EXPECT(p, REMOVE, WBINVD, BUSY_RCX, 0, BUG, 0);
	EXPECT(p, REMOVE, BLOCK, TDX_GPA_RANGE_ALREADY_BLOCKED, 0, BUG, 0);   /* KVM_BUG_ON(err) */
	assert_false(p->kick_before_block);
	/* Build (§1.2). */
	EXPECT(p, BUILD, PAGE_ADD, BUSY_RDX, 0, ERRNO, EBUSY);
	EXPECT(p, BUILD, PAGE_ADD, 0xC000030000000008ull, 0, ERRNO, EIO);       /* no bug in 6.16 */
	EXPECT(p, BUILD, MR_EXTEND, BUSY_RDX, 0, ERRNO, EIO);
	EXPECT(p, BUILD, MR_EXTEND, TDX_OPERAND_INVALID | 1, 0, ERRNO, EIO);
	EXPECT(p, BUILD, MR_FINALIZE, 0x8000020000000001ull, 0, ERRNO, EBUSY);
	EXPECT(p, BUILD, VP_CREATE, BUSY_RDX, 0, BUG, 0);
	EXPECT(p, BUILD, VP_INIT, 0x8000020000000080ull, 0, BUG, 0);
	EXPECT(p, BUILD, MNG_INIT, TDX_OPERAND_INVALID | 64, 0, ERRNO, EINVAL);
	for (unsigned a = 0; a < 9; a++)
		EXPECT(p, BUILD, MNG_CREATE, TDX_RND_NO_ENTROPY, a, RETRY, 0);   /* sc_retry */
	EXPECT(p, BUILD, MNG_CREATE, TDX_RND_NO_ENTROPY, 9, ERRNO, EAGAIN);
	EXPECT(p, BUILD, MNG_ADDCX, TDX_RND_NO_ENTROPY, 9, ERRNO, EAGAIN);
	EXPECT(p, BUILD, 8 /* KEY.CONFIG */, TDX_RND_NO_ENTROPY, 9, BUG, 0);
	/* VP.ENTER (§1.4): any BUSY leaves the fastpath; exits are OK. */
	EXPECT(p, ENTER, VP_ENTER, BUSY_SEPT, 0, EXIT_FASTPATH, 0);
	EXPECT(p, ENTER, VP_ENTER, BUSY_EPOCH, 0, EXIT_FASTPATH, 0);
	EXPECT(p, ENTER, VP_ENTER, 48, 0, OK, 0);                  /* EPT violation exit */
	EXPECT(p, ENTER, VP_ENTER, 77, 0, OK, 0);                  /* TDCALL exit */
	EXPECT(p, ENTER, VP_ENTER, TDX_HOST_PRIORITY_BUSY_TIMEOUT, 0, ERRNO, EIO);
	EXPECT(p, ENTER, VP_ENTER, TDX_SEAMCALL_UD, 0, BUG, 0);
	EXPECT(p, ENTER, VP_ENTER, TDX_NON_RECOVERABLE_TD, 0, ERRNO, EIO);
	EXPECT(p, ENTER, VP_ENTER, TDX_RND_NO_ENTROPY, 0, ERRNO, EIO); /* no sc_retry for VP.ENTER */
	/* Teardown (§1.2, §3). */
	EXPECT(p, TEARDOWN, CACHE_WB, TDX_INTERRUPTED_RESUMABLE, 0, RETRY, 0);
	EXPECT(p, TEARDOWN, CACHE_WB, TDX_INTERRUPTED_RESUMABLE, 9998, RETRY, 0);
	EXPECT(p, TEARDOWN, CACHE_WB, TDX_INTERRUPTED_RESUMABLE, 9999, WARN, 0);  /* 10000 calls */
	EXPECT(p, TEARDOWN, CACHE_WB, TDX_NO_HKID_READY_TO_WBCACHE, 0, OK, 0);
	EXPECT(p, TEARDOWN, CACHE_WB, 0x80000200000000BCull, 0, WARN, 0);
	EXPECT(p, TEARDOWN, VPFLUSHDONE, TDX_FLUSHVP_NOT_DONE, 0, ERRNO, EBUSY);
	EXPECT(p, TEARDOWN, VPFLUSHDONE, 0x80000200000000BAull, 0, BUG, 0);
	EXPECT(p, TEARDOWN, KEY_FREEID, TDX_HKID_NOT_FREE, 0, BUG, 0);
	EXPECT(p, TEARDOWN, RECLAIM, 0xC000030000000001ull, 0, WARN, 0);
	EXPECT(p, TEARDOWN, VP_FLUSH, TDX_VCPU_NOT_ASSOCIATED, 0, OK, 0);
	EXPECT(p, TEARDOWN, WBINVD, BUSY_RCX, 0, BUG, 0);
	/* Init (§4 sc_retry_prerr). */
	EXPECT(p, INIT, SYS_INIT, TDX_SEAMCALL_VMFAILINVALID, 0, ERRNO, ENODEV);
	EXPECT(p, INIT, SYS_INIT, TDX_SEAMCALL_GP, 0, ERRNO, EOPNOTSUPP);
	EXPECT(p, INIT, SYS_INIT, TDX_SEAMCALL_UD, 0, ERRNO, EACCES);
	EXPECT(p, INIT, SYS_INIT, TDX_SYS_BUSY, 0, ERRNO, EIO);
	EXPECT(p, INIT, SYS_INIT, TDX_RND_NO_ENTROPY, 3, RETRY, 0);
	EXPECT(p, INIT, SYS_INIT, TDX_RND_NO_ENTROPY, 9, ERRNO, EIO);
	/* Guest (§2, §6.1). */
	assert_false(p->guest.accept_retry_busy);
	assert_true(p->guest.accept_fallback);
	assert_int_equal(p->guest.mapgpa_max_no_progress, 3);
	assert_true(p->guest.mapgpa_check_r11);
}

static void kvm_6_19(void **state)
{
	(void)state;
	const struct tdxsim_policy *p = B("kvm-6.19");
	EXPECT(p, INSTALL, AUG, BUSY_SEPT, 0, ERRNO, EBUSY);
	EXPECT(p, REMOVE, BLOCK, BUSY_SEPT, 0, KICK_RETRY, 0);
	EXPECT(p, REMOVE, BLOCK, BUSY_SEPT, 1, BUG, 0);
	EXPECT(p, REMOVE, TRACK, BUSY_EPOCH, 0, KICK_RETRY, 0);
	EXPECT(p, REMOVE, REMOVE, BUSY_RCX, 1, BUG, 0);
	EXPECT(p, ENTER, VP_ENTER, BUSY_SEPT, 0, EXIT_FASTPATH, 0);
	EXPECT(p, BUILD, PAGE_ADD, BUSY_RDX, 0, ERRNO, EBUSY);
	/* The 6.19 difference: PAGE.ADD and MR.EXTEND errors bug the VM. */
	EXPECT(p, BUILD, PAGE_ADD, 0xC000030000000008ull, 0, BUG, 0);
	EXPECT(p, BUILD, MR_EXTEND, TDX_OPERAND_INVALID | 1, 0, BUG, 0);
	EXPECT(p, BUILD, MR_EXTEND, BUSY_RDX, 0, BUG, 0);
	EXPECT(p, BUILD, MR_FINALIZE, BUSY_RCX, 0, ERRNO, EBUSY);
	EXPECT(p, TEARDOWN, RECLAIM, 0xC000030000000001ull, 0, WARN, 0);  /* TDX_BUG_ON(.., NULL) */
	assert_true(p->fault.local_retry && p->fault.exit_on_vm_dead);
}

static void sept_retry_v1(void **state)
{
	(void)state;
	const struct tdxsim_policy *p = B("sept-retry-v1"), *k = B("kvm-6.16");
	/* Groups 1/2/3 are what merged: the rules are 6.16's, rule for rule. */
	assert_int_equal(p->nrules, k->nrules);
	assert_memory_equal(p->rules, k->rules, sizeof(p->rules));
	EXPECT(p, BUILD, PAGE_ADD, BUSY_RDX, 0, ERRNO, EBUSY);                    /* group 1 */
	EXPECT(p, INSTALL, SEPT_ADD, BUSY_SEPT, 0, ERRNO, EBUSY);                 /* group 2 */
	EXPECT(p, REMOVE, TRACK, BUSY_EPOCH, 0, KICK_RETRY, 0);                   /* group 3 */
	EXPECT(p, REMOVE, TRACK, BUSY_EPOCH, 1, BUG, 0);
	EXPECT(p, REMOVE, WBINVD, BUSY_RCX, 0, BUG, 0);                           /* patch 6 */
	/* The difference: v1's local loop has no VM-dead exit (UNVERIFIED). */
	assert_true(p->fault.local_retry && p->fault.exit_on_events && p->fault.exit_on_signal);
	assert_false(p->fault.exit_on_vm_dead);
}

static void eagain_kick_first(void **state)
{
	(void)state;
	const struct tdxsim_policy *p = B("eagain-kick-first");
	assert_true(p->kick_before_block);
	assert_false(p->fault.local_retry);                         /* resume the guest */
	EXPECT(p, INSTALL, AUG, BUSY_SEPT, 0, ERRNO, EAGAIN);
	EXPECT(p, INSTALL, SEPT_ADD, BUSY_RCX, 0, ERRNO, EAGAIN);
	EXPECT(p, INSTALL, AUG, 0xC0000B0D00000001ull, 0, BUG, 0);
	/* After the kick nothing can contend: BUSY on BLOCK / REMOVE is a KVM bug. */
	EXPECT(p, REMOVE, BLOCK, BUSY_SEPT, 0, BUG, 0);
	EXPECT(p, REMOVE, REMOVE, BUSY_RCX, 0, BUG, 0);
	/* The ERA loops the proposal leaves alone. */
	EXPECT(p, REMOVE, TRACK, BUSY_EPOCH, 0, RETRY, 0);
	EXPECT(p, REMOVE, TRACK, BUSY_EPOCH, 100000, RETRY, 0);
	EXPECT(p, REMOVE, WBINVD, BUSY_RCX, 7, RETRY, 0);
	EXPECT(p, REMOVE, WBINVD, BUSY_SEPT, 0, BUG, 0);
	/* VP.ENTER in that era: exact SEPT busy re-enters from the fastpath. */
	EXPECT(p, ENTER, VP_ENTER, BUSY_SEPT, 0, REENTER, 0);
	EXPECT(p, ENTER, VP_ENTER, BUSY_EPOCH, 0, ERRNO, EIO);
	EXPECT(p, BUILD, PAGE_ADD, BUSY_RDX, 0, ERRNO, EBUSY);
}

static void retry16(void **state)
{
	(void)state;
	const struct tdxsim_policy *p = B("retry16");
	assert_false(p->fault.local_retry);
	assert_false(p->kick_before_block);
	for (unsigned a = 0; a < 16; a++) {
		EXPECT(p, INSTALL, AUG, BUSY_SEPT, a, RETRY, 0);
		EXPECT(p, INSTALL, SEPT_ADD, BUSY_SEPT, a, RETRY, 0);
		EXPECT(p, REMOVE, BLOCK, BUSY_SEPT, a, RETRY, 0);
		EXPECT(p, REMOVE, REMOVE, BUSY_SEPT, a, RETRY, 0);
		EXPECT(p, BUILD, PAGE_ADD, BUSY_SEPT, a, RETRY, 0);
	}
	assert_int_equal(tdxsim_policy_decide(p, TDXSIM_SITE_INSTALL, AUG, BUSY_SEPT, 0).max_retries, 16);
	/* After 16 retries: the caller's handling. */
	EXPECT(p, INSTALL, AUG, BUSY_SEPT, 16, ERRNO, EAGAIN);
	EXPECT(p, INSTALL, SEPT_ADD, BUSY_SEPT, 16, ERRNO, EAGAIN);
	EXPECT(p, REMOVE, BLOCK, BUSY_SEPT, 16, BUG, 0);
	EXPECT(p, REMOVE, REMOVE, BUSY_SEPT, 16, BUG, 0);
	EXPECT(p, BUILD, PAGE_ADD, BUSY_SEPT, 16, ERRNO, EBUSY);
	/* Only the SEPT-tree operand is retried: BUSY|RCX (the guest's ACCEPT holding the
	 * entry) at install is KVM_BUG_ON. */
	EXPECT(p, INSTALL, AUG, BUSY_RCX, 0, BUG, 0);
	EXPECT(p, REMOVE, BLOCK, BUSY_RCX, 0, BUG, 0);
	EXPECT(p, REMOVE, TRACK, BUSY_EPOCH, 0, RETRY, 0);
	EXPECT(p, REMOVE, TRACK, BUSY_EPOCH, 1u << 20, RETRY, 0);
	EXPECT(p, ENTER, VP_ENTER, BUSY_SEPT, 0, REENTER, 0);
	EXPECT(p, ENTER, VP_ENTER, BUSY_SEPT, 100, REENTER, 0);
	EXPECT(p, ENTER, VP_ENTER, BUSY_EPOCH, 0, ERRNO, EIO);
}

static void zero_tolerance(void **state)
{
	(void)state;
	const struct tdxsim_policy *p = B("zero-tolerance");
	assert_false(p->fault.local_retry);
	assert_false(p->kick_before_block);
	static const tdx_status_t busies[] = { BUSY_SEPT, BUSY_RCX, BUSY_RDX, BUSY_EPOCH, BUSY_OPSTATE };
	/* Never a retry or a kick, for any BUSY, anywhere. */
	for (unsigned s = 0; s < 6; s++)
		for (unsigned leaf = 0; leaf < 64; leaf++)
			for (unsigned b = 0; b < 5; b++) {
				struct tdxsim_decision d =
					tdxsim_policy_decide(p, all_sites[s], leaf, busies[b], 0);
				assert_int_not_equal(d.action, TDXSIM_ACT_RETRY);
				assert_int_not_equal(d.action, TDXSIM_ACT_KICK_RETRY);
				assert_int_not_equal(d.action, TDXSIM_ACT_REENTER);
				assert_int_not_equal(d.action, TDXSIM_ACT_EXIT_FASTPATH);
			}
	/* No-fail paths: BUG; elsewhere: errno. */
	EXPECT(p, REMOVE, BLOCK, BUSY_SEPT, 0, BUG, 0);
	EXPECT(p, REMOVE, TRACK, BUSY_EPOCH, 0, BUG, 0);
	EXPECT(p, REMOVE, REMOVE, BUSY_RCX, 0, BUG, 0);
	EXPECT(p, TEARDOWN, VPFLUSHDONE, 0x80000200000000BAull, 0, BUG, 0);
	EXPECT(p, INSTALL, AUG, BUSY_SEPT, 0, ERRNO, EBUSY);
	EXPECT(p, INSTALL, SEPT_ADD, BUSY_RCX, 0, ERRNO, EBUSY);
	EXPECT(p, ENTER, VP_ENTER, BUSY_SEPT, 0, ERRNO, EBUSY);
	EXPECT(p, BUILD, PAGE_ADD, BUSY_RDX, 0, ERRNO, EBUSY);
	EXPECT(p, BUILD, MR_FINALIZE, BUSY_RCX, 0, ERRNO, EBUSY);
}

static void spec_retry(void **state)
{
	(void)state;
	const struct tdxsim_policy *p = B("spec-retry");
	static const tdx_status_t busies[] = { BUSY_SEPT, BUSY_RCX, BUSY_RDX, BUSY_EPOCH, BUSY_OPSTATE };
	/* Every TDX_OPERAND_BUSY, anywhere, at any attempt: retry. */
	for (unsigned s = 0; s < 6; s++)
		for (unsigned leaf = 0; leaf < 64; leaf++)
			for (unsigned b = 0; b < 5; b++) {
				expect_at(__FILE__, __LINE__, p, all_sites[s], leaf, busies[b], 0,
					  TDXSIM_ACT_RETRY, 0);
				expect_at(__FILE__, __LINE__, p, all_sites[s], leaf, busies[b], 1u << 30,
					  TDXSIM_ACT_RETRY, 0);
			}
	assert_int_equal(tdxsim_policy_decide(p, TDXSIM_SITE_REMOVE, BLOCK, BUSY_SEPT, 5).max_retries, 0);
	/* Not TDX_OPERAND_BUSY: kvm-6.16's handling. */
	EXPECT(p, REMOVE, TRACK, TDX_PREVIOUS_TLB_EPOCH_BUSY, 0, BUG, 0);
	EXPECT(p, ENTER, VP_ENTER, TDX_HOST_PRIORITY_BUSY_TIMEOUT, 0, ERRNO, EIO);
	EXPECT(p, TEARDOWN, CACHE_WB, TDX_INTERRUPTED_RESUMABLE, 9999, WARN, 0);
	/* The spec's guest retries too. */
	assert_true(p->guest.accept_retry_busy);
	assert_int_equal(p->guest.accept_max_retries, 0);
	assert_true(p->fault.local_retry);
}

/* ---- the shipped files are the built-ins ----------------------------------------- */

static void expect_same_policy(const struct tdxsim_policy *got, const struct tdxsim_policy *want)
{
	assert_string_equal(got->name, want->name);
	assert_string_equal(got->source, want->source);
	assert_int_equal(got->kick_before_block, want->kick_before_block);
	assert_int_equal(got->fault.local_retry, want->fault.local_retry);
	assert_int_equal(got->fault.max_local, want->fault.max_local);
	assert_int_equal(got->fault.exit_on_events, want->fault.exit_on_events);
	assert_int_equal(got->fault.exit_on_signal, want->fault.exit_on_signal);
	assert_int_equal(got->fault.exit_on_vm_dead, want->fault.exit_on_vm_dead);
	assert_int_equal(got->fault.exit_on_memslot_invalid, want->fault.exit_on_memslot_invalid);
	assert_int_equal(got->guest.accept_retry_busy, want->guest.accept_retry_busy);
	assert_int_equal(got->guest.accept_max_retries, want->guest.accept_max_retries);
	assert_int_equal(got->guest.accept_fallback, want->guest.accept_fallback);
	assert_int_equal(got->guest.mapgpa_max_no_progress, want->guest.mapgpa_max_no_progress);
	assert_int_equal(got->guest.mapgpa_check_r11, want->guest.mapgpa_check_r11);
	assert_int_equal(got->nrules, want->nrules);
	for (unsigned i = 0; i < want->nrules; i++) {
		const struct tdxsim_policy_rule *a = &got->rules[i], *b = &want->rules[i];
		if (a->site != b->site || a->leaf != b->leaf || a->status != b->status ||
		    a->status_mask != b->status_mask || a->operand != b->operand || a->action != b->action ||
		    a->max_retries != b->max_retries || a->err != b->err)
			fail_msg("%s rule %u (file line %u): site %d leaf %d status %016llx/%016llx op %d %s "
				 "max %u err %d; built-in: site %d leaf %d status %016llx/%016llx op %d %s "
				 "max %u err %d", want->name, i, a->line, a->site, a->leaf,
				 (unsigned long long)a->status, (unsigned long long)a->status_mask, a->operand,
				 tdxsim_action_name(a->action), a->max_retries, a->err, b->site, b->leaf,
				 (unsigned long long)b->status, (unsigned long long)b->status_mask, b->operand,
				 tdxsim_action_name(b->action), b->max_retries, b->err);
		assert_true(a->line > 0);
	}
}

static void shipped_files_are_the_builtins(void **state)
{
	(void)state;
	struct tdxsim_error err;
	struct tdxsim_table *t = tdxsim_table_load(TDXSIM_DATA_DIR "/modules/tdx-1.5.05.yaml", &err);
	assert_non_null(t);
	unsigned n;
	const char *const *names = tdxsim_policy_builtin_names(&n);
	for (unsigned i = 0; i < n; i++) {
		char path[512];
		snprintf(path, sizeof(path), SHIPPED "%s.yaml", names[i]);
		struct tdxsim_policy p;
		tdxsim_error_clear(&err);
		if (tdxsim_policy_load(path, &p, &err) != 0)
			fail_msg("%s", err.msg);
		expect_same_policy(&p, B(names[i]));
		/* Leaf names resolve the same against the module table. */
		tdxsim_error_clear(&err);
		if (tdxsim_policy_load_ex(path, t, &p, &err) != 0)
			fail_msg("%s", err.msg);
		expect_same_policy(&p, B(names[i]));
		/* And through --policy resolution, by path. */
		tdxsim_error_clear(&err);
		assert_int_equal(tdxsim_policy_resolve(path, &p, &err), 0);
		expect_same_policy(&p, B(names[i]));
	}
	tdxsim_table_free(t);
}

/* ---- decision semantics on a user policy ------------------------------------------- */

static void user_policy_semantics(void **state)
{
	(void)state;
	struct tdxsim_error err;
	tdxsim_error_clear(&err);
	struct tdxsim_policy p;
	if (tdxsim_policy_load(BAD "good_custom.yaml", &p, &err) != 0)
		fail_msg("%s", err.msg);
	assert_string_equal(p.name, "custom");
	assert_string_equal(p.source, "unit test");
	assert_int_equal(p.nrules, 7);
	assert_int_equal(p.rules[0].line, 12);
	assert_int_equal(p.rules[1].line, 17);
	/* Defaults: upstream's fault loop; guest keys given override one by one. */
	assert_true(p.fault.local_retry && p.fault.exit_on_vm_dead);
	assert_true(p.guest.accept_retry_busy);
	assert_int_equal(p.guest.accept_max_retries, 5);
	assert_true(p.guest.accept_fallback);
	assert_int_equal(p.guest.mapgpa_max_no_progress, 3);
	/* Retry once, then kick (bound 2: attempt 1), then fall through to "error -> EIO". */
	EXPECT(&p, REMOVE, BLOCK, BUSY_SEPT, 0, RETRY, 0);
	EXPECT(&p, REMOVE, BLOCK, BUSY_SEPT, 1, KICK_RETRY, 0);
	EXPECT(&p, REMOVE, BLOCK, BUSY_SEPT, 2, ERRNO, EIO);
	/* Operand match, bounded: 3 retries, then the next rule that matches. */
	EXPECT(&p, INSTALL, AUG, BUSY_SEPT, 2, RETRY, 0);
	EXPECT(&p, INSTALL, AUG, BUSY_SEPT, 3, ERRNO, EIO);
	EXPECT(&p, INSTALL, AUG, BUSY_RCX, 0, ERRNO, EAGAIN);
	EXPECT(&p, INSTALL, AUG, BUSY_RDX, 0, ERRNO, EIO);
	/* A 0x value matches exactly. */
	EXPECT(&p, BUILD, PAGE_ADD, 0xC0000B0D00000001ull, 0, WARN, 0);
	EXPECT(&p, BUILD, PAGE_ADD, 0xC0000B0D00000002ull, 0, ERRNO, EIO);
	/* Informational: OK unless a rule says otherwise. */
	EXPECT(&p, TEARDOWN, CACHE_WB, TDX_NO_HKID_READY_TO_WBCACHE, 0, BUG, 0);
	EXPECT(&p, BUILD, 8, TDX_KEY_CONFIGURED, 0, OK, 0);
	/* No rule matched an error: BUG (a policy with no catch-all). */
	struct tdxsim_policy q = p;
	q.nrules = 1;
	EXPECT(&q, INSTALL, AUG, BUSY_SEPT, 0, BUG, 0);
	EXPECT(&q, REMOVE, BLOCK, BUSY_SEPT, 1, BUG, 0);      /* retry bound used up */
	EXPECT(&q, REMOVE, BLOCK, TDX_GPA_RANGE_ALREADY_BLOCKED, 0, OK, 0);
}

static void resolve(void **state)
{
	(void)state;
	struct tdxsim_error err;
	struct tdxsim_policy p;
	tdxsim_error_clear(&err);
	assert_int_equal(tdxsim_policy_resolve("retry16", &p, &err), 0);
	assert_memory_equal(&p, B("retry16"), sizeof(p));
	tdxsim_error_clear(&err);
	assert_int_equal(tdxsim_policy_resolve("kvm-6.20", &p, &err), -1);
	assert_string_equal(err.msg, "unknown policy 'kvm-6.20' (built-ins: kvm-6.16, kvm-6.19, sept-retry-v1, "
				     "eagain-kick-first, retry16, zero-tolerance, spec-retry; or a policy file)");
	tdxsim_error_clear(&err);
	assert_int_equal(tdxsim_policy_resolve(BAD "no_such.yaml", &p, &err), -1);
	assert_string_equal(err.msg, BAD "no_such.yaml: cannot open: No such file or directory");
	assert_int_equal(tdxsim_site_by_name("teardown"), TDXSIM_SITE_TEARDOWN);
	assert_int_equal(tdxsim_action_by_name("kick_retry"), TDXSIM_ACT_KICK_RETRY);
	assert_string_equal(tdxsim_policy_leaf_name(38), "TDH.MEM.TRACK");
	assert_int_equal(tdxsim_policy_leaf_by_name("TDH.PHYMEM.PAGE.WBINVD"), 41);
	assert_null(tdxsim_policy_leaf_name(15)); /* DEMOTE: UNVERIFIED, not in §4's table */
}

/* ---- bad files ----------------------------------------------------------------- */

static void expect_bad(const char *file, const struct tdxsim_table *t, const char *msg)
{
	char path[512], want[1024];
	snprintf(path, sizeof(path), BAD "%s", file);
	snprintf(want, sizeof(want), BAD "%s", msg);
	struct tdxsim_error err;
	tdxsim_error_clear(&err);
	struct tdxsim_policy p;
	assert_int_equal(tdxsim_policy_load_ex(path, t, &p, &err), -1);
	assert_string_equal(err.msg, want);
}

static void bad_files(void **state)
{
	(void)state;
	expect_bad("bad_key.yaml", NULL,
		   "bad_key.yaml:4: unknown key 'extra' (expected policy, source, doc, kick_before_block, "
		   "fault, guest, rules)");
	expect_bad("bad_rule_key.yaml", NULL,
		   "bad_rule_key.yaml:3: rule: unknown key 'when' (expected site, leaf, status, match, "
		   "operand, action, max_retries, errno)");
	expect_bad("bad_leaf.yaml", NULL,
		   "bad_leaf.yaml:4: rule: unknown leaf 'TDH.MEM.PAGE.AUGG' (not a SEAMCALL of "
		   "linux-kvm-tdx.md §4; give a leaf number or load with a module table)");
	expect_bad("bad_action.yaml", NULL,
		   "bad_action.yaml:5: rule: unknown action 'retryy' (expected ok, errno, retry, "
		   "kick_retry, bug, exit_fastpath, reenter, warn)");
	expect_bad("bad_site.yaml", NULL,
		   "bad_site.yaml:3: rule: unknown site 'fault' (expected any, install, remove, build, "
		   "enter, teardown, init)");
	expect_bad("bad_status.yaml", NULL,
		   "bad_status.yaml:3: rule: unknown status 'TDX_OPERAND_BUSSY' (expected a TDX status "
		   "name, NAME|OPERAND, a 0x value, or any, error, informational, non_recoverable, sw_error)");
	expect_bad("bad_operand.yaml", NULL, "bad_operand.yaml:3: rule: unknown operand 'SEPT_TRE'");
	expect_bad("bad_errno.yaml", NULL,
		   "bad_errno.yaml:3: rule: unknown errno 'EBUSYY' (expected EBUSY, EAGAIN, EIO, EINVAL, "
		   "ENODEV, EOPNOTSUPP, EACCES, ENOMEM, EPERM, EINTR, EFAULT, ENOSPC)");
	expect_bad("bad_errno_action.yaml", NULL,
		   "bad_errno_action.yaml:3: rule: 'errno' is only for action errno");
	expect_bad("bad_errno_missing.yaml", NULL,
		   "bad_errno_missing.yaml:3: rule: action errno needs key 'errno'");
	expect_bad("bad_max_retries.yaml", NULL,
		   "bad_max_retries.yaml:3: rule: 'max_retries' is only for actions retry and kick_retry");
	expect_bad("bad_kick_zero.yaml", NULL,
		   "bad_kick_zero.yaml:3: rule: kick_retry needs max_retries >= 1 (tdh_do_no_vcpus retries once)");
	expect_bad("bad_missing_action.yaml", NULL, "bad_missing_action.yaml:3: rule: missing key 'action'");
	expect_bad("bad_bool.yaml", NULL, "bad_bool.yaml:3: fault: 'local_retry' must be true or false");
	expect_bad("bad_fault_key.yaml", NULL,
		   "bad_fault_key.yaml:4: fault: unknown key 'max_loops' (expected local_retry, max_local, "
		   "exit_on_events, exit_on_signal, exit_on_vm_dead, exit_on_memslot_invalid)");
	expect_bad("bad_guest_value.yaml", NULL,
		   "bad_guest_value.yaml:3: guest: 'mapgpa_max_no_progress' must be an integer from 0 to 1000000000");
	expect_bad("bad_dup_key.yaml", NULL, "bad_dup_key.yaml:2: duplicate key 'policy'");
	expect_bad("bad_empty_rules.yaml", NULL,
		   "bad_empty_rules.yaml:2: 'rules' is empty: a policy needs at least one rule");
	expect_bad("bad_yaml.yaml", NULL,
		   "bad_yaml.yaml:4: YAML syntax error: did not find expected ',' or '}' (while parsing a flow mapping)");
	expect_bad("bad_match.yaml", NULL,
		   "bad_match.yaml:3: rule: TDX_SEAMCALL_UD carries bits 31:0 of its own; it can only match exactly");
	expect_bad("bad_no_name.yaml", NULL, "bad_no_name.yaml:1: missing key 'policy' (the policy's name)");

	struct tdxsim_error err;
	struct tdxsim_table *t = tdxsim_table_load(TDXSIM_DATA_DIR "/modules/tdx-1.5.05.yaml", &err);
	assert_non_null(t);
	expect_bad("bad_leaf.yaml", t,
		   "bad_leaf.yaml:4: rule: unknown leaf 'TDH.MEM.PAGE.AUGG' (not in module table tdx-1.5.05)");
	expect_bad("bad_leaf_tdcall.yaml", t,
		   "bad_leaf_tdcall.yaml:3: rule: leaf 'TDG.MEM.PAGE.ACCEPT' is a TDCALL; policies judge SEAMCALLs");
	tdxsim_table_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(builtin_names),
		cmocka_unit_test(success_is_ok_everywhere),
		cmocka_unit_test(kvm_6_16),
		cmocka_unit_test(kvm_6_19),
		cmocka_unit_test(sept_retry_v1),
		cmocka_unit_test(eagain_kick_first),
		cmocka_unit_test(retry16),
		cmocka_unit_test(zero_tolerance),
		cmocka_unit_test(spec_retry),
		cmocka_unit_test(shipped_files_are_the_builtins),
		cmocka_unit_test(user_policy_semantics),
		cmocka_unit_test(resolve),
		cmocka_unit_test(bad_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
