// SPDX-License-Identifier: Apache-2.0
#include "status_wait.h"
#include "mono_clock.h"

#include <errno.h>
#include <time.h>

/*
 * Tight polling for this long before the first sleep: enough for a BMC
 * that is woken by the interrupt to run its state machine, on a loaded
 * machine too. Measured in time, as PAUSE lasts 10 to 150 cycles by CPU.
 */
#define SPIN_NS         100000u
#define SPINS_PER_CLOCK 32u
/* Sleeps: short while the BMC may be just descheduled, longer after. */
#define SHORT_SLEEP_NS  20000L
#define LONG_SLEEP_NS   50000L
#define SHORT_SLEEPS    100u

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
	__asm__ __volatile__("yield" ::: "memory");
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

void spin_ns(uint64_t ns)
{
	uint64_t until = mono_clock_ns() + ns;

	while (mono_clock_ns() < until)
		cpu_relax();
}

int status_wait(const struct sim_port *p, uint8_t mask, uint8_t want,
		uint64_t timeout_ns, enum host_wait how, struct status_wait *w)
{
	uint64_t start = mono_clock_ns();
	uint64_t spin_for = how == HOST_WAIT_SPIN || timeout_ns < SPIN_NS ? timeout_ns : SPIN_NS;
	uint64_t spin_until = start + spin_for;
	unsigned int sleeps = 0;

	for (unsigned int i = 1;; i++) {
		struct timespec ts = { 0 };
		uint64_t now;

		w->str = sim_port_read_status(p);
		if ((w->str & mask) == want)
			break;
		cpu_relax();
		if (i % SPINS_PER_CLOCK)
			continue;
		now = mono_clock_ns();
		if (now < spin_until)
			continue;
		if (now - start >= timeout_ns) {
			w->waited_ns = now - start;
			return -ETIMEDOUT;
		}
		ts.tv_nsec = sleeps < SHORT_SLEEPS ? SHORT_SLEEP_NS : LONG_SLEEP_NS;
		sleeps++;
		nanosleep(&ts, NULL);
	}
	w->waited_ns = mono_clock_ns() - start;
	return 0;
}
