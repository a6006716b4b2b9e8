/* SPDX-License-Identifier: MIT */
/*
 * Inside the guest layer: the guest state region, the guest's flows, and the
 * primitives they use (one TDCALL, one memory access).  docs/guest-model.md.
 *
 * Region layout (all plain data, zeroed at init, so that two worlds that differ only
 * in dead data still compare equal):
 *   struct guest_hdr | struct guest_vcpu[n_vms * n_vcpus] | uint64_t accepted[n_vms][words]
 */
#ifndef TDXSIM_GUEST_INTERNAL_H
#define TDXSIM_GUEST_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "guest/guest.h"
#include "module/mod.h"

#define GUEST_MAGIC 0x47535421u /* "GST!" */

/* Guest code addresses: every vCPU starts its program here; each instruction the
 * model completes advances RIP by GUEST_INSN_LEN (docs/guest-model.md "RIP"). */
#define GUEST_RIP_BASE 0xFFFFFFFF81000000ull
#define GUEST_INSN_LEN 4ull

/* TDCALL leaves (tdx-module-1.5.md §3; Linux asm/shared/tdx.h). */
#define TDG_VP_VMCALL 0ull
#define TDG_MEM_PAGE_ACCEPT 6ull
/* GHCI TDG.VP.VMCALL (linux-kvm-tdx.md §6). */
#define TDX_HYPERCALL_STANDARD 0ull
#define TDVMCALL_MAP_GPA 0x10001ull
#define TDVMCALL_STATUS_RETRY 1ull
#define EXIT_REASON_HLT 12ull
/* Linux's TDVMCALL_EXPOSE_REGS_MASK: RDX, RBX, RSI, RDI, R8-R15 (not RAX, RCX, RSP,
 * RBP) -- the gpr_select of every TDG.VP.VMCALL the guest makes. */
#define TDVMCALL_EXPOSE_REGS_MASK 0xFFCCull
/* Page sizes of TDG.MEM.PAGE.ACCEPT's RCX[2:0] (TDX_PS_4K/2M/1G). */
#define TDX_PS_4K 0u
#define TDX_PS_2M 1u
#define TDX_PS_1G 2u

enum guest_vstate {
	GV_NONE = 0,     /* no program started */
	GV_RUNNING,      /* its program runs */
	GV_FINISHED,     /* its program returned; the vCPU halts (TDVMCALL<HLT> loop) */
};

/* Where the vCPU's current TDCALL is (the TDCALL flow reads it when it resumes). */
enum guest_tc {
	TC_NONE = 0,
	TC_RUNNING,      /* in the module: stepped by guest_vcpu_step */
	TC_DONE,         /* completed; the outputs are in out[] */
	TC_EXIT,         /* ended in a TD exit (tc_exit); the vCPU has been entered again */
};

struct guest_hdr {
	uint32_t magic;
	uint32_t n_vms, n_vcpus, n_pages;
	uint64_t private_base;
	uint32_t bitmap_words;           /* accepted-page bitmap words per VM */
	uint32_t pad;
	uint64_t off_vcpus, off_bitmaps;
	struct tdxsim_guest_policy policy; /* a copy: the world holds no pointers */
};

struct guest_vcpu {
	uint8_t state;                   /* enum guest_vstate */
	uint8_t prog;                    /* enum guest_program */
	uint8_t tc;                      /* enum guest_tc */
	uint8_t tc_exit;                 /* enum tdxsim_exit_reason the TDCALL ended in */
	_Atomic uint8_t virq_pending;    /* a virtual interrupt waits for the guest (posted
	                                  * by other actors: atomic for the threads scheduler) */
	uint8_t panicked;                /* a TDG.VP.VMCALL TDCALL failed: Linux panics */
	uint8_t tc_restart;              /* TC_DONE without RIP progress (interrupted 2M ACCEPT) */
	uint8_t pad;
	uint32_t vo;                     /* module vcpu object + 1 (learnt from VP.ENTER) */
	uint32_t pad2;
	uint64_t rip;                    /* guest RIP (mirrored into vcpu_obj.guest_rip) */
	uint64_t prng;                   /* splitmix64 state: GUEST_PROG_ACCESS_RANDOM */
	uint64_t in[16];                 /* the TDCALL's input registers (zeroed once it is done) */
	uint64_t out[16];                /* its outputs as the guest sees them (zeroed by the
	                                  * flow that reads them: dead data stays zero) */
	/* MapGPA loop (linux §6.1) as the properties see it. */
	uint64_t mg_start0, mg_end;      /* the original [start, end) */
	uint64_t mg_start;               /* where the next MapGPA starts */
	uint64_t mg_r11;                 /* R11 of the last RETRY */
	uint32_t mg_retry;               /* retry_count (RETRYs without progress) */
	uint8_t mg_active;
	uint8_t mg_result;               /* 0 none, 1 ok, 2 failed */
	uint8_t pad3[2];
	uint64_t mg_outside;             /* resumed at an R11 outside [start0, end) */
	/* Progress counters (struct guest_progress and docs/guest-model.md). */
	uint64_t accepted;               /* 4K pages accepted */
	uint64_t accept_failed;          /* tdx_accept_memory() calls that returned false */
	uint64_t accept_busy_retries;    /* ACCEPTs re-issued after BUSY (retry variant) */
	uint64_t accept_restarts;        /* interrupted 2M ACCEPTs executed again */
	uint64_t accesses;               /* memory accesses completed */
	uint64_t faults;                 /* accesses that faulted (EPT-violation TD exits) */
	uint64_t mapgpa_ok, mapgpa_failed;
	uint64_t mapgpa_calls;           /* TDVMCALL<MapGPA> issued */
	uint64_t busy_seen;              /* TDCALLs that returned TDX_OPERAND_BUSY */
	uint64_t tdcalls;                /* TDCALLs completed or exited */
	uint64_t td_exits;               /* TD exits (any cause) */
	uint64_t kicks;                  /* TD exits caused by a host kick */
	uint64_t virqs;                  /* virtual interrupts taken */
	uint64_t halts;                  /* TDVMCALL<HLT> issued after the program ended */
};

/* Guest flow ids (the table is guest_flow_table()). */
enum guest_flow {
	GF_PROG_IDLE = GUEST_PROG_IDLE,
	GF_PROG_ACCEPT = GUEST_PROG_ACCEPT,
	GF_PROG_ACCESS_SEQ = GUEST_PROG_ACCESS_SEQ,
	GF_PROG_ACCESS_RANDOM = GUEST_PROG_ACCESS_RANDOM,
	GF_PROG_ZERO_STEP = GUEST_PROG_ZERO_STEP,
	GF_PROG_MAPGPA = GUEST_PROG_MAPGPA,
	GF_HALT = GUEST_PROG__COUNT, /* after a program: TDVMCALL<HLT> forever */
	GF_TDCALL,                   /* one TDCALL with in[] (re-executed as the module says) */
	GF_ACCESS,                   /* one memory access (re-executed after a fault) */
	GF_ACCEPT_MEMORY,            /* Linux tdx_accept_memory(start, end) */
	GF_TRY_ACCEPT_ONE,           /* Linux try_accept_one(start, level) */
	GF_MAP_GPA,                  /* Linux tdx_map_gpa(start, end) */
	GF__COUNT
};

/* The vCPU being stepped.  Flows get only a flow_ctx; which vCPU they run for is
 * known to guest_vcpu_step, which sets this before running them.  Thread-local and
 * outside the world (it is a C local in spirit: nothing reads it between steps). */
struct guest_cur {
	struct guest_hdr *g;
	struct guest_vcpu *gv;
	struct flow_stack *host;
	unsigned vm, vcpu;
	uint32_t vo;                     /* module vcpu object */
};
extern _Thread_local struct guest_cur guest_cur;

static inline struct guest_vcpu *guest_vcpus(const void *guest)
{
	const struct guest_hdr *g = guest;
	return (struct guest_vcpu *)((uint8_t *)guest + g->off_vcpus);
}
static inline struct guest_vcpu *guest_vcpu_of(void *guest, unsigned vm, unsigned vcpu)
{
	struct guest_hdr *g = guest;
	return guest_vcpus(guest) + (size_t)vm * g->n_vcpus + vcpu;
}
/* The TD's accepted-page bitmap: its vCPUs update it concurrently under the threads
 * scheduler, so the words are atomic. */
static inline _Atomic uint64_t *guest_bitmap(void *guest, unsigned vm)
{
	struct guest_hdr *g = guest;
	return (_Atomic uint64_t *)((uint8_t *)guest + g->off_bitmaps) + (size_t)vm * g->bitmap_words;
}

/* Record pages [gpa, gpa + n * 4K) of the current VM as accepted (or not). */
void guest_mark_range(uint64_t gpa, uint64_t n, bool accepted);
/* Set the guest RIP (also the module's view of it, vcpu_obj.guest_rip). */
void guest_set_rip(struct flow_ctx *c, uint64_t rip);
/* splitmix64 on the vCPU's PRNG state. */
uint64_t guest_rand(struct guest_vcpu *gv);

/* The flows (guest.c, accept.c, access.c, mapgpa.c). */
enum flow_ret guest_flow_tdcall(struct flow_ctx *c);
enum flow_ret guest_flow_access(struct flow_ctx *c);
enum flow_ret guest_flow_halt(struct flow_ctx *c);
enum flow_ret guest_flow_idle(struct flow_ctx *c);
enum flow_ret guest_flow_prog_accept(struct flow_ctx *c);
enum flow_ret guest_flow_accept_memory(struct flow_ctx *c);
enum flow_ret guest_flow_try_accept_one(struct flow_ctx *c);
enum flow_ret guest_flow_access_seq(struct flow_ctx *c);
enum flow_ret guest_flow_access_random(struct flow_ctx *c);
enum flow_ret guest_flow_zero_step(struct flow_ctx *c);
enum flow_ret guest_flow_prog_mapgpa(struct flow_ctx *c);
enum flow_ret guest_flow_map_gpa(struct flow_ctx *c);

/* Set the TDCALL inputs of the current vCPU (other registers 0). */
static inline void guest_tdcall_regs(uint64_t rax, uint64_t rcx)
{
	struct guest_vcpu *gv = guest_cur.gv;
	for (unsigned i = 0; i < 16; i++)
		gv->in[i] = 0;
	gv->in[OPERAND_ID_RAX] = rax;
	gv->in[OPERAND_ID_RCX] = rcx;
}

#endif
