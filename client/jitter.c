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
 * The jitter buffer: packets put back in sequence order and played one
 * per 20 ms, starting once JITTER_DEPTH frames are held, so that a
 * packet a little late still comes in time.  One that comes after its
 * turn is dropped; a turn with no packet is concealed by the codec.
 */

#include <sys/types.h>

#include <string.h>

#include "media.h"

void
jitter_init(struct jitter *j)
{
	memset(j, 0, sizeof(*j));
}

void
jitter_put(struct jitter *j, uint16_t seq, const uint8_t *data, size_t len)
{
	struct jitter_slot	*js = &j->j_slots[seq % JITTER_SLOTS];
	uint32_t		 late;
	uint16_t		 d;

	if (len > sizeof(js->js_data))
		return;
	d = (uint16_t)(seq - j->j_next);
	/* Just behind the one we play next: too late for its turn. */
	if (j->j_have_next && d >= 0x8000 && 0x10000 - d <= JITTER_SLOTS) {
		j->j_late++;
		return;
	}
	/* Far from it either way: the peer jumped; start from here. */
	if (!j->j_have_next || d >= JITTER_SLOTS) {
		late = j->j_late;
		jitter_init(j);
		j->j_late = late;
		j->j_next = seq;
		j->j_have_next = 1;
	}
	if (!js->js_full)
		j->j_count++;
	js->js_full = 1;
	js->js_seq = seq;
	js->js_len = len;
	memcpy(js->js_data, data, len);
}

/*
 * This turn's frame: 1 with data, 0 for a lost one to conceal, -1
 * when playing has not started (or the buffer ran dry) and there is
 * nothing to play.
 */
int
jitter_get(struct jitter *j, uint8_t *data, size_t *len)
{
	struct jitter_slot	*js;

	if (!j->j_started) {
		if (j->j_count < JITTER_DEPTH)
			return (-1);
		j->j_started = 1;
	}
	if (j->j_count == 0) {
		/* Dry: wait for the depth again rather than conceal. */
		j->j_started = 0;
		return (-1);
	}
	js = &j->j_slots[j->j_next % JITTER_SLOTS];
	j->j_next++;
	if (!js->js_full || js->js_seq != (uint16_t)(j->j_next - 1))
		return (0);
	js->js_full = 0;
	j->j_count--;
	memcpy(data, js->js_data, js->js_len);
	*len = js->js_len;
	return (1);
}
