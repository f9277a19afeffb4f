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


#ifndef IMD_IMSG_H
#define IMD_IMSG_H

/*
 * Messages between the processes of the suite, on socketpairs.
 *
 * A message is a fixed header and a bounded payload.  Payloads are built
 * with imsg_create() / ibuf_add_*() / imsg_close() and read back with
 * imsg_get_*(), every read bounds-checked.  Both sides keep their first
 * error: a failed add makes imsg_close() refuse the buffer, a failed get
 * zero-fills its output (a string reads as "") and so do the gets after
 * it, and imsg_get_end() reports it, as it reports a payload not
 * consumed exactly.  A handler decodes, then checks once.  A failed
 * imsg_get_data() zero-fills all the bytes asked for, so a length read
 * from the payload is bounded by its destination before it is used.  One descriptor at most rides
 * with a message (SCM_RIGHTS), and only on a channel whose reader
 * cleared ib_nofd: elsewhere a descriptor is closed on arrival and the
 * read fails (EBADMSG), which ends the channel.
 */

#include <sys/queue.h>
#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#define IMSG_MAX		65536	/* header + payload, hard cap */
#define IMSG_MAX_FDS		8	/* received but not yet claimed */

#define IMSGF_HASFD		0x0001

struct imsg_hdr {
	uint32_t	ih_type;
	uint32_t	ih_len;		/* header included */
	uint32_t	ih_flags;
	uint32_t	ih_peerid;
	uint32_t	ih_pid;
};
#define IMSG_HDR_SIZE		sizeof(struct imsg_hdr)
#define IMSG_PAYLOAD_MAX	(IMSG_MAX - IMSG_HDR_SIZE)

struct ibuf {
	TAILQ_ENTRY(ibuf)	 ib_entry;
	unsigned char		*ib_data;
	size_t			 ib_size;
	size_t			 ib_len;
	size_t			 ib_wpos;	/* bytes already sent */
	int			 ib_fd;
	int			 ib_error;
};

struct imsgbuf {
	int			 ib_fd;
	pid_t			 ib_pid;
	int			 ib_nofd;	/* refuse descriptors: the
						   default; 0 takes them */
	unsigned char		*ib_rbuf;
	size_t			 ib_rlen;	/* bytes held */
	size_t			 ib_rpos;	/* start of unread message */
	int			 ib_fds[IMSG_MAX_FDS];
	size_t			 ib_nfds;
	TAILQ_HEAD(, ibuf)	 ib_queue;
	size_t			 ib_queued;	/* bytes waiting to be sent */
};

struct imsg {
	struct imsg_hdr		 hdr;
	const unsigned char	*data;		/* valid until the next read */
	size_t			 len;
	size_t			 off;
	int			 fd;
	int			 err;		/* a get failed: the later
						   ones are no-ops */
};

int		 imsgbuf_init(struct imsgbuf *, int);
void		 imsgbuf_clear(struct imsgbuf *);
ssize_t		 imsgbuf_read(struct imsgbuf *);
int		 imsgbuf_write(struct imsgbuf *);
int		 imsgbuf_flush(struct imsgbuf *);
int		 imsgbuf_queued(const struct imsgbuf *);
int		 imsg_get(struct imsgbuf *, struct imsg *);
void		 imsg_free(struct imsg *);

struct ibuf	*imsg_create(struct imsgbuf *, uint32_t, uint32_t, size_t);
int		 ibuf_add_u8(struct ibuf *, uint8_t);
int		 ibuf_add_u32(struct ibuf *, uint32_t);
int		 ibuf_add_u64(struct ibuf *, uint64_t);
int		 ibuf_add_str(struct ibuf *, const char *, size_t);
int		 ibuf_add_data(struct ibuf *, const void *, size_t);
void		 ibuf_set_fd(struct ibuf *, int);
int		 imsg_close(struct imsgbuf *, struct ibuf *);
void		 ibuf_free(struct ibuf *);
int		 imsg_compose(struct imsgbuf *, uint32_t, uint32_t, int,
		    const void *, size_t);

int		 imsg_get_u8(struct imsg *, uint8_t *);
int		 imsg_get_u32(struct imsg *, uint32_t *);
int		 imsg_get_u64(struct imsg *, uint64_t *);
int		 imsg_get_str(struct imsg *, char *, size_t);
int		 imsg_get_data(struct imsg *, void *, size_t);
int		 imsg_get_fd(struct imsg *);
void		 imsg_set_error(struct imsg *);
int		 imsg_get_error(const struct imsg *);
int		 imsg_get_end(const struct imsg *);

#endif /* IMD_IMSG_H */
