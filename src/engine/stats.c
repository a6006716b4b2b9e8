/* SPDX-License-Identifier: MIT */
/* Run statistics from the engine's observers (stats.h, docs/sim.md). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/sched_sim.h"
#include "engine/stats.h"

static const char *const counter_names[ST__COUNT] = {
	[ST_STEPS] = "steps",
	[ST_SEAMCALLS] = "seamcalls",
	[ST_TDCALLS] = "tdcalls",
	[ST_BUSY] = "busy",
	[ST_GUEST_BUSY] = "guest_busy",
	[ST_RETRIES] = "retries",
	[ST_KICKS] = "kicks",
	[ST_ZERO_STEP] = "zero_step",
	[ST_HP_TIMEOUTS] = "hp_timeouts",
	[ST_VM_BUGS] = "vm_bugs",
	[ST_VM_DEAD] = "vm_dead",
	[ST_USER_EXITS] = "user_exits",
	[ST_SIGNAL_EXITS] = "signal_exits",
	[ST_VMM_STALLS] = "vmm_stalls",
	[ST_FLOWS] = "flows",
	[ST_FAULTS] = "faults",
	[ST_REMOVALS] = "removals",
	[ST_ACCEPTS] = "accepts",
	[ST_MAPGPAS] = "mapgpas",
	[ST_MAX_RETRIES] = "max_retries",
	[ST_ACCEPTED] = "accepted",
	[ST_ACCEPT_FAILED] = "accept_failed",
	[ST_ACCESSES] = "accesses",
	[ST_MAPGPA_OK] = "mapgpa_ok",
	[ST_MAPGPA_FAILED] = "mapgpa_failed",
	[ST_GUEST_BUSY_SEEN] = "guest_busy_seen",
	[ST_GUEST_DONE] = "guest_done",
	[ST_ACTORS_DONE] = "actors_done",
	[ST_HALTED] = "halted",
	[ST_PROGRAMS_FAILED] = "programs_failed",
	[ST_MAPGPA_OUTSIDE] = "mapgpa_outside",
	[ST_MAPGPA_ACTIVE] = "mapgpa_active",
};

const char *stats_counter_name(enum stats_counter c)
{
	return (unsigned)c < ST__COUNT ? counter_names[c] : "?";
}

int stats_counter_by_name(const char *name)
{
	for (int i = 0; i < ST__COUNT; i++)
		if (!strcmp(counter_names[i], name))
			return i;
	return -1;
}

static const char *const hist_labels[STATS_HIST_BUCKETS] = {
	"0", "1", "2", "3-4", "5-8", "9-16", "17-32", "33-64", "65-128", ">128",
};

const char *stats_hist_label(unsigned b)
{
	return b < STATS_HIST_BUCKETS ? hist_labels[b] : "?";
}

static unsigned hist_bucket(uint64_t r)
{
	if (r <= 2)
		return (unsigned)r;
	unsigned b = 3;
	for (uint64_t lim = 4; lim <= 128; lim <<= 1, b++)
		if (r <= lim)
			return b;
	return STATS_HIST_BUCKETS - 1;
}

unsigned stats_flow_slot(uint64_t kind)
{
	if (kind < 16)
		return (unsigned)kind;
	if (kind >= VMM_FK_PROGRAM && kind < VMM_FK_PROGRAM + 16)
		return 16 + (unsigned)(kind - VMM_FK_PROGRAM);
	return 15;
}

const char *stats_flow_kind_name(unsigned slot, char *buf, unsigned len)
{
	/* Flow kinds of src/vmm/vmm.h (enum vmm_flow_kind) and programs (enum vmm_program,
	 * named as in scenarios). */
	static const char *const kinds[16] = {
		[VMM_FK_FAULT] = "fault", [VMM_FK_REMOVAL] = "removal", [VMM_FK_MAPGPA] = "mapgpa",
		[VMM_FK_KICK] = "kick", [STATS_FK_ACCEPT] = "accept",
	};
	static const char *const progs[VMM_PROG__COUNT] = {
		[VMM_PROG_VCPU_RUN] = "vcpu_run", [VMM_PROG_MODULE_INIT] = "module_init",
		[VMM_PROG_CPU_ONLINE] = "cpu_online", [VMM_PROG_CPU_OFFLINE] = "cpu_offline",
		[VMM_PROG_TD_CREATE] = "td_create", [VMM_PROG_TD_INIT_MEM] = "td_init_mem",
		[VMM_PROG_TD_FINALIZE] = "td_finalize", [VMM_PROG_VCPU_INIT] = "vcpu_init",
		[VMM_PROG_ZAP_RANGE] = "zap_range", [VMM_PROG_MEMSLOT_DELETE] = "memslot_delete",
		[VMM_PROG_TD_TEARDOWN] = "td_teardown", [VMM_PROG_PREFAULT] = "prefault",
	};
	const char *n = NULL;
	if (slot < 16)
		n = kinds[slot];
	else if (slot - 16 < VMM_PROG__COUNT)
		n = progs[slot - 16];
	if (n)
		return n;
	snprintf(buf, len, "kind%u", slot);
	return buf;
}

/* ---- side table: lock word -> holder leaf (open addressing, backward-shift delete) ---- */

struct holder_slot {
	uint64_t key;              /* word_off + 1; 0 = empty */
	int16_t ex_leaf;           /* exclusive holder, STATS_HOLDER_UNKNOWN if none */
	int16_t sh_leaf;           /* last shared acquirer */
	uint32_t sh_count;
};

struct holders {
	struct holder_slot *s;
	size_t cap, n;             /* cap: power of two */
};

static size_t hslot(const struct holders *h, uint64_t key)
{
	uint64_t x = key * 0x9E3779B97F4A7C15ull;
	return (size_t)(x >> 17) & (h->cap - 1);
}

static struct holder_slot *holders_find(struct holders *h, uint64_t word)
{
	if (!h->cap)
		return NULL;
	uint64_t key = word + 1;
	for (size_t i = hslot(h, key);; i = (i + 1) & (h->cap - 1)) {
		if (h->s[i].key == key)
			return &h->s[i];
		if (!h->s[i].key)
			return NULL;
	}
}

static int holders_grow(struct holders *h);

static struct holder_slot *holders_get(struct holders *h, uint64_t word)
{
	struct holder_slot *f = holders_find(h, word);
	if (f)
		return f;
	if ((h->n + 1) * 2 > h->cap && holders_grow(h) < 0)
		return NULL;
	uint64_t key = word + 1;
	size_t i = hslot(h, key);
	while (h->s[i].key)
		i = (i + 1) & (h->cap - 1);
	h->s[i] = (struct holder_slot){ key, STATS_HOLDER_UNKNOWN, STATS_HOLDER_UNKNOWN, 0 };
	h->n++;
	return &h->s[i];
}

static int holders_grow(struct holders *h)
{
	size_t ncap = h->cap ? h->cap * 2 : 1024;
	struct holder_slot *ns = calloc(ncap, sizeof(*ns));
	if (!ns)
		return -1;
	struct holder_slot *old = h->s;
	size_t ocap = h->cap;
	h->s = ns;
	h->cap = ncap;
	h->n = 0;
	for (size_t i = 0; i < ocap; i++)
		if (old[i].key) {
			size_t j = hslot(h, old[i].key);
			while (h->s[j].key)
				j = (j + 1) & (h->cap - 1);
			h->s[j] = old[i];
			h->n++;
		}
	free(old);
	return 0;
}

static void holders_del(struct holders *h, struct holder_slot *sl)
{
	size_t i = (size_t)(sl - h->s);
	h->s[i].key = 0;
	h->n--;
	/* Backward shift: move later entries of the probe chain into the hole. */
	for (size_t j = (i + 1) & (h->cap - 1); h->s[j].key; j = (j + 1) & (h->cap - 1)) {
		size_t home = hslot(h, h->s[j].key);
		bool move = (j > i) ? (home <= i || home > j) : (home <= i && home > j);
		if (move) {
			h->s[i] = h->s[j];
			h->s[j].key = 0;
			i = j;
		}
	}
}

/* ---- the collector ---- */

#define OPEN_FLOWS 8

struct open_flow {
	unsigned kind;
	uint64_t t0, retries;
};

struct actor_st {
	struct open_flow open[OPEN_FLOWS];
	unsigned nopen;
	int fail_holder;           /* holder of the lock the current leaf failed on */
	bool failed_lock;
	bool in_guest;             /* host side: VP.ENTER entered the guest */
	bool accept_open;          /* a guest accept of accept_gpa is in progress */
	uint64_t accept_gpa, accept_t0, accept_busy;
	uint64_t progress, blocked;
};

struct stats {
	struct engine *e;
	const struct tdxsim_table *t;
	bool mt;
	pthread_mutex_t mu;
	uint64_t c[ST__COUNT];
	struct stats_leaf *leaves;   /* [t->nleaves] */
	struct stats_busy *busy;     /* unsorted during the run */
	unsigned nbusy, capbusy;
	bool busy_sorted;
	struct stats_vm_bug *bugs;
	unsigned nbugs, capbugs;
	struct stats_flow flows[STATS_MAX_FLOW_KINDS];
	struct holders holders;
	struct actor_st *actors;
	unsigned n_actors;
	int leaf_accept;             /* table index of TDG.MEM.PAGE.ACCEPT, -1 */
	char holder_buf[64];
};

static void flow_begin(struct stats *s, struct actor_st *a, unsigned kind);

struct stats *stats_create(struct engine *e, bool threadsafe)
{
	struct stats *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->e = e;
	s->t = e->table;
	s->mt = threadsafe;
	pthread_mutex_init(&s->mu, NULL);
	s->leaves = calloc(s->t->nleaves ? s->t->nleaves : 1, sizeof(*s->leaves));
	s->n_actors = engine_n_actors(e);
	s->actors = calloc(s->n_actors ? s->n_actors : 1, sizeof(*s->actors));
	if (!s->leaves || !s->actors) {
		stats_destroy(s);
		return NULL;
	}
	for (unsigned i = 0; i < s->n_actors; i++)
		s->actors[i].fail_holder = STATS_HOLDER_NONE;
	/* Each actor's program reported VMM_EV_FLOW_BEGIN when the engine started it,
	 * before any observer: open it here, at the start of the run. */
	const struct tdxsim_scenario *scn = e->scn;
	for (unsigned i = 0; i < s->n_actors && i < scn->nactors; i++)
		if (!engine_actor(e, i)->done)
			flow_begin(s, &s->actors[i], stats_flow_slot(VMM_FK_PROGRAM + (uint64_t)scn->actors[i].host.id));
	const struct tdxsim_leaf *acc = tdxsim_table_find_leaf(s->t, "TDG.MEM.PAGE.ACCEPT");
	s->leaf_accept = acc ? (int)(acc - s->t->leaves) : -1;
	return s;
}

void stats_destroy(struct stats *s)
{
	if (!s)
		return;
	for (unsigned k = 0; k < STATS_MAX_FLOW_KINDS; k++)
		free(s->flows[k].lat);
	free(s->holders.s);
	free(s->leaves);
	free(s->busy);
	free(s->bugs);
	free(s->actors);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

static void lock_(struct stats *s)
{
	if (s->mt)
		pthread_mutex_lock(&s->mu);
}

static void unlock_(struct stats *s)
{
	if (s->mt)
		pthread_mutex_unlock(&s->mu);
}

static uint64_t now_of(struct stats *s)
{
	return tdxsim_world_now(s->e->w);
}

static void flow_begin(struct stats *s, struct actor_st *a, unsigned kind)
{
	s->flows[kind].begun++;
	if (a->nopen == OPEN_FLOWS) {
		/* Deeper nesting than any VMM flow has: forget the outermost. */
		memmove(&a->open[0], &a->open[1], (OPEN_FLOWS - 1) * sizeof(a->open[0]));
		a->nopen--;
	}
	a->open[a->nopen++] = (struct open_flow){ kind, now_of(s), 0 };
}

static void flow_push_lat(struct stats_flow *f, uint64_t v)
{
	if (f->nlat == f->cap) {
		uint64_t ncap = f->cap ? f->cap * 2 : 256;
		uint64_t *n = realloc(f->lat, ncap * sizeof(*n));
		if (!n)
			return;
		f->lat = n;
		f->cap = ncap;
	}
	f->lat[f->nlat++] = v;
}

static void flow_end(struct stats *s, struct actor_st *a, unsigned kind, uint64_t result)
{
	int k = (int)a->nopen - 1;
	while (k >= 0 && a->open[k].kind != kind)
		k--;
	struct stats_flow *f = &s->flows[kind];
	f->ended++;
	if (result)
		f->results_nonzero++;
	s->c[ST_FLOWS]++;
	if (k < 0)
		return; /* began before the observer was installed */
	struct open_flow o = a->open[k];
	/* Inner flows left open are abandoned with the outer one. */
	a->nopen = (unsigned)k;
	uint64_t t = now_of(s);
	flow_push_lat(f, t >= o.t0 ? t - o.t0 : 0);
	f->retries += o.retries;
	if (o.retries > f->max_retries)
		f->max_retries = o.retries;
	if (o.retries > s->c[ST_MAX_RETRIES])
		s->c[ST_MAX_RETRIES] = o.retries;
	f->hist[hist_bucket(o.retries)]++;
}

static void add_bug(struct stats *s, uint64_t leaf, uint64_t status)
{
	for (unsigned i = 0; i < s->nbugs; i++)
		if (s->bugs[i].leaf == leaf && s->bugs[i].status == status) {
			s->bugs[i].count++;
			return;
		}
	if (s->nbugs == s->capbugs) {
		unsigned ncap = s->capbugs ? s->capbugs * 2 : 8;
		struct stats_vm_bug *n = realloc(s->bugs, ncap * sizeof(*n));
		if (!n)
			return;
		s->bugs = n;
		s->capbugs = ncap;
	}
	s->bugs[s->nbugs++] = (struct stats_vm_bug){ leaf, status, 1 };
}

void stats_on_vmm(void *ctx, unsigned actor, enum vmm_event ev, uint64_t a, uint64_t b, uint64_t c)
{
	struct stats *s = ctx;
	(void)c;
	lock_(s);
	struct actor_st *as = actor < s->n_actors ? &s->actors[actor] : NULL;
	switch (ev) {
	case VMM_EV_SEAMCALL:
	case VMM_EV_BUSY:
		break; /* counted from the leaf executions themselves */
	case VMM_EV_RETRY:
		s->c[ST_RETRIES]++;
		if (as && as->nopen)
			as->open[as->nopen - 1].retries++;
		break;
	case VMM_EV_KICK:
		s->c[ST_KICKS]++;
		break;
	case VMM_EV_VM_BUG:
		/* leaf 0xFFFF (VMM_LEAF_NONE): killed without a SEAMCALL error. */
		s->c[a == 0xFFFF ? ST_VM_DEAD : ST_VM_BUGS]++;
		add_bug(s, a, b);
		break;
	case VMM_EV_ZERO_STEP:
		s->c[ST_ZERO_STEP]++;
		break;
	case VMM_EV_HP_TIMEOUT:
		s->c[ST_HP_TIMEOUTS]++;
		break;
	case VMM_EV_FLOW_BEGIN:
		if (as)
			flow_begin(s, as, stats_flow_slot(a));
		break;
	case VMM_EV_FLOW_END:
		if (as)
			flow_end(s, as, stats_flow_slot(a), b);
		break;
	case VMM_EV_STALL:
		s->c[ST_VMM_STALLS]++;
		break;
	case VMM_EV_USER_EXIT:
		s->c[a == 10 /* KVM_EXIT_INTR */ ? ST_SIGNAL_EXITS : ST_USER_EXITS]++;
		break;
	}
	unlock_(s);
}

/* The actor whose leaf execution this is (exec points into its eng_actor). */
static int actor_of_exec(struct stats *s, const void *exec)
{
	if (!exec || !s->n_actors)
		return -1;
	const uint8_t *base = (const uint8_t *)engine_actor(s->e, 0);
	const uint8_t *p = exec;
	if (p < base || p >= base + (size_t)s->n_actors * sizeof(struct eng_actor))
		return -1;
	return (int)((size_t)(p - base) / sizeof(struct eng_actor));
}

void stats_on_lock(void *ctx, const struct tdxsim_lock_event *ev)
{
	struct stats *s = ctx;
	int leaf = ev->leaf >= 0 ? ev->leaf : STATS_HOLDER_TD_EXIT;
	lock_(s);
	switch (ev->op) {
	case TDXSIM_LOCK_ACQUIRE:
	case TDXSIM_LOCK_PROMOTE:
		if (ev->result == TDX_SUCCESS) {
			struct holder_slot *h = holders_get(&s->holders, ev->word_off);
			if (!h)
				break;
			if (ev->mode == TDXSIM_MODE_EXCLUSIVE || ev->op == TDXSIM_LOCK_PROMOTE) {
				h->ex_leaf = (int16_t)leaf;
				if (ev->op == TDXSIM_LOCK_PROMOTE && h->sh_count)
					h->sh_count--;
			} else {
				h->sh_leaf = (int16_t)leaf;
				h->sh_count++;
			}
		} else {
			int a = actor_of_exec(s, ev->exec);
			struct holder_slot *h = holders_find(&s->holders, ev->word_off);
			int who = STATS_HOLDER_UNKNOWN;
			if (h && h->ex_leaf != STATS_HOLDER_UNKNOWN)
				who = h->ex_leaf;
			else if (h && h->sh_count)
				who = h->sh_leaf;
			else if ((ev->result & TDX_SEAMCALL_STATUS_MASK) == TDX_OPERAND_BUSY_HOST_PRIORITY)
				who = STATS_HOLDER_HP;
			if (a >= 0) {
				s->actors[a].fail_holder = who;
				s->actors[a].failed_lock = true;
			}
		}
		break;
	case TDXSIM_LOCK_PARTIAL:
		/* Half of a split try-acquire: its ACQUIRE event comes next (the
		 * holder is recorded then; a BUSY against the transient half is
		 * attributed to no holder). */
		break;
	case TDXSIM_LOCK_RELEASE: {
		struct holder_slot *h = holders_find(&s->holders, ev->word_off);
		if (!h)
			break;
		if (ev->mode == TDXSIM_MODE_EXCLUSIVE)
			h->ex_leaf = STATS_HOLDER_UNKNOWN;
		else if (h->sh_count)
			h->sh_count--;
		if (h->ex_leaf == STATS_HOLDER_UNKNOWN && !h->sh_count)
			holders_del(&s->holders, h);
		break;
	}
	}
	unlock_(s);
}

/* The derived "accept" flow (docs/sim.md): from the first TDG.MEM.PAGE.ACCEPT of a
 * GPA, through re-executions after TD exits and BUSY, to success or another error;
 * BUSY results count as its retries. */
static void accept_close(struct stats *s, struct actor_st *a, bool failed)
{
	struct stats_flow *f = &s->flows[STATS_FK_ACCEPT];
	uint64_t t = now_of(s);
	a->accept_open = false;
	f->ended++;
	if (failed)
		f->results_nonzero++;
	flow_push_lat(f, t >= a->accept_t0 ? t - a->accept_t0 : 0);
	f->retries += a->accept_busy;
	if (a->accept_busy > f->max_retries)
		f->max_retries = a->accept_busy;
	f->hist[hist_bucket(a->accept_busy)]++;
}

void stats_on_leaf_begin(void *ctx, unsigned actor, int side, int leaf, uint64_t t)
{
	struct stats *s = ctx;
	if (actor >= s->n_actors)
		return;
	lock_(s);
	struct actor_st *a = &s->actors[actor];
	if (side == TDXSIM_SIDE_HOST && a->in_guest) {
		/* The TD exit completing TDH.VP.ENTER, not a new call. */
		unlock_(s);
		return;
	}
	a->fail_holder = STATS_HOLDER_NONE;
	a->failed_lock = false;
	if (side == TDXSIM_SIDE_GUEST && leaf == s->leaf_accept) {
		/* RCX = GPA | level: an accept of another GPA starts a new flow. */
		uint64_t gpa = engine_actor(s->e, actor)->guest.guest.regs.r[OPERAND_ID_RCX];
		if (a->accept_open && a->accept_gpa != gpa)
			accept_close(s, a, true);
		if (!a->accept_open) {
			a->accept_open = true;
			a->accept_gpa = gpa;
			a->accept_t0 = t;
			a->accept_busy = 0;
			s->flows[STATS_FK_ACCEPT].begun++;
		}
	}
	unlock_(s);
}

static void add_busy(struct stats *s, int leaf, tdx_status_t st, int holder)
{
	uint32_t op = tdx_status_operand(st);
	for (unsigned i = 0; i < s->nbusy; i++)
		if (s->busy[i].leaf == leaf && s->busy[i].operand == op && s->busy[i].holder == holder) {
			s->busy[i].count++;
			return;
		}
	if (s->nbusy == s->capbusy) {
		unsigned ncap = s->capbusy ? s->capbusy * 2 : 16;
		struct stats_busy *n = realloc(s->busy, ncap * sizeof(*n));
		if (!n)
			return;
		s->busy = n;
		s->capbusy = ncap;
	}
	s->busy[s->nbusy++] = (struct stats_busy){ leaf, op, st, holder, 1 };
	s->busy_sorted = false;
}

void stats_on_leaf_end(void *ctx, unsigned actor, int side, int leaf, tdx_status_t status, uint64_t t)
{
	struct stats *s = ctx;
	(void)t;
	if (actor >= s->n_actors)
		return;
	lock_(s);
	struct actor_st *a = &s->actors[actor];
	if (leaf == TDXSIM_LEAF_TD_EXIT || leaf < 0 || (unsigned)leaf >= s->t->nleaves) {
		unlock_(s);
		return;
	}
	if (side == TDXSIM_SIDE_HOST) {
		if (a->in_guest) {
			/* VP.ENTER completed by the TD exit: already counted at entry. */
			a->in_guest = false;
			unlock_(s);
			return;
		}
		if (status == TDXSIM_STATUS_ENTERED) {
			a->in_guest = true;
			s->leaves[leaf].calls++;
			s->leaves[leaf].ok++;
			s->c[ST_SEAMCALLS]++;
			unlock_(s);
			return;
		}
	}
	if (side == TDXSIM_SIDE_GUEST && leaf == s->leaf_accept && a->accept_open &&
	    status != SIM_STATUS_TD_EXIT) {
		if ((status & TDX_SEAMCALL_STATUS_MASK) == TDX_OPERAND_BUSY)
			a->accept_busy++;
		else
			accept_close(s, a, status != TDX_SUCCESS);
	}
	struct stats_leaf *L = &s->leaves[leaf];
	L->calls++;
	s->c[side == TDXSIM_SIDE_HOST ? ST_SEAMCALLS : ST_TDCALLS]++;
	if (status == SIM_STATUS_TD_EXIT) {
		L->exits++;
		a->failed_lock = false;
		a->fail_holder = STATS_HOLDER_NONE;
		unlock_(s);
		return;
	}
	bool busy = (status & TDX_SEAMCALL_STATUS_MASK) == TDX_OPERAND_BUSY ||
		    (status & TDX_SEAMCALL_STATUS_MASK) == TDX_OPERAND_BUSY_HOST_PRIORITY;
	if (status == TDX_SUCCESS || !(status >> 63))
		L->ok++;
	else if (busy) {
		L->busy++;
		s->c[side == TDXSIM_SIDE_HOST ? ST_BUSY : ST_GUEST_BUSY]++;
		add_busy(s, leaf, status, a->failed_lock ? a->fail_holder : STATS_HOLDER_NONE);
	} else
		L->other++;
	a->failed_lock = false;
	a->fail_holder = STATS_HOLDER_NONE;
	unlock_(s);
}

void stats_on_step(void *ctx, unsigned actor, enum flow_ret r, uint64_t t, uint64_t cost)
{
	struct stats *s = ctx;
	(void)t;
	(void)cost;
	lock_(s);
	s->c[ST_STEPS]++;
	if (actor < s->n_actors) {
		if (r == FLOW_BLOCKED)
			s->actors[actor].blocked++;
		else
			s->actors[actor].progress++;
	}
	unlock_(s);
}

static int busy_cmp(const void *pa, const void *pb)
{
	const struct stats_busy *a = pa, *b = pb;
	if (a->leaf != b->leaf)
		return a->leaf < b->leaf ? -1 : 1;
	if (a->operand != b->operand)
		return a->operand < b->operand ? -1 : 1;
	if (a->holder != b->holder)
		return a->holder < b->holder ? -1 : 1;
	return 0;
}

static int bug_cmp(const void *pa, const void *pb)
{
	const struct stats_vm_bug *a = pa, *b = pb;
	if (a->leaf != b->leaf)
		return a->leaf < b->leaf ? -1 : 1;
	if (a->status != b->status)
		return a->status < b->status ? -1 : 1;
	return 0;
}

int stats_flow_kind_by_name(const char *name)
{
	char buf[32];
	for (unsigned k = 0; k < STATS_MAX_FLOW_KINDS; k++)
		if (!strcmp(stats_flow_kind_name(k, buf, sizeof(buf)), name))
			return (int)k;
	return -1;
}

static uint64_t ended_of(const struct stats *s, const char *name)
{
	int k = stats_flow_kind_by_name(name);
	return k >= 0 ? s->flows[k].ended : 0;
}

void stats_finish(struct stats *s)
{
	struct engine *e = s->e;
	struct guest_progress gp;
	memset(&gp, 0, sizeof(gp));
	guest_progress(engine_guest(e), &gp);
	s->c[ST_ACCEPTED] = gp.accepted;
	s->c[ST_ACCEPT_FAILED] = gp.accept_failed;
	s->c[ST_ACCESSES] = gp.accesses;
	s->c[ST_MAPGPA_OK] = gp.mapgpa_ok;
	s->c[ST_MAPGPA_FAILED] = gp.mapgpa_failed;
	s->c[ST_GUEST_BUSY_SEEN] = gp.busy_seen;
	s->c[ST_GUEST_DONE] = gp.done;
	s->c[ST_MAPGPA_OUTSIDE] = 0;
	s->c[ST_MAPGPA_ACTIVE] = 0;
	for (unsigned vm = 0; vm < e->scn->n_vms; vm++)
		for (unsigned v = 0; v < e->scn->n_vcpus; v++) {
			struct guest_mapgpa mg;
			if (!guest_mapgpa_state(engine_guest(e), vm, v, &mg))
				continue;
			s->c[ST_MAPGPA_OUTSIDE] += mg.resumed_outside;
			s->c[ST_MAPGPA_ACTIVE] += mg.active;
		}
	s->c[ST_ACTORS_DONE] = 0;
	s->c[ST_PROGRAMS_FAILED] = 0;
	for (unsigned i = 0; i < engine_n_actors(e); i++) {
		s->c[ST_ACTORS_DONE] += engine_actor(e, i)->done;
		if (engine_actor(e, i)->done && vmm_actor_result(engine_vmm(e), i) < 0)
			s->c[ST_PROGRAMS_FAILED]++;
	}
	char why[8];
	s->c[ST_HALTED] = tdxsim_world_halted(e->w, why, sizeof(why));
	s->c[ST_FAULTS] = ended_of(s, "fault");
	s->c[ST_REMOVALS] = ended_of(s, "removal");
	s->c[ST_ACCEPTS] = ended_of(s, "accept");
	s->c[ST_MAPGPAS] = ended_of(s, "mapgpa");
	if (s->nbusy)
		qsort(s->busy, s->nbusy, sizeof(*s->busy), busy_cmp);
	s->busy_sorted = true;
	if (s->nbugs)
		qsort(s->bugs, s->nbugs, sizeof(*s->bugs), bug_cmp);
}

uint64_t stats_counter(const struct stats *s, enum stats_counter c)
{
	return (unsigned)c < ST__COUNT ? s->c[c] : 0;
}

const struct stats_leaf *stats_leaf(const struct stats *s, unsigned leaf)
{
	return leaf < s->t->nleaves ? &s->leaves[leaf] : NULL;
}

unsigned stats_n_leaves(const struct stats *s)
{
	return s->t->nleaves;
}

const struct stats_busy *stats_busy_rows(const struct stats *s, unsigned *n)
{
	*n = s->nbusy;
	return s->busy;
}

const struct stats_vm_bug *stats_vm_bug_rows(const struct stats *s, unsigned *n)
{
	*n = s->nbugs;
	return s->bugs;
}

const struct stats_flow *stats_flow(const struct stats *s, unsigned kind)
{
	return kind < STATS_MAX_FLOW_KINDS ? &s->flows[kind] : NULL;
}

static int u64_cmp(const void *pa, const void *pb)
{
	uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
	return a < b ? -1 : a > b;
}

/* Nearest-rank percentiles. */
struct stats_latency stats_latency_of(uint64_t *v, uint64_t n)
{
	struct stats_latency l = { n, 0, 0, 0 };
	if (!n)
		return l;
	qsort(v, n, sizeof(*v), u64_cmp);
	uint64_t r50 = (n * 50 + 99) / 100, r99 = (n * 99 + 99) / 100;
	l.p50 = v[r50 ? r50 - 1 : 0];
	l.p99 = v[r99 ? r99 - 1 : 0];
	l.max = v[n - 1];
	return l;
}

struct stats_latency stats_flow_latency(const struct stats *s, unsigned kind)
{
	struct stats_latency l = { 0, 0, 0, 0 };
	if (kind >= STATS_MAX_FLOW_KINDS || !s->flows[kind].nlat)
		return l;
	const struct stats_flow *f = &s->flows[kind];
	uint64_t *copy = malloc(f->nlat * sizeof(*copy));
	if (!copy)
		return l;
	memcpy(copy, f->lat, f->nlat * sizeof(*copy));
	l = stats_latency_of(copy, f->nlat);
	free(copy);
	return l;
}

uint64_t stats_actor_progress(const struct stats *s, unsigned actor)
{
	return actor < s->n_actors ? s->actors[actor].progress : 0;
}

uint64_t stats_actor_blocked(const struct stats *s, unsigned actor)
{
	return actor < s->n_actors ? s->actors[actor].blocked : 0;
}

const char *stats_holder_name(const struct stats *s, int holder)
{
	switch (holder) {
	case STATS_HOLDER_UNKNOWN: return "(unknown)";
	case STATS_HOLDER_TD_EXIT: return "TD exit";
	case STATS_HOLDER_HP: return "(host priority)";
	case STATS_HOLDER_NONE: return "(no lock)";
	}
	if (holder >= 0 && (unsigned)holder < s->t->nleaves)
		return s->t->leaves[holder].name;
	return "?";
}

const struct tdxsim_table *stats_table(const struct stats *s)
{
	return s->t;
}

int stats_busy_holder(const struct stats *s, unsigned actor)
{
	if (actor >= s->n_actors || !s->actors[actor].failed_lock)
		return STATS_HOLDER_NONE;
	return s->actors[actor].fail_holder;
}
