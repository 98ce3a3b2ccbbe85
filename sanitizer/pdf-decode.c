/*
 * NAME
 *	pdf-decode.c - how many bytes a chain of PDF filters produces, counted
 *	while streaming, never stored
 * SUMMARY
 *	FlateDecode, ASCIIHexDecode, ASCII85Decode and RunLengthDecode layers
 *	are run as a cascade, each through one 64 KB buffer: the output of
 *	one layer is fed to the next as it is produced. Every layer's output
 *	is counted against the limit, so a bomb at any depth stops at the
 *	limit; a layer that ends (end marker, corrupt data) stops the layers
 *	before it too, since nothing more could come out. Memory: one buffer
 *	per layer. LZW is not here: pdf-streams.c lets qpdf decode it when it
 *	is the last generic filter.
 */
#include <string.h>

#include <zlib.h>

#include "pdf.h"

#define DECODE_CHUNK (64 * 1024)
#define RL_MAX_RUN 128

enum layer_kind { LAYER_FLATE, LAYER_AHX, LAYER_A85, LAYER_RL };

struct layer {
	enum layer_kind kind;
	z_stream z;
	gboolean z_ready;
	guint8 *buf;
	gboolean done;
	guint64 out;       /* bytes produced so far */
	int nibble;        /* AHx: pending high nibble, -1 if none */
	guint32 tuple;     /* A85: digits so far */
	unsigned digits;
	int literal;       /* RL: literal bytes still to copy */
	int repeat;        /* RL: copies of the next byte still owed, 0 if none */
};

struct cascade {
	struct layer layer[PDF_MAX_FILTERS];
	unsigned n;
	guint64 limit;
	gboolean over;
};

static gboolean
kind_of(const char *name, enum layer_kind *kind)
{
	static const struct {
		const char *name, *abbrev;
		enum layer_kind kind;
	} known[] = {
		{ "/FlateDecode", "/Fl", LAYER_FLATE },
		{ "/ASCIIHexDecode", "/AHx", LAYER_AHX },
		{ "/ASCII85Decode", "/A85", LAYER_A85 },
		{ "/RunLengthDecode", "/RL", LAYER_RL },
	};
	for (gsize i = 0; i < G_N_ELEMENTS(known); i++)
		if (strcmp(name, known[i].name) == 0 || strcmp(name, known[i].abbrev) == 0) {
			*kind = known[i].kind;
			return TRUE;
		}
	return FALSE;
}

gboolean
pdf_filter_streamable(const char *name)
{
	enum layer_kind k;
	return kind_of(name, &k);
}

static int
hex_value(guint8 c)
{
	return g_ascii_isxdigit(c) ? g_ascii_xdigit_value(c) : -1;
}

/* ASCIIHex, ASCII85 and RunLength: decode from in into out (at most cap
 * bytes, cap >= RL_MAX_RUN); *used is how much input was taken. */
static gsize
step_text(struct layer *l, const guint8 *in, gsize len, gsize *used, guint8 *out, gsize cap)
{
	gsize o = 0, i = 0;
	for (; i < len && !l->done && cap - o >= RL_MAX_RUN; i++) {
		guint8 c = in[i];
		if (l->kind == LAYER_AHX) {
			if (c == '>') {
				if (l->nibble >= 0)
					out[o++] = (guint8)(l->nibble << 4);
				l->done = TRUE;
			} else if (hex_value(c) >= 0) {
				if (l->nibble < 0) {
					l->nibble = hex_value(c);
				} else {
					out[o++] = (guint8)(l->nibble << 4 | hex_value(c));
					l->nibble = -1;
				}
			} else if (!g_ascii_isspace(c)) {
				l->done = TRUE;
			}
		} else if (l->kind == LAYER_A85) {
			if (c == '~') {
				/* a partial group of k digits gives k - 1 bytes */
				if (l->digits > 1) {
					guint32 t = l->tuple;
					for (unsigned d = l->digits; d < 5; d++)
						t = t * 85 + 84;
					for (unsigned b = 0; b + 1 < l->digits; b++)
						out[o++] = (guint8)(t >> (24 - 8 * b));
				}
				l->done = TRUE;
			} else if (c == 'z' && l->digits == 0) {
				memset(out + o, 0, 4);
				o += 4;
			} else if (c >= '!' && c <= 'u') {
				l->tuple = l->tuple * 85 + (guint32)(c - '!');
				if (++l->digits == 5) {
					for (unsigned b = 0; b < 4; b++)
						out[o++] = (guint8)(l->tuple >> (24 - 8 * b));
					l->tuple = 0;
					l->digits = 0;
				}
			} else if (!g_ascii_isspace(c)) {
				l->done = TRUE;
			}
		} else if (l->literal > 0) {
			out[o++] = c;
			l->literal--;
		} else if (l->repeat > 0) {
			memset(out + o, c, (gsize)l->repeat);
			o += (gsize)l->repeat;
			l->repeat = 0;
		} else if (c < 128) {
			l->literal = c + 1;
		} else if (c > 128) {
			l->repeat = 257 - c;
		} else {
			l->done = TRUE;
		}
	}
	*used = i;
	return o;
}

static gsize
step_flate(struct layer *l, const guint8 *in, gsize len, gsize *used, guint8 *out, gsize cap)
{
	l->z.next_in = (Bytef *)in;
	l->z.avail_in = (uInt)MIN(len, (gsize)G_MAXUINT32 / 2);
	l->z.next_out = out;
	l->z.avail_out = (uInt)cap;
	int rc = inflate(&l->z, Z_NO_FLUSH);
	*used = (gsize)(l->z.next_in - in);
	gsize got = cap - l->z.avail_out;
	/* the end, or corrupt data: qpdf keeps what decoded and warns */
	if (rc == Z_STREAM_END || (rc != Z_OK && rc != Z_BUF_ERROR) || (*used == 0 && got == 0))
		l->done = TRUE;
	return got;
}

/* Feed into layer i; FALSE to stop everything (over the limit, or the
 * layers after this one have ended). */
static gboolean
feed(struct cascade *c, unsigned i, const guint8 *data, gsize len)
{
	struct layer *l = &c->layer[i];
	while (len > 0 && !l->done) {
		gsize used = 0;
		gsize got = l->kind == LAYER_FLATE ? step_flate(l, data, len, &used, l->buf, DECODE_CHUNK)
						   : step_text(l, data, len, &used, l->buf, DECODE_CHUNK);
		data += used;
		len -= used;
		l->out += got;
		if (l->out > c->limit) {
			c->over = TRUE;
			return FALSE;
		}
		if (i + 1 < c->n && got > 0 && !feed(c, i + 1, l->buf, got))
			return FALSE;
		if (i + 1 < c->n && c->layer[i + 1].done)
			return FALSE; /* nothing more can come out at the end */
		if (used == 0 && got == 0)
			break;
	}
	return TRUE;
}

enum pdf_measure
pdf_filters_decoded_size(const char *const *filters, unsigned n, const guint8 *raw, gsize len,
			 guint64 limit, guint64 *decoded)
{
	struct cascade c = { .n = n, .limit = limit };
	enum pdf_measure result = PDF_MEASURE_OK;
	*decoded = 0;
	for (unsigned i = 0; i < n; i++) {
		struct layer *l = &c.layer[i];
		l->nibble = -1;
		if (!kind_of(filters[i], &l->kind) || i >= PDF_MAX_FILTERS) {
			result = PDF_MEASURE_BAD_FILTER;
			c.n = i;
			break;
		}
		l->buf = g_malloc(DECODE_CHUNK);
		if (l->kind == LAYER_FLATE) {
			l->z_ready = inflateInit(&l->z) == Z_OK;
			if (!l->z_ready) {
				c.n = i + 1;
				result = PDF_MEASURE_ERROR;
				break;
			}
		}
	}
	if (result == PDF_MEASURE_OK && n > 0) {
		feed(&c, 0, raw, len);
		result = c.over ? PDF_MEASURE_OVER : PDF_MEASURE_OK;
		*decoded = c.layer[n - 1].out;
	}
	for (unsigned i = 0; i < c.n; i++) {
		if (c.layer[i].z_ready)
			inflateEnd(&c.layer[i].z);
		g_free(c.layer[i].buf);
	}
	return result;
}
