/* SPDX-License-Identifier: MIT */
/*
 * TDH.PHYMEM.CACHE.WB (40), reference §3, tdh_phymem_cache_wb.c; RCX = 0 (start)
 * or 1 (resume).  Runs under this package's WBT mutex and the KOT lock (sh).
 *
 * Interruption model (docs/api.md): one whole write-back of the package's caches
 * has tdxsim_module_config.cache_wb_chunks interrupt points; the host always has
 * an interrupt pending at each, so a complete write-back is a start followed by
 * cache_wb_chunks resumes: every call but the last returns
 * TDX_INTERRUPTED_RESUMABLE with the position kept in WBT.intr_point.
 */
#include <string.h>

#include "module/leaf_helpers.h"

/* Start: reset the interruption point and snapshot the HKIDs whose vCPUs have
 * been flushed (KOT state HKID_FLUSHED) into the package's WBT bitmap. */
TDXSIM_BODY(cache_wb_start)
{
	(void)st;
	unsigned pkg = leaf_pkg(m, x);
	struct wbt_entry *wbt = mod_wbt(m, pkg);
	uint64_t *bm = mod_wbt_hkids(m, pkg);
	wbt->intr_point = 0;
	/* CHOICE: the real module keeps the previous bitmap when no HKID is ready;
	 * it is dead data (intr_point is 0, and a new start rewrites it), so the
	 * emulator clears it to keep states canonical. */
	memset(bm, 0, m->lay.hkid_words * sizeof(uint64_t));
	bool any = false;
	for (unsigned h = 1; h < m->lay.n_hkids; h++) {
		if (mod_kot(m, h)->state == KOT_STATE_HKID_FLUSHED) {
			bm[h / 64] |= 1ull << (h % 64);
			any = true;
		}
	}
	if (!any)
		return TDX_NO_HKID_READY_TO_WBCACHE;
	return TDX_SUCCESS;
}

TDXSIM_BODY(cache_wb)
{
	(void)st;
	unsigned pkg = leaf_pkg(m, x);
	struct wbt_entry *wbt = mod_wbt(m, pkg);
	uint64_t *bm = mod_wbt_hkids(m, pkg);
	/* num_of_cached_sub_blocks = interrupt points + 1; one sub-block per call. */
	uint32_t total = wbt->num_sub_blocks + 1;
	uint32_t ip = wbt->intr_point + 1; /* WBNOINVDP of sub-block intr_point */
	if (ip < total) {
		wbt->intr_point = ip;
		return TDX_INTERRUPTED_RESUMABLE;
	}
	wbt->intr_point = 0;
	/* Done: LOCK BTR this package's bit in each snapshotted HKID's bitmap (atomic:
	 * CACHE.WB runs concurrently on other packages). */
	for (unsigned h = 1; h < m->lay.n_hkids; h++)
		if (bm[h / 64] & (1ull << (h % 64)))
			atomic_fetch_and(&mod_kot(m, h)->wbinvd_bitmap, (uint8_t)~(1u << pkg));
	/* CHOICE: the snapshot is dead once applied (the real module leaves it); cleared
	 * to keep states canonical. */
	memset(bm, 0, m->lay.hkid_words * sizeof(uint64_t));
	return TDX_SUCCESS;
}
