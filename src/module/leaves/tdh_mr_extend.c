/* SPDX-License-Identifier: MIT */
/*
 * TDH.MR.EXTEND (16), reference §3; RCX = GPA of a 256-byte chunk, RDX = TDR (ex).
 * The walk and the MAPPED check before this body are the SEPT leaves' steps.
 */
#include <xxhash.h>

#include "module/leaf_helpers.h"

/* SHA-384 update of MRTD with "MR.EXTEND", the GPA and the chunk.  The emulator
 * has no page contents: MRTD is an xxh64 chain over the tag and the GPA, which
 * keeps its one observable property, that it depends on the order of extends. */
TDXSIM_BODY(mr_extend)
{
	(void)st;
	struct td_obj *td = leaf_td(m, x);
	uint64_t buf[2] = { 0x444E45545845524Dull /* "MREXTEND" */, x->regs.r[OPERAND_ID_RCX] };
	td->mrtd = XXH64(buf, sizeof(buf), td->mrtd);
	return TDX_SUCCESS;
}
