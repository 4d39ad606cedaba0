// SPDX-License-Identifier: GPL-2.0
/*
 * list-check - ask igloo_kmods' own list parser (policy.c, built for user
 * space as in tests/unit) what it makes of each argument, so that
 * tests/config.sh can hold igloo-kmods-config's checks against the
 * module's.
 *
 * Usage: list-check LIST...
 * Prints one line per LIST: "accepted <count> <list as the module prints
 * it back>" or "refused <errno>".
 */
#include <stdio.h>
#include <string.h>

#include "policy.h"

int main(int argc, char **argv)
{
	static struct kmods_list list;
	static char buf[KMODS_LIST_MAX * MODULE_NAME_LEN + 1];
	int i, err;

	for (i = 1; i < argc; i++) {
		memset(&list, 0, sizeof(list));
		err = kmods_list_parse(argv[i], &list);
		if (err) {
			printf("refused %d\n", -err);
			continue;
		}
		if (kmods_list_format(&list, buf, sizeof(buf)) < 0) {
			printf("refused format\n");
			continue;
		}
		printf("accepted %u %s\n", list.count, buf);
	}
	return 0;
}
