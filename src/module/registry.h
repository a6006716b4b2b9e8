/* SPDX-License-Identifier: MIT */
/*
 * Name registry: every named check, walk, vCPU-association step, body and
 * condition ("when") that a lock table (docs/lock-table.md) may use, with the
 * arguments each accepts.  The table loader (src/io) validates names and
 * arguments here; the leaf interpreter attaches C functions to the ids.
 *
 * One X-macro list per kind, all sharing one id space (enum tdxsim_fn_id), so
 * a later file maps ids to function pointers of the right type, e.g.
 *
 *     #define CHECK_FN(name, ...) [TDXSIM_FN_##name] = tdxsim_check_##name,
 *     static const tdxsim_check_fn check_fns[TDXSIM_FN__COUNT] = {
 *             TDXSIM_CHECKS(CHECK_FN)
 *     };
 *
 * and a missing implementation is a link error.  A name may appear in one list
 * only (the shared enum makes a duplicate a compile error).
 *
 * Row shape: X(name, argkind, min_args, max_args, reg_use, "one-line description")
 *   argkind  NONE | SEPT_STATE (§5.1 state names) | LIFECYCLE (§7.1) |
 *            VCPU_STATE (§7.3) | LEVEL (LVL_PT..LVL_PML5, LVL_PWL) | OPERAND (§2.3)
 *   reg_use  NOREG: the step must not give reg:; REG: it must (the register the
 *            function reads and reports errors with); OPTREG: either.
 * Conditions are evaluated when their step is reached, with that step (its reg:
 * and vm:) in hand; they never fail a leaf, they only skip the step.
 *
 * Error statuses named in descriptions are what the C function must return;
 * "|op" means the operand ID is added (§2.1).
 */
#ifndef TDXSIM_MODULE_REGISTRY_H
#define TDXSIM_MODULE_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>

/* ---- checks: read state under the locks held; TDX_SUCCESS or a completion status ---- */
#define TDXSIM_CHECKS(X)                                                                   \
	/* dispatcher and system state (§7.4) */                                               \
	X(sys_ready, NONE, 0, 0, NOREG,                                                        \
	  "dispatcher gate: SYS_SHUTDOWN -> TDX_SYS_SHUTDOWN; sys_state != SYS_READY -> TDX_SYS_NOT_READY") \
	X(sys_not_shutdown, NONE, 0, 0, NOREG,                                                 \
	  "dispatcher gate for leaves allowed before SYS_READY: SYS_SHUTDOWN -> TDX_SYS_SHUTDOWN") \
	X(sys_init_pending, NONE, 0, 0, NOREG,                                                 \
	  "sys_state != SYSINIT_PENDING -> TDX_SYS_INIT_NOT_PENDING")                            \
	X(sys_lp_init_pending, NONE, 0, 0, NOREG,                                              \
	  "sys_state != SYSINIT_DONE -> TDX_SYS_LP_INIT_NOT_PENDING")                            \
	X(lp_not_initialized, NONE, 0, 0, NOREG,                                               \
	  "this LP's lp_is_init already set -> TDX_SYS_LP_INIT_DONE")                            \
	X(sys_config_pending, NONE, 0, 0, NOREG,                                               \
	  "sys_state != SYSINIT_DONE or num_of_init_lps != num_of_lps -> TDX_SYS_CONFIG_NOT_PENDING") \
	X(sys_key_config_pending, NONE, 0, 0, NOREG,                                           \
	  "sys_state != SYSCONFIG_DONE -> TDX_SYS_KEY_CONFIG_NOT_PENDING")                        \
	X(lp_init_done, NONE, 0, 0, NOREG,                                                     \
	  "this LP's lp_is_init clear -> TDX_SYS_LP_INIT_NOT_DONE (SYS.INFO/RD/RDALL only)")     \
	X(tdmr_valid, NONE, 0, 0, REG,                                                         \
	  "reg must be the base of a configured TDMR -> TDX_OPERAND_INVALID|reg (code UNVERIFIED)") \
	/* operands */                                                                         \
	X(reg_zero, NONE, 0, 0, REG,                                                           \
	  "reg must be 0 -> TDX_OPERAND_INVALID|reg")                                            \
	X(hkid_private, NONE, 0, 0, REG,                                                       \
	  "reg must be a private HKID with reserved bits 0 -> TDX_OPERAND_INVALID|reg")          \
	X(cpuid_maxval_not_limited, NONE, 0, 0, NOREG,                                         \
	  "IA32_MISC_ENABLE.LIMIT_CPUID_MAXVAL set -> TDX_LIMIT_CPUID_MAXVAL_SET")               \
	X(vp_enter_rcx_reserved, NONE, 0, 0, REG,                                              \
	  "reserved bits set in reg (TDVPR | flags) -> TDX_OPERAND_INVALID|reg")                 \
	X(vp_enter_flags_valid, NONE, 0, 0, REG,                                               \
	  "host_recoverability_hint (only after LAST_EXIT_ASYNC_TRAP) or resume_l1 misused -> TDX_OPERAND_INVALID|reg") \
	X(sept_gpa_valid, LEVEL, 2, 2, REG,                                                    \
	  "reg = {level[2:0], GPA}: level within [arg0, arg1], GPA aligned, private, within GPAW -> TDX_OPERAND_INVALID|reg") \
	X(source_page_shared, NONE, 0, 0, REG,                                                 \
	  "shared_hpa_check on the source page in reg -> <status>|reg (PAGE.ADD)")              \
	X(hpa_leaf_aligned, NONE, 0, 0, REG,                                                   \
	  "large page: the HPA in reg must be aligned to the leaf size found -> TDX_OPERAND_INVALID|reg (RECLAIM)") \
	X(hpa_split_hkid, NONE, 0, 0, REG,                                                     \
	  "take the HKID from reg's upper PA bits and mask them off the PA the next lock uses (WBINVD); no error") \
	X(cache_wb_cmd_valid, NONE, 0, 0, REG,                                                 \
	  "reg must be 0 (start) or 1 (resume) -> TDX_OPERAND_INVALID|reg")                      \
	/* TD build state (§1.6, §7.1) */                                                      \
	X(td_state_map_tdcs, NONE, 0, 0, NOREG,                                                \
	  "check_state_map_tdcs: TDR.fatal -> TDX_TD_FATAL; lifecycle != KEYS_CONFIGURED -> TDX_TD_KEYS_NOT_CONFIGURED; num_tdcx < 6 -> TDX_TDCS_NOT_ALLOCATED; map TDCS") \
	X(td_not_fatal, NONE, 0, 0, NOREG,                                                     \
	  "TDR.fatal -> TDX_TD_FATAL")                                                           \
	X(td_keys_configured, NONE, 0, 0, NOREG,                                               \
	  "lifecycle != TD_KEYS_CONFIGURED -> TDX_TD_KEYS_NOT_CONFIGURED")                       \
	X(td_lifecycle_in, LIFECYCLE, 1, 4, NOREG,                                             \
	  "the locked TDR's lifecycle must be one of the args -> TDX_LIFECYCLE_STATE_INCORRECT") \
	X(op_state_allowed, NONE, 0, 0, NOREG,                                                 \
	  "op_state must be in the leaf's op_states -> TDX_OP_STATE_INCORRECT (no operand); reads it under the locks held") \
	X(mng_tdcx_room, NONE, 0, 0, NOREG,                                                    \
	  "num_tdcx > 8 (MAX_NUM_TDCS_PAGES 9 reached) -> TDX_TDCX_NUM_INCORRECT")              \
	X(pkg_key_not_configured, NONE, 0, 0, NOREG,                                           \
	  "this package's bit set in TDR.pkg_config_bitmap -> TDX_KEY_CONFIGURED (informational)") \
	X(hkid_free, NONE, 0, 0, NOREG,                                                        \
	  "KOT entry of the HKID must be KOT_STATE_HKID_FREE -> TDX_HKID_NOT_FREE")              \
	X(vcpus_flushed, NONE, 0, 0, NOREG,                                                    \
	  "num_tdcx >= 6 and op_state != UNINITIALIZED and num_assoc_vcpus != 0 -> TDX_FLUSHVP_NOT_DONE") \
	X(wbcache_done, NONE, 0, 0, NOREG,                                                     \
	  "KOT[hkid].wbinvd_bitmap != 0 -> TDX_WBCACHE_NOT_COMPLETE")                            \
	X(vcpus_exist, NONE, 0, 0, NOREG,                                                      \
	  "num_vcpus == 0 -> TDX_NO_VCPUS")                                                      \
	X(td_no_children, NONE, 0, 0, NOREG,                                                   \
	  "TDR.chldcnt != 0 -> TDX_TD_ASSOCIATED_PAGES_EXIST")                                   \
	X(td_epoch_overflow_halt, NONE, 0, 0, NOREG,                                           \
	  "module halt (fatal) if TD_EPOCH >= 2^63-1 after the increment (1.5.05 TRACK)")        \
	X(prev_epoch_refcount_zero, NONE, 0, 0, NOREG,                                         \
	  "REFCOUNT[1 - (TD_EPOCH & 1)] != 0 -> TDX_PREVIOUS_TLB_EPOCH_BUSY")                    \
	/* vCPU (§7.3) */                                                                      \
	X(vcpu_state_in, VCPU_STATE, 1, 5, NOREG,                                              \
	  "vCPU state must be one of the args -> TDX_VCPU_STATE_INCORRECT")                      \
	X(vp_tdcx_room, NONE, 0, 0, NOREG,                                                     \
	  "num_tdvps_pages >= MAX -> TDX_TDCX_NUM_INCORRECT")                                    \
	X(x2apic_id_unique, NONE, 0, 0, REG,                                                   \
	  "the x2APIC ID in reg must differ from every initialized vCPU's -> TDX_X2APIC_ID_NOT_UNIQUE") \
	X(tdvps_pages_complete, NONE, 0, 0, NOREG,                                             \
	  "map the TDVPS; page count wrong -> TDX_TDCX_NUM_INCORRECT")                           \
	X(vcpu_associated_here, NONE, 0, 0, NOREG,                                             \
	  "assoc_lpid != this LP -> TDX_VCPU_NOT_ASSOCIATED")                                    \
	X(tsc_adjust_consistent, NONE, 0, 0, NOREG,                                            \
	  "IA32_TSC_ADJUST mismatch -> TDX_INCONSISTENT_MSR|0x3B (MSR address as operand)")      \
	X(tsc_not_rolled_back, NONE, 0, 0, NOREG,                                              \
	  "TSC went backwards -> TDX_TSC_ROLLBACK")                                              \
	X(monitor_mwait_allowed, NONE, 0, 0, NOREG,                                            \
	  "MONITOR/MWAIT enabled without ENABLE_MONITOR_FSM -> TDX_INCORRECT_MSR_VALUE|0x1A0 (IA32_MISC_ENABLE as the operand)")          \
	X(zero_step_gpas_accessible, NONE, 0, 0, NOREG,                                        \
	  "§4: translate every logged EPF GPA; one still faulting -> emulated EPT-violation TD exit (RAX=48), guest not entered") \
	/* SEPT entry (§5), checked after the entry lock on the re-read value */                \
	X(sept_state_in, SEPT_STATE, 1, 16, NOREG,                                             \
	  "locked SEPT entry's state must be one of the args -> TDX_EPT_ENTRY_STATE_INCORRECT|<GPA reg>") \
	X(sept_add_existing_allowed, NONE, 0, 0, NOREG,                                        \
	  "NL_MAPPED only for v1 with allow_existing or R8 = -1 (L2-only) -> TDX_EPT_ENTRY_STATE_INCORRECT|RCX (code UNVERIFIED)") \
	X(sept_not_blocked, NONE, 0, 0, NOREG,                                                 \
	  "entry already any-blocked -> TDX_GPA_RANGE_ALREADY_BLOCKED|RCX (bit 63 = 0)")         \
	X(sept_blocked, NONE, 0, 0, NOREG,                                                     \
	  "entry not any-blocked -> TDX_GPA_RANGE_NOT_BLOCKED|RCX")                              \
	X(tlb_tracked, OPERAND, 1, 1, NOREG,                                                   \
	  "is_tlb_tracked(BEPOCH of the mapped page or child SEPT page) false -> TDX_TLB_TRACKING_NOT_DONE|arg0") \
	X(sept_page_empty, NONE, 0, 0, NOREG,                                                  \
	  "all 512 entries of the child SEPT page must be FREE -> TDX_EPT_PAGE_NOT_FREE|RCX")    \
	X(mr_extend_leaf_mapped, NONE, 0, 0, NOREG,                                            \
	  "leaf found by the unlocked walk must be MAPPED -> TDX_EPT_ENTRY_NOT_PRESENT (no operand)") \
	X(accept_level_match, NONE, 0, 0, NOREG,                                               \
	  "non-free non-leaf entry at the requested level -> TDX_PAGE_SIZE_MISMATCH|level")      \
	X(accept_not_accepted, NONE, 0, 0, NOREG,                                              \
	  "guest-accessible leaf -> TDX_PAGE_ALREADY_ACCEPTED|level (bit 63 = 0)")               \
	X(accept_pending, NONE, 0, 0, NOREG,                                                   \
	  "state not PENDING/PENDING_EXPORTED_DIRTY -> release, EPT-violation TD exit (ACCEPT type)") \
	/* CACHE.WB (§3) */                                                                    \
	X(wbcache_resumable, NONE, 0, 0, NOREG,                                                \
	  "resume with intr_point == 0 -> TDX_WBCACHE_RESUME_ERROR")

/* ---- walks: read shared SEPT entries; failure returns with SEPT details in RCX/RDX ---- */
#define TDXSIM_WALKS(X)                                                                    \
	X(sept_walk, NONE, 0, 0, REG,                                                          \
	  "§1.6 under the tree lock: walk to the level in reg[2:0]; short -> TDX_EPT_WALK_FAILED|reg + details") \
	X(sept_walk_leaf, NONE, 0, 0, REG,                                                     \
	  "under the tree lock: walk to the leaf mapping the GPA in reg; none -> TDX_EPT_WALK_FAILED|reg") \
	X(sept_walk_unlocked, NONE, 0, 0, REG,                                                 \
	  "walk_private_gpa: no lock, to the requested level; short -> TDX_EPT_WALK_FAILED|reg (PAGE.ADD)") \
	X(sept_walk_to_leaf_unlocked, NONE, 0, 0, REG,                                         \
	  "check_and_walk_private_gpa_to_leaf: no lock; none -> TDX_EPT_ENTRY_NOT_PRESENT|reg + details (MR.EXTEND)") \
	X(accept_walk, NONE, 0, 0, REG,                                                        \
	  "guest, no lock, to the level in reg: short and leaf guest-accessible -> TDX_PAGE_ALREADY_ACCEPTED|level, else EPT-violation TD exit") \
	X(sept_walk_guest, NONE, 0, 0, REG,                                                    \
	  "guest, no lock: walk the L1 SEPT to the leaf for the GPA in reg; none -> TDX_EPT_WALK_FAILED|reg (code UNVERIFIED)")

/* ---- vCPU association (§1.5: a 32-bit CAS, not a lock) ---- */
#define TDXSIM_ASSOCS(X)                                                                   \
	X(associate_vcpu, NONE, 0, 0, NOREG,                                                   \
	  "CAS assoc_lpid VCPU_NO_LP -> this LP; other LP -> TDX_VCPU_ASSOCIATED; new: num_assoc_vcpus++ (never undone)")

/* ---- bodies: state transitions under the locks held; may return a status ---- */
#define TDXSIM_BODIES(X)                                                                   \
	X(mng_create, NONE, 0, 0, NOREG,                                                       \
	  "zero TDR, UUID (TDX_RND_NO_ENTROPY), KOT ASSIGNED, lifecycle HKID_ASSIGNED, TDR PAMT -> PT_TDR owner 0") \
	X(mng_addcx_init_page, NONE, 0, 0, NOREG,                                              \
	  "initialize the TDCX by index (2: all ones; 3: SEPTE_INIT_VALUE; else L2 init); index+1 == 6: migration key") \
	X(mng_addcx_commit, NONE, 0, 0, NOREG,                                                 \
	  "tdcx_pa[], num_tdcx++, chldcnt++ (non-atomic, TDR ex), TDCX PAMT -> PT_TDCX owner TDR") \
	X(mng_init, NONE, 0, 0, NOREG,                                                         \
	  "TD_PARAMS; num_vcpus = num_assoc_vcpus = 0, TD_EPOCH = 1, REFCOUNT = 0, hp_lock_timeout 1 s; op_state INITIALIZED") \
	X(mng_key_config, NONE, 0, 0, NOREG,                                                   \
	  "PCONFIG (MKTME busy -> TDX_OPERAND_BUSY|KET; entropy -> TDX_KEY_GENERATION_FAILED); set pkg bit; all -> KEYS_CONFIGURED") \
	X(mng_vpflushdone, NONE, 0, 0, NOREG,                                                  \
	  "KOT[hkid].wbinvd_bitmap = pkg_config_bitmap; lifecycle TD_BLOCKED; KOT state HKID_FLUSHED") \
	X(mng_key_freeid, NONE, 0, 0, NOREG,                                                   \
	  "KOT state HKID_FREE; lifecycle TD_TEARDOWN")                                          \
	X(mng_key_reclaimid, NONE, 0, 0, NOREG,                                                \
	  "no-op; TDX_SUCCESS in 1.5")                                                           \
	X(mng_rd, NONE, 0, 0, NOREG, "TD metadata read")                                       \
	X(mng_wr, NONE, 0, 0, NOREG, "TD metadata write (some fields by CAS)")                 \
	X(mr_extend, NONE, 0, 0, NOREG, "SHA-384 update of MRTD with the 256-byte chunk")       \
	X(mr_finalize, NONE, 0, 0, NOREG, "finalize MRTD and SERVTD hash; op_state RUNNABLE")   \
	X(vp_create, NONE, 0, 0, NOREG,                                                        \
	  "zero TDVPR, assoc_lpid = -1, atomic chldcnt++, TDVPR PAMT -> PT_TDVPR owner TDR")     \
	X(vp_addcx, NONE, 0, 0, NOREG,                                                         \
	  "add the TDVPS page, atomic chldcnt++, TDCX PAMT -> PT_TDCX owner TDR")                \
	X(vp_init_alloc_index, NONE, 0, 0, NOREG,                                              \
	  "vcpu_index = XADD num_vcpus; >= max_vcpus -> undo, TDX_MAX_VCPUS_EXCEEDED")           \
	X(vp_init, NONE, 0, 0, NOREG,                                                          \
	  "state VCPU_READY; associate with this LP (assoc_lpid, num_assoc_vcpus++)")            \
	X(tlb_epoch_enter, NONE, 0, 0, NOREG,                                                  \
	  "§5.3 adjust_tlb_tracking_state: read TD_EPOCH, atomic REFCOUNT[TD_EPOCH & 1]++")      \
	X(tlb_epoch_revert, NONE, 0, 0, NOREG,                                                 \
	  "revert_tlb_tracking_state: REFCOUNT[vcpu_epoch & 1]--")                               \
	X(tlb_flush_if_stale, NONE, 0, 0, NOREG,                                               \
	  "TD_EPOCH != vcpu_epoch and not a new association: INVEPT, drop soft GPAs; vcpu_epoch = TD_EPOCH") \
	X(vp_enter_prepare, NONE, 0, 0, NOREG,                                                 \
	  "L2 entry handling, #VE injection (notify_ept_faults), vp_ctx setup")                  \
	X(vp_enter_vcpu_switch, NONE, 0, 0, NOREG,                                             \
	  "INVEPT + IBPB if a different vCPU than last time ran on this LP")                    \
	X(vp_enter_launch, NONE, 0, 0, NOREG,                                                  \
	  "state VCPU_ACTIVE; VMLAUNCH/VMRESUME (the guest runs until TD exit)")                 \
	X(vp_flush, NONE, 0, 0, NOREG,                                                         \
	  "INVEPT + VMCLEAR every VM; assoc_lpid = VCPU_NO_LP; atomic num_assoc_vcpus--")        \
	X(vp_rd, NONE, 0, 0, NOREG, "vCPU metadata read")                                      \
	X(vp_wr, NONE, 0, 0, NOREG, "vCPU metadata write")                                     \
	X(sept_add, NONE, 0, 0, NOREG,                                                         \
	  "new page := SEPTE_INIT_VALUE, PT_EPT owner TDR BEPOCH 0, chldcnt++; parent := NL_MAPPED with TDEL=1; v1: TDX_INTERRUPTED_RESUMABLE between L2 pages") \
	X(sept_remove, NONE, 0, 0, NOREG,                                                      \
	  "parent := SEPTE_INIT_VALUE (TDEL = HP = 0), chldcnt--, child PAMT -> PT_NDA; RCX = removed page") \
	X(page_add, NONE, 0, 0, NOREG,                                                         \
	  "copy; fresh MAPPED leaf (halt if TDEL set); SHA-384; chldcnt++; PAMT -> PT_REG owner TDR BEPOCH 0") \
	X(page_aug, NONE, 0, 0, NOREG,                                                         \
	  "fresh PENDING leaf (the store clears TDEL); atomic chldcnt += 512^level; PAMT -> PT_REG owner TDR BEPOCH 0") \
	X(page_remove, NONE, 0, 0, NOREG,                                                      \
	  "clear L2 aliases; entry := FREE+SVE (REMOVED if importing) in one store; chldcnt -= 512^level; PAMT -> PT_NDA; RCX = HPA") \
	X(range_block, NONE, 0, 0, NOREG,                                                      \
	  "blocked value from the locked copy (TDEL stays 1); block L2 aliases; PAMT BEPOCH := TD_EPOCH without a PAMT lock") \
	X(range_unblock, NONE, 0, 0, NOREG,                                                    \
	  "unblock L2 aliases (not PENDING); unblocked value with TDEL cleared, one 64-bit store")\
	X(mem_track, NONE, 0, 0, NOREG, "TD_EPOCH++")                                          \
	X(reclaim_report, NONE, 0, 0, NOREG,                                                   \
	  "RECLAIM outputs: RCX = PT, RDX = owner, R8 = level (set before the later checks)")   \
	X(page_reclaim, NONE, 0, 0, NOREG,                                                     \
	  "non-TDR: atomic owner chldcnt -= 512^level; page PAMT -> PT_NDA")                     \
	X(page_wbinvd, NONE, 0, 0, NOREG, "flush the page's cache lines with the HKID")       \
	X(cache_wb_start, NONE, 0, 0, NOREG,                                                   \
	  "snapshot the HKIDs in HKID_FLUSHED; none -> TDX_NO_HKID_READY_TO_WBCACHE (informational)") \
	X(cache_wb, NONE, 0, 0, NOREG,                                                         \
	  "WBNOINVDP loop; host interrupt -> save intr_point, TDX_INTERRUPTED_RESUMABLE; done: BTR pkg bit in each wbinvd_bitmap") \
	X(sept_rd, NONE, 0, 0, NOREG, "RCX/RDX := architectural SEPT entry and details")      \
	X(mem_rd, NONE, 0, 0, NOREG, "debug read of 8 bytes at the GPA")                       \
	X(mem_wr, NONE, 0, 0, NOREG, "debug write of 8 bytes at the GPA")                      \
	X(page_demote, NONE, 0, 0, NOREG,                                                      \
	  "split the large leaf into a SEPT page of 512 leaves; pamt_demote; may return TDX_INTERRUPTED_RESTARTABLE") \
	X(page_promote, NONE, 0, 0, NOREG,                                                     \
	  "merge 512 leaves into one (TDX_EPT_INVALID_PROMOTE_CONDITIONS); pamt_promote; may return TDX_INTERRUPTED_RESTARTABLE") \
	X(page_relocate, NONE, 0, 0, NOREG,                                                    \
	  "copy to the new page, remap the leaf, old PAMT -> PT_NDA, new -> PT_REG")             \
	X(sys_init, NONE, 0, 0, NOREG,                                                         \
	  "platform checks; SYSINIT_DONE; num_of_lps/pkgs, num_of_init_lps = 0, pkg_config_bitmap = 0") \
	X(sys_lp_init, NONE, 0, 0, NOREG,                                                      \
	  "per-LP checks; lp_is_init = true; atomic num_of_init_lps++")                         \
	X(sys_config, NONE, 0, 0, NOREG,                                                       \
	  "TDMR list, global private HKID (KOT entry RESERVED); SYSCONFIG_DONE")                 \
	X(sys_key_config, NONE, 0, 0, NOREG,                                                   \
	  "BTS pkg bit (set -> TDX_KEY_CONFIGURED); PCONFIG (busy -> TDX_OPERAND_BUSY|KET, bit cleared); last pkg -> SYS_READY") \
	X(sys_tdmr_init, NONE, 0, 0, NOREG,                                                    \
	  "init 1024 4K PAMT entries; RDX = last_initialized; complete -> TDX_TDMR_ALREADY_INITIALIZED") \
	X(sys_info, NONE, 0, 0, NOREG, "TDSYSINFO_STRUCT and CMR info")                        \
	X(sys_rd, NONE, 0, 0, NOREG, "global metadata read")                                   \
	X(sys_rdall, NONE, 0, 0, NOREG, "global metadata read, all fields")                    \
	X(page_accept, NONE, 0, 0, NOREG,                                                      \
	  "zero the page (2M: 4K chunks, accept_counter, early stop on interrupt); RWX=111, PENDING -> MAPPED; write the copy back") \
	X(page_attr_rd, NONE, 0, 0, NOREG, "read the page's attributes from the L1 entry")    \
	X(page_attr_wr, NONE, 0, 0, NOREG, "write the page's attributes (L2 aliases)")        \
	X(rtmr_extend, NONE, 0, 0, NOREG, "extend the RTMR")                                   \
	X(tdinfo_read, NONE, 0, 0, NOREG, "get_tdinfo_and_teeinfohash: read TDINFO incl. RTMRs") \
	X(mr_report, NONE, 0, 0, NOREG, "build TDREPORT (SEAMOPS)")                            \
	X(servtd_rd, NONE, 0, 0, NOREG, "read the target TD's metadata")                       \
	X(servtd_wr, NONE, 0, 0, NOREG, "write the target TD's metadata")                      \
	X(vp_vmcall, NONE, 0, 0, NOREG, "TD exit to the host VMM (TDVMCALL)")

/* ---- conditions for when: (never fail; false skips the step) ---- */
#define TDXSIM_CONDS(X)                                                                    \
	X(version_0, NONE, 0, 0, NOREG, "leaf version (RAX[23:16]) is 0")                      \
	X(version_ge_1, NONE, 0, 0, NOREG, "leaf version is 1 or more")                        \
	X(zero_step_suspected, NONE, 0, 0, NOREG,                                              \
	  "§4: the vCPU's last_epf_gpa_list_idx != 0 (EPT-fault stepping suspected)")            \
	X(entry_free, NONE, 0, 0, NOREG, "the SEPT entry locked by this leaf is FREE")         \
	X(not_tdr_page, NONE, 0, 0, NOREG, "the page locked by this leaf is not PT_TDR (RECLAIM)") \
	X(tdr_page, NONE, 0, 0, NOREG, "the page locked by this leaf is PT_TDR (RECLAIM)")     \
	X(l2_pages_present, NONE, 0, 0, NOREG,                                                 \
	  "SEPT.ADD: leaf version >= 1, L2 VM vm: exists and the step's register is not -1")    \
	X(l2_alias_present, NONE, 0, 0, NOREG,                                                 \
	  "L2 VM vm: exists and has an aliased SEPT page under the locked entry (SEPT.REMOVE)")  \
	X(tlb_tracking_required, NONE, 0, 0, NOREG,                                            \
	  "§5.3 sept_state_is_tlb_tracking_required(entry) and op_state is RUNNABLE/LIVE_EXPORT/LIVE_IMPORT") \
	X(tdcx_index_beyond_min, NONE, 0, 0, NOREG,                                            \
	  "MNG.ADDCX: index + 1 > MIN_NUM_TDCS_PAGES (6)")                                       \
	X(wbcache_start, NONE, 0, 0, NOREG, "CACHE.WB: RCX == 0")                              \
	X(wbcache_resume, NONE, 0, 0, NOREG, "CACHE.WB: RCX == 1")

/* Conditions that are each other's negation: a lock may appear twice in a step
 * list, unreleased, only under such a pair (VP.INIT: TDR sh / ex). */
#define TDXSIM_COND_OPPOSITES(X) \
	X(version_0, version_ge_1)   \
	X(not_tdr_page, tdr_page)    \
	X(wbcache_start, wbcache_resume)

enum tdxsim_fn_id {
#define TDXSIM_FN_ENUM(name, ...) TDXSIM_FN_##name,
	TDXSIM_CHECKS(TDXSIM_FN_ENUM)
	TDXSIM_WALKS(TDXSIM_FN_ENUM)
	TDXSIM_ASSOCS(TDXSIM_FN_ENUM)
	TDXSIM_BODIES(TDXSIM_FN_ENUM)
	TDXSIM_CONDS(TDXSIM_FN_ENUM)
#undef TDXSIM_FN_ENUM
	TDXSIM_FN__COUNT
};

enum tdxsim_fn_kind {
	TDXSIM_FK_CHECK,
	TDXSIM_FK_WALK,
	TDXSIM_FK_ASSOC,
	TDXSIM_FK_BODY,
	TDXSIM_FK_COND,
};

enum tdxsim_arg_kind {
	TDXSIM_ARG_NONE,
	TDXSIM_ARG_SEPT_STATE, /* FREE .. PENDING_EXPORTED_DIRTY_BLOCKEDW -> index 0..15 (§5.1) */
	TDXSIM_ARG_LIFECYCLE,  /* TD_HKID_ASSIGNED .. TD_TEARDOWN -> 0..3 (§7.1) */
	TDXSIM_ARG_VCPU_STATE, /* VCPU_UNINITIALIZED .. VCPU_IMPORT -> 0x0..0x10 (§7.3) */
	TDXSIM_ARG_LEVEL,      /* LVL_PT .. LVL_PML5 -> 0..4; LVL_PWL -> TDXSIM_LEVEL_PWL */
	TDXSIM_ARG_OPERAND,    /* §2.3 operand name -> operand ID */
};

/* "the TD's eptp page-walk level" as a level argument */
#define TDXSIM_LEVEL_PWL 15

enum tdxsim_reg_use {
	TDXSIM_REGUSE_NOREG,
	TDXSIM_REGUSE_REG,
	TDXSIM_REGUSE_OPTREG,
};

struct tdxsim_fn_info {
	const char *name;
	enum tdxsim_fn_kind kind;
	enum tdxsim_arg_kind arg;
	unsigned min_args, max_args;
	enum tdxsim_reg_use reg;
	const char *doc;
};

/* id for a name, -1 if unknown. */
int tdxsim_registry_lookup(const char *name);
/* Entry for an id, NULL if out of range. */
const struct tdxsim_fn_info *tdxsim_registry_get(int id);
/* The condition that is the negation of cond id, -1 if none. */
int tdxsim_registry_opposite(int id);
const char *tdxsim_fn_kind_name(enum tdxsim_fn_kind k);  /* "check", "walk" ... */
const char *tdxsim_arg_kind_name(enum tdxsim_arg_kind k); /* "SEPT state" ... */

/* Value of one argument name of the given kind (state index, lifecycle value,
 * vCPU state, level, operand ID), -1 if not a valid name of that kind. */
int tdxsim_registry_arg_value(enum tdxsim_arg_kind k, const char *name);
/* Name of an argument value (inverse of the above), NULL if none. */
const char *tdxsim_registry_arg_name(enum tdxsim_arg_kind k, int value);

/* Validate one use of id as a step of kind `as`, with its arguments and whether
 * the step gave reg:.  Returns NULL if valid, else a one-line message written
 * into buf (e.g. "check 'sept_state_in': unknown SEPT state 'FOO'"). */
const char *tdxsim_registry_check_use(int id, enum tdxsim_fn_kind as, const char *const *args,
				      unsigned nargs, bool has_reg, char *buf, size_t len);

#endif
