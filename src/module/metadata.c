/* SPDX-License-Identifier: MIT */
#include "module/metadata.h"
#include "module/mod.h"

tdx_status_t md_check_as_single_element_id(uint64_t id)
{
	bool reserved = ((id >> 24) & 0xFF) || ((id >> 47) & 7) || ((id >> 55) & 1) || ((id >> 62) & 1);
	bool last_elem = (id >> 34) & 0xF;
	bool last_field = (id >> 38) & 0x1FF;
	if (reserved || last_elem || last_field)
		return TDX_METADATA_FIELD_ID_INCORRECT;
	return TDX_SUCCESS;
}

int md_lookup(const struct md_field *t, unsigned n, uint64_t id)
{
	for (unsigned i = 0; i < n; i++)
		if (md_class_code(t[i].id) == md_class_code(id) &&
		    md_field_code(t[i].id) == md_field_code(id) &&
		    md_context_code(t[i].id) == md_context_code(id))
			return (int)i;
	return -1;
}

/*
 * The global-scope fields tdxsim implements, sorted by (class, field code) as
 * md_get_next_element_in_context walks them.  IDs are those Linux reads
 * (arch/x86/virt/vmx/tdx/tdx_global_metadata.c, tdx.h); values describe the
 * emulated 1.5.05 module and platform.
 */
enum {
	F_MINOR_VERSION, F_MAJOR_VERSION, F_UPDATE_VERSION, F_FEATURES0, F_NUM_CMRS, F_CMR_BASE0,
	F_CMR_SIZE0, F_MAX_TDMRS, F_MAX_RESERVED_PER_TDMR, F_PAMT_4K_ENTRY_SIZE,
	F_PAMT_2M_ENTRY_SIZE, F_PAMT_1G_ENTRY_SIZE, F_TDR_BASE_SIZE, F_TDCS_BASE_SIZE,
	F_TDVPS_BASE_SIZE, F_MAX_VCPUS_PER_TD, F__COUNT
};

const struct md_field md_sys_fields[] = {
	[F_MINOR_VERSION] = { 0x0800000100000003ull, "MINOR_VERSION" },
	[F_MAJOR_VERSION] = { 0x0800000100000004ull, "MAJOR_VERSION" },
	[F_UPDATE_VERSION] = { 0x0800000100000005ull, "UPDATE_VERSION" },
	[F_FEATURES0] = { 0x0A00000300000008ull, "TDX_FEATURES0" },
	[F_NUM_CMRS] = { 0x9000000100000000ull, "NUM_CMRS" },
	[F_CMR_BASE0] = { 0x9000000300000080ull, "CMR_BASE[0]" },
	[F_CMR_SIZE0] = { 0x9000000300000100ull, "CMR_SIZE[0]" },
	[F_MAX_TDMRS] = { 0x9100000100000008ull, "MAX_TDMRS" },
	[F_MAX_RESERVED_PER_TDMR] = { 0x9100000100000009ull, "MAX_RESERVED_PER_TDMR" },
	[F_PAMT_4K_ENTRY_SIZE] = { 0x9100000100000010ull, "PAMT_4K_ENTRY_SIZE" },
	[F_PAMT_2M_ENTRY_SIZE] = { 0x9100000100000011ull, "PAMT_2M_ENTRY_SIZE" },
	[F_PAMT_1G_ENTRY_SIZE] = { 0x9100000100000012ull, "PAMT_1G_ENTRY_SIZE" },
	[F_TDR_BASE_SIZE] = { 0x9800000100000000ull, "TDR_BASE_SIZE" },
	[F_TDCS_BASE_SIZE] = { 0x9800000100000100ull, "TDCS_BASE_SIZE" },
	[F_TDVPS_BASE_SIZE] = { 0x9800000100000200ull, "TDVPS_BASE_SIZE" },
	[F_MAX_VCPUS_PER_TD] = { 0x9900000100000008ull, "MAX_VCPUS_PER_TD" },
};
const unsigned md_sys_nfields = F__COUNT;

/* §1.7: TDX_FEATURES0 bit 4 relaxed_mem_mng_concurrency and bit 10
 * host_priority_locks are 1 in 1.5.05.  CHOICE: bit 18 (NO_RBP_MOD) is set too so
 * that Linux's check_features() accepts the module; whether 1.5.05 sets it is
 * UNVERIFIED. */
#define TDX_FEATURES0_VALUE ((1ull << 4) | (1ull << 10) | (1ull << 18))

uint64_t md_sys_read(struct tdxsim_mod *m, unsigned index)
{
	switch (index) {
	case F_MINOR_VERSION: return 5;
	case F_MAJOR_VERSION: return 1;
	case F_UPDATE_VERSION: return 5;
	case F_FEATURES0: return TDX_FEATURES0_VALUE;
	case F_NUM_CMRS: return 1; /* one CMR: the emulated TDX memory */
	case F_CMR_BASE0: return m->lay.mem_base;
	case F_CMR_SIZE0: return (uint64_t)m->lay.n_frames << 12;
	case F_MAX_TDMRS: return MAX_TDMRS;
	case F_MAX_RESERVED_PER_TDMR: return 16;
	case F_PAMT_4K_ENTRY_SIZE:
	case F_PAMT_2M_ENTRY_SIZE:
	case F_PAMT_1G_ENTRY_SIZE: return sizeof(struct pamt_entry);
	case F_TDR_BASE_SIZE: return PAGE_SIZE_4K;
	case F_TDCS_BASE_SIZE: return PAGE_SIZE_4K * MIN_NUM_TDCS_PAGES;
	case F_TDVPS_BASE_SIZE: return PAGE_SIZE_4K * MAX_NUM_TDVPS_PAGES;
	case F_MAX_VCPUS_PER_TD: return MAX_VCPUS_PER_TD;
	default: return 0;
	}
}
