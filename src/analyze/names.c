/* SPDX-License-Identifier: MIT */
/* Printable names for the analyzer's and differ's output. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "analyze/analyze.h"

const char *an_kind_name(enum tdxsim_lock_kind k)
{
	switch (k) {
	case TDXSIM_LK_MUTEX: return "mutex";
	case TDXSIM_LK_SHAREX: return "sharex";
	case TDXSIM_LK_SHAREX_HP: return "sharex_hp";
	case TDXSIM_LK_SEPT_ENTRY: return "sept_entry";
	}
	return "?";
}

const char *an_scope_name(enum tdxsim_scope s)
{
	switch (s) {
	case TDXSIM_SCOPE_GLOBAL: return "global";
	case TDXSIM_SCOPE_PACKAGE: return "package";
	case TDXSIM_SCOPE_TDMR: return "tdmr";
	case TDXSIM_SCOPE_TD: return "td";
	case TDXSIM_SCOPE_VCPU: return "vcpu";
	case TDXSIM_SCOPE_GPA: return "gpa";
	case TDXSIM_SCOPE_HPA: return "hpa";
	}
	return "?";
}

/* On which instances two users of a resource of this scope meet. */
const char *an_scope_desc(enum tdxsim_scope s)
{
	switch (s) {
	case TDXSIM_SCOPE_GLOBAL: return "module-wide";
	case TDXSIM_SCOPE_PACKAGE: return "same package";
	case TDXSIM_SCOPE_TDMR: return "same TDMR";
	case TDXSIM_SCOPE_TD: return "same TD";
	case TDXSIM_SCOPE_VCPU: return "same vCPU";
	case TDXSIM_SCOPE_GPA: return "same GPA";
	case TDXSIM_SCOPE_HPA: return "same physical page";
	}
	return "?";
}

const char *an_mode_name(enum tdxsim_mode m)
{
	return m == TDXSIM_MODE_EXCLUSIVE ? "exclusive" : "shared";
}

const char *an_hold_name(enum tdxsim_hold h)
{
	switch (h) {
	case TDXSIM_HOLD_LEAF: return "leaf";
	case TDXSIM_HOLD_UNTIL_TD_EXIT: return "until_td_exit";
	case TDXSIM_HOLD_UNTIL_GUEST_ENTRY: return "until_guest_entry";
	}
	return "?";
}

const char *an_side_name(enum tdxsim_side s)
{
	return s == TDXSIM_SIDE_GUEST ? "guest" : "host";
}

const char *an_step_kind_name(enum tdxsim_step_kind k)
{
	switch (k) {
	case TDXSIM_STEP_LOCK: return "lock";
	case TDXSIM_STEP_RELEASE: return "release";
	case TDXSIM_STEP_CHECK: return "check";
	case TDXSIM_STEP_WALK: return "walk";
	case TDXSIM_STEP_ASSOC: return "assoc";
	case TDXSIM_STEP_BODY: return "body";
	}
	return "?";
}

const char *an_via_name(enum tdxsim_via v)
{
	switch (v) {
	case TDXSIM_VIA_REG: return "reg";
	case TDXSIM_VIA_TDVPR_OWNER: return "tdvpr_owner";
	case TDXSIM_VIA_PAGE_OWNER: return "page_owner";
	case TDXSIM_VIA_SEPT_LEAF: return "sept_leaf";
	case TDXSIM_VIA_SEPT_CHILD: return "sept_child";
	}
	return "?";
}

const char *an_psize_name(enum tdxsim_pamt_size s)
{
	switch (s) {
	case TDXSIM_PSIZE_4K: return "4k";
	case TDXSIM_PSIZE_2M: return "2m";
	case TDXSIM_PSIZE_1G: return "1g";
	case TDXSIM_PSIZE_FROM_LEVEL: return "from_level";
	case TDXSIM_PSIZE_EXISTING: return "existing";
	}
	return "?";
}

const char *an_reason_kind_name(enum an_reason_kind k)
{
	switch (k) {
	case AN_R_MODULE_LOCK: return "module_lock";
	case AN_R_PHASE: return "phase";
	case AN_R_VMM_LOCK: return "vmm_lock";
	case AN_R_DISTINCT_PAGES: return "distinct_pages";
	case AN_R__COUNT: break;
	}
	return "?";
}

const char *an_status_text(tdx_status_t s, char *buf, unsigned len)
{
	const char *name = tdx_status_name(s & TDX_SEAMCALL_STATUS_MASK);
	uint32_t op = tdx_status_operand(s);
	const char *opn = tdx_operand_name(op);
	if (!name)
		snprintf(buf, len, "0x%016llX", (unsigned long long)s);
	else if (!op)
		snprintf(buf, len, "%s", name);
	else if (opn)
		snprintf(buf, len, "%s|%s", name, opn);
	else
		snprintf(buf, len, "%s|0x%X", name, op);
	return buf;
}

/* §7.2 op_state values. */
static const char *const op_state_names[] = {
	"UNINITIALIZED", "INITIALIZED", "RUNNABLE", "LIVE_EXPORT", "PAUSED_EXPORT", "POST_EXPORT",
	"MEMORY_IMPORT", "STATE_IMPORT", "POST_IMPORT", "LIVE_IMPORT", "FAILED_IMPORT",
};

void an_op_states_text(uint32_t mask, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = 0;
	if (!mask) {
		snprintf(buf, len, "(not consulted)");
		return;
	}
	for (unsigned i = 0; i < 32 && n < len; i++) {
		if (!(mask & (1u << i)))
			continue;
		int w;
		if (i < sizeof(op_state_names) / sizeof(op_state_names[0]))
			w = snprintf(buf + n, len - n, "%s%s", n ? "," : "", op_state_names[i]);
		else
			w = snprintf(buf + n, len - n, "%s%u", n ? "," : "", i);
		if (w < 0)
			break;
		n += (size_t)w;
	}
}

int an_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n;
}
