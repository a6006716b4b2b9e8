/* SPDX-License-Identifier: MIT */
/* errno values the VMM model returns, and the host core's SEAMCALL -> errno
 * conversion (linux-kvm-tdx.md §4 "Host-core conversion to errno"). */
#include "vmm/kvm.h"

int vmm_seamcall_errno(tdx_status_t s)
{
	switch (s) {
	case TDX_SUCCESS: return 0;
	case TDX_SEAMCALL_VMFAILINVALID: return -VMM_ENODEV;
	case TDX_SEAMCALL_GP: return -VMM_EOPNOTSUPP;
	case TDX_SEAMCALL_UD: return -VMM_EACCES;
	default: return -VMM_EIO;
	}
}

const char *vmm_errno_name(int e)
{
	if (e < 0)
		e = -e;
	switch (e) {
	case 0: return "0";
	case VMM_EINTR: return "EINTR";
	case VMM_EIO: return "EIO";
	case VMM_EAGAIN: return "EAGAIN";
	case VMM_ENOMEM: return "ENOMEM";
	case VMM_EACCES: return "EACCES";
	case VMM_EFAULT: return "EFAULT";
	case VMM_EBUSY: return "EBUSY";
	case VMM_ENODEV: return "ENODEV";
	case VMM_EINVAL: return "EINVAL";
	case VMM_ENOSPC: return "ENOSPC";
	case VMM_EOPNOTSUPP: return "EOPNOTSUPP";
	}
	return NULL;
}
