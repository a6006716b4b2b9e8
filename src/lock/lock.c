/* SPDX-License-Identifier: MIT */
/*
 * The lock operations themselves are static inline in include/tdxsim/lock.h so
 * that the uncontended fast path is just the real atomic instructions, with no
 * call (bench/bench_lock.c measures it).  This file holds what need not be inline.
 */
#include "tdxsim/lock.h"

const char *tdxsim_lock_err_name(enum tdxsim_lock_err e)
{
	switch (e) {
	case TDXSIM_LOCK_OK: return "ok";
	case TDXSIM_LOCK_NOT_HELD: return "not held";
	case TDXSIM_LOCK_OVERFLOW: return "counter overflow";
	}
	return "invalid lock error";
}
