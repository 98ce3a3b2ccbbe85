/*
 * NAME
 *	pdf-decode.cc - a PDF stream's generic filters decoded by qpdf's own
 *	pipeline, into a sink that stops at the limit
 * SUMMARY
 *	qpdf's decoders (Flate, LZW, ASCII85, ASCIIHex, RunLength and the
 *	PNG and TIFF predictors) are not public classes; qpdf runs them for
 *	QPDFObjectHandle::pipeStreamData. The raw bytes are therefore put in
 *	a stream of a private, empty QPDF, with a /Filter and /DecodeParms
 *	made of the names and parameters given, and piped at
 *	qpdf_dl_specialized (RunLength is "specialized" to qpdf) into a sink.
 * DESCRIPTION
 *	Every decoder writes its output on as it produces it (one 64 KB
 *	buffer per layer, at most one predictor row), so the sink sees the
 *	bytes as they come: it counts them and throws the moment the count
 *	passes the limit, which unwinds the whole chain. A bomb at any depth
 *	costs limit-many bytes of decoding and no memory. Bytes to keep are
 *	kept on that pass up to 4 MB; a larger stream is decoded a second
 *	time to keep it, once the first pass has found it under the limit.
 *	A predictor row longer than the limit is refused before qpdf
 *	allocates it. qpdf's RunLength decoder reads past the end-of-data
 *	byte, so it gets a guard in front that passes nothing after it. Every exception is caught here; none crosses into C.
 *	A decoder's error (corrupt deflate data, an impossible predictor) is
 *	an error: qpdf's writer would otherwise copy the stream undecoded.
 */
/* qpdf 11: no PointerHolder in its headers, std::shared_ptr only */
#define POINTERHOLDER_TRANSITION 4

#include <cstring>
#include <exception>
#include <memory>

#include <qpdf/Buffer.hh>
#include <qpdf/Pipeline.hh>
#include <qpdf/Pl_RunLength.hh>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFObjectHandle.hh>
#include <qpdf/QPDFStreamFilter.hh>

#include "pdf-decode.h"

namespace {

struct known_filter {
	const char *name, *abbrev;
};

const known_filter streamable[] = {
	{ "/FlateDecode", "/Fl" },
	{ "/ASCIIHexDecode", "/AHx" },
	{ "/ASCII85Decode", "/A85" },
	{ "/RunLengthDecode", "/RL" },
};

bool
named(const char *name, const known_filter &f)
{
	return strcmp(name, f.name) == 0 || strcmp(name, f.abbrev) == 0;
}

struct over_limit : std::exception {
};

/* Decoded bytes kept on the first pass; past this many they are let go and
 * a second pass keeps them, once the first has found the total under the
 * limit. Most streams decode once, and a bomb never holds more than this. */
constexpr guint64 first_pass_keep = 4 * 1024 * 1024;

/* The end of the chain: counts, keeps up to keep_up_to bytes when asked,
 * throws past the limit. */
class bounded_sink : public Pipeline {
      public:
	bounded_sink(guint64 limit, GByteArray *keep, guint64 keep_up_to)
	    : Pipeline("mugaika bounded sink", nullptr), limit(limit), keep(keep),
	      keep_up_to(keep_up_to)
	{
	}
	void
	write(unsigned char const *data, size_t len) override
	{
		count += len;
		if (count > limit) {
			over = true;
			throw over_limit();
		}
		if (keep && count > keep_up_to) {
			g_byte_array_set_size(keep, 0);
			keep = nullptr;
			let_go = true;
		}
		if (keep)
			g_byte_array_append(keep, data, (guint)len);
	}
	void
	finish() override
	{
	}
	guint64 count = 0;
	bool over = false;
	bool let_go = false; /* kept bytes dropped: a second pass keeps them */

      private:
	guint64 limit;
	GByteArray *keep;
	guint64 keep_up_to;
};

/* qpdf's RunLength decoder reads on past the end-of-data byte (128), where
 * viewers stop: bytes hidden after it would appear in the rebuilt stream.
 * In front of qpdf's decoder, this follows the runs (a length byte, then
 * that many literal bytes or one byte to repeat) and passes nothing after
 * the end. */
class runlength_end : public Pipeline {
      public:
	explicit runlength_end(Pipeline *decoder) : Pipeline("mugaika RunLength end", decoder)
	{
	}
	void
	write(unsigned char const *data, size_t len) override
	{
		size_t i = 0;
		while (i < len && !ended) {
			if (owed > 0) {
				size_t take = owed < len - i ? owed : len - i;
				i += take;
				owed -= take;
			} else if (data[i] == 128) {
				ended = true;
			} else {
				owed = data[i] < 128 ? data[i] + 1u : 1u;
				i++;
			}
		}
		if (i > 0)
			getNext()->write(data, i);
	}
	void
	finish() override
	{
		getNext()->finish();
	}

      private:
	size_t owed = 0; /* bytes of the current run still to pass */
	bool ended = false;
};

/* /RunLengthDecode (and /RL) for qpdf: its own decoder behind the guard. */
class runlength_filter : public QPDFStreamFilter {
      public:
	Pipeline *
	getDecodePipeline(Pipeline *next) override
	{
		decoder = std::make_shared<Pl_RunLength>("runlength", next, Pl_RunLength::a_decode);
		guard = std::make_shared<runlength_end>(decoder.get());
		return guard.get();
	}
	bool
	isSpecializedCompression() override
	{
		return true; /* as qpdf has it */
	}

      private:
	std::shared_ptr<Pipeline> decoder, guard;
};

/* The bytes one predictor row takes, as qpdf computes it; 0 without one. */
guint64
row_bytes(const pdf_decode_parms &p)
{
	if (p.predictor == PDF_PARM_ABSENT || p.predictor < 2)
		return 0;
	auto value = [](gint64 v, gint64 absent) { return v == PDF_PARM_ABSENT ? absent : v; };
	gint64 columns = value(p.columns, 1), colors = value(p.colors, 1),
	       bits = value(p.bits_per_component, 8);
	if (columns <= 0 || colors <= 0 || bits <= 0 || columns > G_MAXINT32 ||
	    colors > G_MAXINT32 || bits > 32)
		return G_MAXUINT64; /* qpdf refuses it; so does the caller */
	return ((guint64)columns * (guint64)colors * (guint64)bits + 7) / 8;
}

/* null without any: qpdf's decoders other than Flate and LZW take no
 * dictionary at all, not even an empty one */
QPDFObjectHandle
parms_dict(const pdf_decode_parms &p)
{
	QPDFObjectHandle d = QPDFObjectHandle::newDictionary();
	bool any = false;
	const struct {
		const char *key;
		gint64 value;
	} keys[] = {
		{ "/Predictor", p.predictor },
		{ "/Colors", p.colors },
		{ "/BitsPerComponent", p.bits_per_component },
		{ "/Columns", p.columns },
		{ "/EarlyChange", p.early_change },
	};
	for (const auto &k : keys)
		if (k.value != PDF_PARM_ABSENT) {
			d.replaceKey(k.key, QPDFObjectHandle::newInteger(k.value));
			any = true;
		}
	return any ? d : QPDFObjectHandle::newNull();
}

/* One pass of qpdf's decoders over raw into sink. */
enum pdf_measure
decode_pass(const char *const *names, const struct pdf_decode_parms *parms, unsigned n,
	    const guint8 *raw, gsize len, bounded_sink &sink)
{
	try {
		QPDF pdf;
		pdf.setSuppressWarnings(true);
		pdf.emptyPDF();
		QPDFObjectHandle filter = QPDFObjectHandle::newArray();
		QPDFObjectHandle decode_parms = QPDFObjectHandle::newArray();
		for (unsigned i = 0; i < n; i++) {
			filter.appendItem(QPDFObjectHandle::newName(names[i]));
			decode_parms.appendItem(parms_dict(parms[i]));
		}
		/* Buffer(pointer, size) borrows the bytes: no copy */
		auto data = std::make_shared<Buffer>(const_cast<guint8 *>(raw), len);
		QPDFObjectHandle stream = QPDFObjectHandle::newStream(&pdf);
		stream.replaceStreamData(data, filter, decode_parms);
		bool filtered = false;
		bool ok = stream.pipeStreamData(&sink, &filtered, 0, qpdf_dl_specialized, true,
						 false);
		if (sink.over) /* should qpdf have caught the throw */
			return PDF_MEASURE_OVER;
		return ok && filtered ? PDF_MEASURE_OK : PDF_MEASURE_ERROR;
	} catch (...) {
		return sink.over ? PDF_MEASURE_OVER : PDF_MEASURE_ERROR;
	}
}

} // namespace

gboolean
pdf_filter_streamable(const char *name)
{
	for (const auto &f : streamable)
		if (named(name, f))
			return TRUE;
	return FALSE;
}

gboolean
pdf_filter_is_lzw(const char *name)
{
	return named(name, { "/LZWDecode", "/LZW" });
}

enum pdf_measure
pdf_decode_filters(const char *const *names, const struct pdf_decode_parms *parms, unsigned n,
		   const guint8 *raw, gsize len, guint64 limit, GByteArray *keep,
		   guint64 *decoded)
{
	*decoded = 0;
	if (n == 0 || n > PDF_MAX_FILTERS)
		return PDF_MEASURE_BAD_FILTER;
	for (unsigned i = 0; i < n; i++) {
		if (!pdf_filter_streamable(names[i]) && !(i + 1 == n && pdf_filter_is_lzw(names[i])))
			return PDF_MEASURE_BAD_FILTER; /* unknown, or LZW feeding another */
		guint64 row = row_bytes(parms[i]);
		if (row == G_MAXUINT64)
			return PDF_MEASURE_ERROR;
		if (row > limit)
			return PDF_MEASURE_OVER; /* one row alone would be past it */
	}
	/* process-wide, once: the worker's writer decodes with it too */
	static const bool registered = [] {
		QPDF::registerStreamFilter("/RunLengthDecode",
					   [] { return std::make_shared<runlength_filter>(); });
		return true;
	}();
	(void)registered;
	bounded_sink first(limit, keep, first_pass_keep);
	enum pdf_measure result = decode_pass(names, parms, n, raw, len, first);
	*decoded = first.count;
	if (result != PDF_MEASURE_OK || !first.let_go)
		return result;
	if (first.count > G_MAXINT32)
		return PDF_MEASURE_OVER; /* more than a GByteArray (and qpdf's writer) holds */
	bounded_sink second(limit, keep, limit);
	result = decode_pass(names, parms, n, raw, len, second);
	if (result == PDF_MEASURE_OK && second.count != first.count)
		result = PDF_MEASURE_ERROR; /* the same bytes decoded twice differ */
	return result;
}
