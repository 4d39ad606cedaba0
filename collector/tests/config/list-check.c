// SPDX-License-Identifier: GPL-2.0
/*
 * list-check - ask igloo_kmods' own list parser (policy.c, built for user
 * space as in tests/unit) what it makes of each argument, so that
 * tests/config.sh can hold igloo-kmods-config's checks against the
 * module's.
 *
 * Usage: list-check LIST...
 * Prints one line per LIST: "accepted <count> <list as the module prints
 * it back>" or "refused <errno>". A LIST that starts with '+' is appended
 * to the list before it, as igloo_kmods appends such a write; with none
 * before it, to an empty list.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

int main(int argc, char **argv)
{
	struct kmods_list *list = NULL, *next;
	char *buf;
	size_t size;
	int i, err;
	bool append;

	for (i = 1; i < argc; i++) {
		append = argv[i][0] == '+';
		err = kmods_list_size(append ? list : NULL, argv[i] + append,
				      &size);
		next = err ? NULL : malloc(size);
		if (!err && !next)
			return 1;
		if (!err)
			err = kmods_list_parse(append ? list : NULL,
					       argv[i] + append, next, size);
		if (err) {
			free(next);
			printf("refused %d\n", -err);
			continue;
		}
		free(list);
		list = next;
		buf = malloc(size);
		if (!buf)
			return 1;
		if (kmods_list_format(list, buf, size) < 0)
			printf("refused format\n");
		else
			printf("accepted %u %s\n", list->count, buf);
		free(buf);
	}
	free(list);
	return 0;
}
