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


#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imsg.h"

#define IMSG_RBUF_SIZE	(2 * IMSG_MAX)	/* room for one whole message */
#define IMSG_IOV_MAX	64		/* buffers per write */

int
imsgbuf_init(struct imsgbuf *ib, int fd)
{
	memset(ib, 0, sizeof(*ib));
	if ((ib->ib_rbuf = malloc(IMSG_RBUF_SIZE)) == NULL)
		return (-1);
	ib->ib_fd = fd;
	ib->ib_pid = getpid();
	/* Descriptors are refused unless the channel's owner says. */
	ib->ib_nofd = 1;
	TAILQ_INIT(&ib->ib_queue);
	return (0);
}

void
imsgbuf_clear(struct imsgbuf *ib)
{
	struct ibuf	*buf;
	size_t		 i;

	while ((buf = TAILQ_FIRST(&ib->ib_queue)) != NULL) {
		TAILQ_REMOVE(&ib->ib_queue, buf, ib_entry);
		ibuf_free(buf);
	}
	for (i = 0; i < ib->ib_nfds; i++)
		close(ib->ib_fds[i]);
	ib->ib_nfds = 0;
	ib->ib_queued = 0;
	free(ib->ib_rbuf);
	ib->ib_rbuf = NULL;
}

int
imsgbuf_queued(const struct imsgbuf *ib)
{
	return (!TAILQ_EMPTY(&ib->ib_queue));
}

/* Queue the descriptors of one control message; refuse extras. */
static int
imsgbuf_take_fds(struct imsgbuf *ib, struct msghdr *msg)
{
	struct cmsghdr	*cm;
	int		*fds, bad = 0;
	size_t		 i, n;

	for (cm = CMSG_FIRSTHDR(msg); cm != NULL; cm = CMSG_NXTHDR(msg, cm)) {
		if (cm->cmsg_level != SOL_SOCKET ||
		    cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		fds = (int *)CMSG_DATA(cm);
		for (i = 0; i < n; i++) {
			if (ib->ib_nofd || ib->ib_nfds == IMSG_MAX_FDS) {
				close(fds[i]);
				bad = 1;
			} else
				ib->ib_fds[ib->ib_nfds++] = fds[i];
		}
	}
	if (bad || (msg->msg_flags & MSG_CTRUNC)) {
		errno = EBADMSG;
		return (-1);
	}
	return (0);
}

/*
 * Read what the socket has.  Returns bytes read, 0 at end of file, -1 on
 * error (EAGAIN included).  Messages returned by imsg_get() before this
 * call are invalid after it: the buffer is compacted here.
 */
ssize_t
imsgbuf_read(struct imsgbuf *ib)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int) * IMSG_MAX_FDS)];
	} cmsgbuf;
	struct msghdr	 msg;
	struct iovec	 iov;
	ssize_t		 n;

	if (ib->ib_rpos > 0) {
		memmove(ib->ib_rbuf, ib->ib_rbuf + ib->ib_rpos,
		    ib->ib_rlen - ib->ib_rpos);
		ib->ib_rlen -= ib->ib_rpos;
		ib->ib_rpos = 0;
	}
	if (ib->ib_rlen == IMSG_RBUF_SIZE) {
		errno = ENOBUFS;
		return (-1);
	}
	memset(&msg, 0, sizeof(msg));
	iov.iov_base = ib->ib_rbuf + ib->ib_rlen;
	iov.iov_len = IMSG_RBUF_SIZE - ib->ib_rlen;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = &cmsgbuf.buf;
	msg.msg_controllen = sizeof(cmsgbuf.buf);
	while ((n = recvmsg(ib->ib_fd, &msg, MSG_CMSG_CLOEXEC)) == -1) {
		if (errno != EINTR)
			return (-1);
	}
	if (imsgbuf_take_fds(ib, &msg) == -1)
		return (-1);
	ib->ib_rlen += n;
	return (n);
}

/*
 * Take the next complete message.  Returns 1 with *imsg filled, 0 when
 * more bytes are needed, -1 (errno EBADMSG) for a header that lies.
 */
int
imsg_get(struct imsgbuf *ib, struct imsg *imsg)
{
	size_t	avail = ib->ib_rlen - ib->ib_rpos;

	if (avail < IMSG_HDR_SIZE)
		return (0);
	memcpy(&imsg->hdr, ib->ib_rbuf + ib->ib_rpos, IMSG_HDR_SIZE);
	if (imsg->hdr.ih_len < IMSG_HDR_SIZE || imsg->hdr.ih_len > IMSG_MAX) {
		errno = EBADMSG;
		return (-1);
	}
	if (avail < imsg->hdr.ih_len)
		return (0);
	imsg->fd = -1;
	if (imsg->hdr.ih_flags & IMSGF_HASFD) {
		if (ib->ib_nfds == 0) {
			errno = EBADMSG;
			return (-1);
		}
		imsg->fd = ib->ib_fds[0];
		memmove(ib->ib_fds, ib->ib_fds + 1,
		    --ib->ib_nfds * sizeof(int));
	}
	imsg->data = ib->ib_rbuf + ib->ib_rpos + IMSG_HDR_SIZE;
	imsg->len = imsg->hdr.ih_len - IMSG_HDR_SIZE;
	imsg->off = 0;
	imsg->err = 0;
	ib->ib_rpos += imsg->hdr.ih_len;
	return (1);
}

/* Close a descriptor the handler did not claim. */
void
imsg_free(struct imsg *imsg)
{
	if (imsg->fd != -1)
		close(imsg->fd);
	imsg->fd = -1;
}

struct ibuf *
imsg_create(struct imsgbuf *ib, uint32_t type, uint32_t peerid, size_t hint)
{
	struct ibuf	*buf;
	struct imsg_hdr	 hdr;

	if (hint > IMSG_PAYLOAD_MAX)
		hint = IMSG_PAYLOAD_MAX;
	if ((buf = calloc(1, sizeof(*buf))) == NULL)
		return (NULL);
	buf->ib_size = IMSG_HDR_SIZE + (hint > 0 ? hint : 64);
	if ((buf->ib_data = malloc(buf->ib_size)) == NULL) {
		free(buf);
		return (NULL);
	}
	buf->ib_fd = -1;
	memset(&hdr, 0, sizeof(hdr));
	hdr.ih_type = type;
	hdr.ih_peerid = peerid;
	hdr.ih_pid = ib->ib_pid;
	memcpy(buf->ib_data, &hdr, sizeof(hdr));
	buf->ib_len = IMSG_HDR_SIZE;
	return (buf);
}

/* Append bytes; a failure marks the buffer so imsg_close() refuses it. */
int
ibuf_add_data(struct ibuf *buf, const void *data, size_t len)
{
	unsigned char	*p;
	size_t		 size;

	if (buf->ib_error)
		return (-1);
	if (len > IMSG_MAX - buf->ib_len) {
		buf->ib_error = 1;
		return (-1);
	}
	if (buf->ib_len + len > buf->ib_size) {
		size = buf->ib_size * 2;
		if (size < buf->ib_len + len)
			size = buf->ib_len + len;
		if (size > IMSG_MAX)
			size = IMSG_MAX;
		if ((p = recallocarray(buf->ib_data, buf->ib_size, size, 1)) ==
		    NULL) {
			buf->ib_error = 1;
			return (-1);
		}
		buf->ib_data = p;
		buf->ib_size = size;
	}
	if (len > 0)
		memcpy(buf->ib_data + buf->ib_len, data, len);
	buf->ib_len += len;
	return (0);
}

int
ibuf_add_u8(struct ibuf *buf, uint8_t v)
{
	return (ibuf_add_data(buf, &v, sizeof(v)));
}

int
ibuf_add_u32(struct ibuf *buf, uint32_t v)
{
	return (ibuf_add_data(buf, &v, sizeof(v)));
}

int
ibuf_add_u64(struct ibuf *buf, uint64_t v)
{
	return (ibuf_add_data(buf, &v, sizeof(v)));
}

/* A string travels with its NUL; longer than max - 1 is an error. */
int
ibuf_add_str(struct ibuf *buf, const char *s, size_t max)
{
	size_t	len;

	len = strnlen(s, max);
	if (len == max) {
		buf->ib_error = 1;
		return (-1);
	}
	return (ibuf_add_data(buf, s, len + 1));
}

void
ibuf_set_fd(struct ibuf *buf, int fd)
{
	buf->ib_fd = fd;
}

void
ibuf_free(struct ibuf *buf)
{
	if (buf == NULL)
		return;
	if (buf->ib_fd != -1)
		close(buf->ib_fd);
	/* Payloads may hold a password on its way to the parent. */
	freezero(buf->ib_data, buf->ib_size);
	free(buf);
}

/* Finish the header and queue the message; the buffer is consumed. */
int
imsg_close(struct imsgbuf *ib, struct ibuf *buf)
{
	struct imsg_hdr	hdr;

	if (buf->ib_error || buf->ib_len > IMSG_MAX) {
		ibuf_free(buf);
		errno = EMSGSIZE;
		return (-1);
	}
	memcpy(&hdr, buf->ib_data, sizeof(hdr));
	hdr.ih_len = buf->ib_len;
	hdr.ih_flags = buf->ib_fd != -1 ? IMSGF_HASFD : 0;
	memcpy(buf->ib_data, &hdr, sizeof(hdr));
	TAILQ_INSERT_TAIL(&ib->ib_queue, buf, ib_entry);
	ib->ib_queued += buf->ib_len;
	return (0);
}

int
imsg_compose(struct imsgbuf *ib, uint32_t type, uint32_t peerid, int fd,
    const void *data, size_t len)
{
	struct ibuf	*buf;

	if ((buf = imsg_create(ib, type, peerid, len)) == NULL) {
		if (fd != -1)
			close(fd);
		return (-1);
	}
	ibuf_set_fd(buf, fd);
	if (ibuf_add_data(buf, data, len) == -1) {
		ibuf_free(buf);
		errno = EMSGSIZE;
		return (-1);
	}
	return (imsg_close(ib, buf));
}

/* Drop what was sent from the head of the queue. */
static void
imsgbuf_advance(struct imsgbuf *ib, size_t n)
{
	struct ibuf	*buf;
	size_t		 left;

	ib->ib_queued -= n;
	while (n > 0 && (buf = TAILQ_FIRST(&ib->ib_queue)) != NULL) {
		left = buf->ib_len - buf->ib_wpos;
		if (n < left) {
			buf->ib_wpos += n;
			return;
		}
		n -= left;
		TAILQ_REMOVE(&ib->ib_queue, buf, ib_entry);
		ibuf_free(buf);
	}
}

/*
 * Send as much of the queue as the socket takes, many messages per call.
 * A descriptor goes with the first byte of its message, so a batch stops
 * before the next message that carries one.  Returns 0, or -1 when the
 * peer is gone or the socket failed.
 */
int
imsgbuf_write(struct imsgbuf *ib)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} cmsgbuf;
	struct iovec	 iov[IMSG_IOV_MAX];
	struct msghdr	 msg;
	struct ibuf	*buf, *first;
	ssize_t		 n;
	int		 niov = 0;

	if ((first = TAILQ_FIRST(&ib->ib_queue)) == NULL)
		return (0);
	TAILQ_FOREACH(buf, &ib->ib_queue, ib_entry) {
		if (niov == IMSG_IOV_MAX ||
		    (buf != first && buf->ib_fd != -1))
			break;
		iov[niov].iov_base = buf->ib_data + buf->ib_wpos;
		iov[niov].iov_len = buf->ib_len - buf->ib_wpos;
		niov++;
	}
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = iov;
	msg.msg_iovlen = niov;
	if (first->ib_fd != -1 && first->ib_wpos == 0) {
		memset(&cmsgbuf, 0, sizeof(cmsgbuf));
		msg.msg_control = &cmsgbuf.buf;
		msg.msg_controllen = sizeof(cmsgbuf.buf);
		cmsgbuf.hdr.cmsg_len = CMSG_LEN(sizeof(int));
		cmsgbuf.hdr.cmsg_level = SOL_SOCKET;
		cmsgbuf.hdr.cmsg_type = SCM_RIGHTS;
		memcpy(CMSG_DATA(&cmsgbuf.hdr), &first->ib_fd, sizeof(int));
	}
	while ((n = sendmsg(ib->ib_fd, &msg, MSG_NOSIGNAL)) == -1) {
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == ENOBUFS)
			return (0);
		return (-1);
	}
	if (msg.msg_control != NULL) {
		/* The peer holds its own copy now. */
		close(first->ib_fd);
		first->ib_fd = -1;
	}
	imsgbuf_advance(ib, n);
	return (0);
}

/* Write everything queued, waiting on the socket when it is full. */
int
imsgbuf_flush(struct imsgbuf *ib)
{
	struct pollfd	pfd;

	while (imsgbuf_queued(ib)) {
		if (imsgbuf_write(ib) == -1)
			return (-1);
		if (!imsgbuf_queued(ib))
			break;
		pfd.fd = ib->ib_fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, -1) == -1 && errno != EINTR)
			return (-1);
	}
	return (0);
}

/* The first failed get spoils the message: dst and what follows read 0. */
static int
imsg_fail(struct imsg *imsg, void *dst, size_t len)
{
	if (len > 0)
		memset(dst, 0, len);
	imsg->err = 1;
	errno = EBADMSG;
	return (-1);
}

static int
imsg_take(struct imsg *imsg, void *dst, size_t len)
{
	if (imsg->err || len > imsg->len - imsg->off)
		return (imsg_fail(imsg, dst, len));
	if (len > 0)
		memcpy(dst, imsg->data + imsg->off, len);
	imsg->off += len;
	return (0);
}

int
imsg_get_u8(struct imsg *imsg, uint8_t *v)
{
	return (imsg_take(imsg, v, sizeof(*v)));
}

int
imsg_get_u32(struct imsg *imsg, uint32_t *v)
{
	return (imsg_take(imsg, v, sizeof(*v)));
}

int
imsg_get_u64(struct imsg *imsg, uint64_t *v)
{
	return (imsg_take(imsg, v, sizeof(*v)));
}

int
imsg_get_data(struct imsg *imsg, void *dst, size_t len)
{
	return (imsg_take(imsg, dst, len));
}

/*
 * A string must end with its NUL inside the payload and fit dst with it;
 * else dst reads as the empty string.
 */
int
imsg_get_str(struct imsg *imsg, char *dst, size_t dstsize)
{
	const unsigned char	*nul;
	size_t			 left = imsg->len - imsg->off;

	if (imsg->err)
		return (imsg_fail(imsg, dst, dstsize));
	nul = memchr(imsg->data + imsg->off, '\0', left);
	if (nul == NULL || (size_t)(nul - (imsg->data + imsg->off)) >=
	    dstsize)
		return (imsg_fail(imsg, dst, dstsize));
	return (imsg_take(imsg, dst, nul - (imsg->data + imsg->off) + 1));
}

/* The caller owns the descriptor from here on. */
int
imsg_get_fd(struct imsg *imsg)
{
	int	fd = imsg->fd;

	imsg->fd = -1;
	return (fd);
}

/*
 * A decoder found a value out of bounds: the message is malformed as if
 * a get had failed, and the caller's imsg_get_end() says so.
 */
void
imsg_set_error(struct imsg *imsg)
{
	imsg->err = 1;
}

/* For a decoder that checks its record before the caller's end check. */
int
imsg_get_error(const struct imsg *imsg)
{
	if (imsg->err) {
		errno = EBADMSG;
		return (-1);
	}
	return (0);
}

int
imsg_get_end(const struct imsg *imsg)
{
	if (imsg->err || imsg->off != imsg->len) {
		errno = EBADMSG;
		return (-1);
	}
	return (0);
}
