/*
 * Copyright (c) 2026 The imd Authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
 * WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
 * MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
 * ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
 * WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
 * ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
 * OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
 */


#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <vis.h>

#include "log.h"

static int		 log_foreground;
static int		 log_verbose;
static const char	*log_procname;

void
log_init(int foreground, int verbose)
{
	log_foreground = foreground;
	log_verbose = verbose;
	if (!foreground)
		openlog(getprogname(), LOG_PID | LOG_NDELAY, LOG_DAEMON);
	tzset();
}

void
log_procinit(const char *procname)
{
	if (procname != NULL)
		log_procname = procname;
}

void
log_setverbose(int verbose)
{
	log_verbose = verbose;
}

static void
log_emit(int pri, const char *msg)
{
	if (log_foreground) {
		if (log_procname != NULL)
			fprintf(stderr, "%s: %s\n", log_procname, msg);
		else
			fprintf(stderr, "%s\n", msg);
		fflush(stderr);
	} else if (log_procname != NULL)
		syslog(pri, "%s: %s", log_procname, msg);
	else
		syslog(pri, "%s", msg);
}

static void __attribute__((__format__ (printf, 4, 0)))
vlog(int pri, int with_errno, int saved_errno, const char *fmt, va_list ap)
{
	char	msg[1024];
	size_t	len;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (with_errno) {
		len = strlen(msg);
		snprintf(msg + len, sizeof(msg) - len, ": %s",
		    strerror(saved_errno));
	}
	log_emit(pri, msg);
}

void
log_warn(const char *fmt, ...)
{
	va_list	ap;
	int	saved_errno = errno;

	va_start(ap, fmt);
	vlog(LOG_ERR, 1, saved_errno, fmt, ap);
	va_end(ap);
	errno = saved_errno;
}

void
log_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, 0, 0, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, 0, 0, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	if (log_verbose < 1)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, 0, 0, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	ap;
	int	saved_errno = errno;

	va_start(ap, fmt);
	vlog(LOG_CRIT, 1, saved_errno, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, 0, 0, fmt, ap);
	va_end(ap);
	exit(1);
}

/*
 * Make untrusted bytes safe to log: visible encoding and a length cap.
 */
const char *
log_vis(const char *src, size_t len, char *dst, size_t dstsize)
{
	if (dstsize == 0)
		return ("");
	if (len > LOG_VIS_MAX)
		len = LOG_VIS_MAX;
	if (len * 4 + 1 > dstsize)
		len = (dstsize - 1) / 4;
	strnvisx(dst, dstsize, src, len, VIS_SAFE | VIS_NL | VIS_CSTYLE);
	return (dst);
}
