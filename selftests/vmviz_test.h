/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the vmviz selftests: reading whole files, tracking a PID
 * and fetching its report, and parsing the report's documented lines.
 */
#ifndef VMVIZ_TEST_H
#define VMVIZ_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "kselftest_harness.h"

#define VMVIZ_DIR	"/proc/vmviz"
#define VMVIZ_TRACK	VMVIZ_DIR "/track"
#define VMVIZ_UNTRACK	VMVIZ_DIR "/untrack"

/* Skip (kselftest exit 4) unless root and the module is loaded. */
#define VMVIZ_REQUIRE()							\
	do {								\
		if (geteuid() != 0)					\
			SKIP(return, "needs root");			\
		if (access(VMVIZ_DIR, F_OK) != 0)			\
			SKIP(return, "vmviz module not loaded");	\
	} while (0)

/* Read a whole file into a NUL-terminated malloc'd buffer; NULL + errno. */
static inline char *vt_read_file(const char *path, size_t *lenp)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap);
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0 || !buf) {
		int e = errno;

		free(buf);
		if (fd >= 0)
			close(fd);
		errno = e;
		return NULL;
	}
	for (;;) {
		if (len + 1 >= cap) {
			char *nb = realloc(buf, cap * 2);

			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0) {
			int e = errno;

			free(buf);
			close(fd);
			errno = e;
			return NULL;
		}
		if (n == 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	if (lenp)
		*lenp = len;
	return buf;
}

/* Write a string to a control file; returns 0 or -errno. */
static inline int vt_write(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;
	int e;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	e = n < 0 ? -errno : 0;
	close(fd);
	return e;
}

static inline int vt_track(pid_t pid)
{
	char s[32];

	snprintf(s, sizeof(s), "%d\n", pid);
	return vt_write(VMVIZ_TRACK, s);
}

static inline int vt_untrack(pid_t pid)
{
	char s[32];

	snprintf(s, sizeof(s), "%d\n", pid);
	return vt_write(VMVIZ_UNTRACK, s);
}

/* Track pid and read its whole report; NULL + errno on failure. */
static inline char *vt_report(pid_t pid)
{
	char path[64];
	int err = vt_track(pid);

	if (err) {
		errno = -err;
		return NULL;
	}
	snprintf(path, sizeof(path), VMVIZ_DIR "/%d", pid);
	return vt_read_file(path, NULL);
}

#endif /* VMVIZ_TEST_H */
