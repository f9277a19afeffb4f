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

/*
 * libFuzzer harness: the typed imsg reader.  The data is a list of
 * messages, each a type byte, a 16-bit length and that many payload
 * bytes, copied to a buffer of its own size so that a read past the
 * payload is a sanitizer report.  The type picks what reads it: the
 * records the children exchange (as their handlers read them, end
 * included), the configuration messages through config_recv() into one
 * throw-away configuration, as a child receives them (the type byte's
 * high part says which child), or a script of
 * single reads taken from the front of the payload.  Besides the
 * sanitizers it checks that a read never moves past the payload, a
 * failed read moves nothing and a string read ends in its NUL.
 */

#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth_msg.h"
#include "binding.h"
#include "config.h"
#include "imd_msg.h"
#include "imsg.h"
#include "offline.h"
#include "proc.h"
#include "user.h"

enum fuzz_reader {
	READ_USER,
	READ_AUTH_REQ,
	READ_AUTH_RESULT,
	READ_BINDINGS,		/* u32 exists, u32 n, n bindings */
	READ_OFFLINE,
	READ_SCRIPT,
	READ_CONFIG,		/* the type less this is the IMSG_CONF_ one */
};
#define CONF_TYPES	(IMSG_CONF_END - IMSG_CONF_START + 2)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static jmp_buf	fatal_jmp;

/* As the child would stop, but back to the harness. */
void
proc_fatal_imsg(struct imsgev *iev, struct imsg *imsg, const char *what)
{
	longjmp(fatal_jmp, 1);
}

/* config_msg.c sends too; the harness only receives. */
struct ibuf *
imsgev_create(struct imsgev *iev, uint32_t type, uint32_t id, size_t len)
{
	abort();
}

int
imsgev_close(struct imsgev *iev, struct ibuf *buf)
{
	abort();
}

int
imsgev_compose(struct imsgev *iev, uint32_t type, uint32_t id, int fd,
    const void *data, size_t len)
{
	abort();
}

int
proc_passes_fds(enum imd_proc a, enum imd_proc b)
{
	abort();
}

static void
read_records(struct imsg *imsg, uint32_t reader)
{
	union {
		struct user_rec		u;
		struct auth_req		ar;
		struct auth_result	res;
		struct offline_rec	o;
	}			 r;
	struct binding_rec	 bs[BINDING_MAX_PER_USER];
	uint32_t		 exists, n, i;

	switch (reader) {
	case READ_USER:
		user_msg_get(imsg, &r.u);
		break;
	case READ_AUTH_REQ:
		auth_req_get(imsg, &r.ar);
		break;
	case READ_AUTH_RESULT:
		auth_result_get(imsg, &r.res);
		break;
	case READ_BINDINGS:
		if (imsg_get_u32(imsg, &exists) == -1 ||
		    imsg_get_u32(imsg, &n) == -1 || n > BINDING_MAX_PER_USER)
			return;
		for (i = 0; i < n; i++)
			if (binding_msg_get(imsg, &bs[i]) == -1)
				return;
		break;
	case READ_OFFLINE:
		offline_msg_get(imsg, &r.o);
		break;
	}
	imsg_get_end(imsg);
}

/* One read: the operation in the low 3 bits, a size in the rest. */
static void
read_one(struct imsg *imsg, uint8_t op)
{
	unsigned char	buf[32];
	char		str[32];
	size_t		off = imsg->off, size = op >> 3;
	int		rc;

	switch (op & 7) {
	case 0:
		rc = imsg_get_u8(imsg, buf);
		break;
	case 1:
		rc = imsg_get_u32(imsg, (uint32_t *)buf);
		break;
	case 2:
		rc = imsg_get_u64(imsg, (uint64_t *)buf);
		break;
	case 3:
		if ((rc = imsg_get_str(imsg, str, size)) == 0 &&
		    strnlen(str, size) != imsg->off - off - 1)
			abort();
		break;
	default:
		rc = imsg_get_data(imsg, buf, size);
		break;
	}
	if (imsg->off > imsg->len || (rc == -1 && imsg->off != off) ||
	    (rc == -1) != imsg->err)
		abort();
}

/* The first byte counts the operations that follow it. */
static void
read_script(struct imsg *imsg)
{
	uint8_t		nops, ops[255];
	size_t		i;

	if (imsg_get_u8(imsg, &nops) == -1 ||
	    imsg_get_data(imsg, ops, nops) == -1)
		return;
	for (i = 0; i < nops; i++)
		read_one(imsg, ops[i]);
	if ((imsg_get_end(imsg) == 0) !=
	    (!imsg->err && imsg->off == imsg->len))
		abort();
}

static int
read_config(struct imd_conf *conf, enum imd_proc self, struct imsg *imsg)
{
	if (setjmp(fatal_jmp) != 0)
		return (-1);
	return (config_recv(conf, self, NULL, imsg) == 1 ? -1 : 0);
}

/* Returns -1 when the configuration is complete or refused. */
static int
read_msg(struct imd_conf *conf, uint8_t byte, const uint8_t *p, size_t len)
{
	uint8_t		 type = byte % (READ_CONFIG + CONF_TYPES);
	enum imd_proc	 self;
	struct imsg	 imsg;
	unsigned char	*copy;
	int		 rc = 0;

	if ((copy = malloc(len > 0 ? len : 1)) == NULL)
		abort();
	memcpy(copy, p, len);
	memset(&imsg, 0, sizeof(imsg));
	imsg.hdr.ih_len = IMSG_HDR_SIZE + len;
	imsg.data = copy;
	imsg.len = len;
	imsg.fd = -1;
	if (type < READ_SCRIPT)
		read_records(&imsg, type);
	else if (type == READ_SCRIPT)
		read_script(&imsg);
	else {
		imsg.hdr.ih_type = IMSG_CONF_START + (type - READ_CONFIG);
		self = PROC_LISTENER +
		    byte / (READ_CONFIG + CONF_TYPES) % (PROC_MAX - 1);
		rc = read_config(conf, self, &imsg);
	}
	if (imsg.off > imsg.len)
		abort();
	free(copy);
	return (rc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct imd_conf	*conf;
	size_t		 len;
	uint8_t		 type;

	if ((conf = config_new()) == NULL)
		abort();
	while (size >= 3) {
		type = data[0];
		len = data[1] | (size_t)data[2] << 8;
		data += 3;
		size -= 3;
		if (len > size)
			len = size;
		if (read_msg(conf, type, data, len) == -1)
			break;
		data += len;
		size -= len;
	}
	config_free(conf);
	return 0;
}
