// SPDX-License-Identifier: GPL-2.0
/*
 * lookup-bench - the per-attempt cost of the policy lookup, for
 * callgrind (tests/unit/lookup-bench.sh).
 *
 * Usage: lookup-bench N ROUNDS
 * Builds an allowlist and a denylist of N names each (m0, m1, ...; the
 * denylist's spelled with '-' for '_' where the allowlist has one) and
 * then, ROUNDS times, decides and computes the hints for each of four
 * names: the allowlist's last name, the denylist's last name, a name on
 * neither list and one with a '-'. kmods_bench_attempt() is what one
 * load attempt costs in igloo_kmods_decide_hints(); callgrind counts its
 * instructions. Prints the decisions, so that nothing is optimised away.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

static struct kmods_list *bench_list(unsigned int n, const char *prefix)
{
	size_t cap = (size_t)n * 16 + 1, pos = 0, size;
	struct kmods_list *l;
	char *text = malloc(cap);
	unsigned int i;

	if (!text)
		exit(1);
	text[0] = '\0';
	for (i = 0; i < n; i++)
		pos += snprintf(text + pos, cap - pos, "%s%s%u", i ? "," : "",
				prefix, i);
	if (kmods_list_size(NULL, text, &size))
		exit(1);
	l = malloc(size);
	if (!l || kmods_list_parse(NULL, text, l, size))
		exit(1);
	free(text);
	return l;
}

/* One attempt: the decision and the hints, as igloo_kmods makes them. */
__attribute__((noinline))
unsigned int kmods_bench_attempt(const char *name, const char *file,
				 const struct kmods_list *allow,
				 const struct kmods_list *deny)
{
	u32 hints;

	return kmods_policy_check(name, file, allow, deny, &hints) * 256 +
	       hints;
}

int main(int argc, char **argv)
{
	struct kmods_list *allow, *deny;
	unsigned int n, rounds, r, i, sum = 0;
	char names[4][32], files[4][32];

	if (argc != 3)
		return 64;
	n = strtoul(argv[1], NULL, 0);
	rounds = strtoul(argv[2], NULL, 0);
	allow = bench_list(n, "m_a");
	deny = bench_list(n, "m-d");
	snprintf(names[0], sizeof(names[0]), "m_a%u", n - 1);
	snprintf(names[1], sizeof(names[1]), "m_d%u", n - 1);
	snprintf(names[2], sizeof(names[2]), "m_x%u", n / 2);
	snprintf(names[3], sizeof(names[3]), "m-a%u", n / 3);
	for (i = 0; i < 4; i++)
		snprintf(files[i], sizeof(files[i]), "file%u", i);
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < 4; i++)
			sum += kmods_bench_attempt(names[i], files[i], allow,
						   deny);
	}
	printf("%u names: %u attempts, checksum %u\n", n, 4 * rounds, sum);
	free(allow);
	free(deny);
	return 0;
}
