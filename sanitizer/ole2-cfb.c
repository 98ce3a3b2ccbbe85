/*
 * NAME
 *	ole2-cfb.c - a compound file's structure checked before libgsf reads it
 * SUMMARY
 *	libgsf guards its reader with g_return_val_if_fail(): a broken sector
 *	chain logs a GLib critical (fatal under G_DEBUG=fatal-criticals, as in
 *	the tests and fuzzers) instead of failing quietly. Every structure it
 *	trusts is therefore checked here first, and a file that does not pass
 *	is blocked as a parse error with the reason.
 * DESCRIPTION
 *	Checked: the header (signature, byte order, version 3 with 512-byte or
 *	version 4 with 4096-byte sectors, 64-byte mini sectors, cutoff 4096);
 *	the FAT sector list from the header and the DIFAT chain; every FAT and
 *	mini FAT entry either a sector of the file or a marker; the directory,
 *	mini FAT and mini stream chains; the directory tree from the root
 *	(entry types, name lengths, sibling and child ids in range, no entry
 *	reached twice, depth at most CFB_MAX_DEPTH); every stream's chain in
 *	the FAT or mini FAT: no sector outside its table, no loop, long enough
 *	for the stream's size. Chains are walked with a visited bitmap, so the
 *	work is linear in the file's size.
 */
#include <string.h>

#include "ole2.h"

#define CFB_HEADER 512
#define CFB_MAX_REGSECT 0xFFFFFFF9u
#define CFB_ENDOFCHAIN 0xFFFFFFFEu
#define CFB_NOSTREAM 0xFFFFFFFFu
#define CFB_DIR_ENTRY 128
#define CFB_MINI_SECTOR 64
#define CFB_CUTOFF 4096
#define CFB_MAX_DEPTH 32

struct cfb {
	const guint8 *data;
	gsize len;
	gsize ssz;        /* sector size */
	guint32 nsect;    /* sectors in the file */
	guint32 *fat;     /* nfat_entries */
	gsize nfat;
	guint32 *minifat; /* nmini entries */
	gsize nmini;
	guint32 mini_sectors; /* mini sectors the mini stream holds */
	const guint8 *dir;    /* directory copied contiguously */
	gsize ndir;
	guint8 *seen;
};

static const guint8 *
sector(const struct cfb *c, guint32 s)
{
	gsize off = (gsize)(s + 1) * c->ssz;
	return off + c->ssz <= c->len ? c->data + off : NULL;
}

/*
 * Follow a chain from `start` in `table` (n entries, sectors < limit):
 * count its sectors into *count, fail on a loop, an entry out of range or
 * more than `max` sectors. `seen` must hold n bits, cleared.
 */
static gboolean
walk_chain(const guint32 *table, gsize n, guint32 start, guint32 limit, gsize max, guint8 *seen,
	   gsize *count)
{
	gsize k = 0;
	guint32 s = start;
	memset(seen, 0, (n + 7) / 8);
	while (s != CFB_ENDOFCHAIN) {
		if (s >= n || s >= limit || (seen[s / 8] & (1u << (s % 8))) || k >= max)
			return FALSE;
		seen[s / 8] |= (guint8)(1u << (s % 8));
		k++;
		s = table[s];
	}
	*count = k;
	return TRUE;
}

static const char *
read_header(struct cfb *c)
{
	static const guint8 sig[8] = { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 };
	const guint8 *h = c->data;
	if (c->len < CFB_HEADER || memcmp(h, sig, sizeof sig) != 0)
		return "OLE2 header truncated";
	if (ole2_u16(h + 0x1C) != 0xFFFE)
		return "OLE2 header with a wrong byte order mark";
	guint16 major = ole2_u16(h + 0x1A), shift = ole2_u16(h + 0x1E);
	if (!((major == 3 && shift == 9) || (major == 4 && shift == 12)))
		return "OLE2 header with an unknown version or sector size";
	if (ole2_u16(h + 0x20) != 6 || ole2_u32(h + 0x38) != CFB_CUTOFF)
		return "OLE2 header with an unknown mini sector size";
	c->ssz = (gsize)1 << shift;
	if (c->len < 2 * c->ssz)
		return "OLE2 file without sectors";
	c->nsect = (guint32)MIN((c->len - c->ssz) / c->ssz, (gsize)CFB_MAX_REGSECT);
	return NULL;
}

/* The FAT, gathered from the header's 109 entries and the DIFAT chain. */
static const char *
read_fat(struct cfb *c)
{
	const guint8 *h = c->data;
	guint32 nfat = ole2_u32(h + 0x2C), difat = ole2_u32(h + 0x44), ndifat = ole2_u32(h + 0x48);
	gsize per = c->ssz / 4;
	if (nfat == 0 || nfat > c->nsect)
		return "OLE2 FAT sector count out of range";
	if (ndifat != (nfat <= 109 ? 0 : (nfat - 109 + (guint32)per - 2) / ((guint32)per - 1)))
		return "OLE2 DIFAT sector count does not match the FAT";
	c->nfat = (gsize)nfat * per;
	c->fat = g_new(guint32, c->nfat);
	gsize got = 0;
	for (guint32 i = 0; i < 109 && got < nfat; i++) {
		guint32 s = ole2_u32(h + 0x4C + 4 * i);
		const guint8 *p = s < c->nsect ? sector(c, s) : NULL;
		if (!p)
			return "OLE2 FAT sector outside the file";
		for (gsize j = 0; j < per; j++)
			c->fat[got * per + j] = ole2_u32(p + 4 * j);
		got++;
	}
	guint32 steps = 0;
	while (got < nfat) {
		const guint8 *d = difat < c->nsect ? sector(c, difat) : NULL;
		if (!d || ++steps > ndifat)
			return "OLE2 DIFAT chain broken";
		for (gsize i = 0; i + 1 < per && got < nfat; i++) {
			guint32 s = ole2_u32(d + 4 * i);
			const guint8 *p = s < c->nsect ? sector(c, s) : NULL;
			if (!p)
				return "OLE2 FAT sector outside the file";
			for (gsize j = 0; j < per; j++)
				c->fat[got * per + j] = ole2_u32(p + 4 * j);
			got++;
		}
		difat = ole2_u32(d + c->ssz - 4);
	}
	for (gsize i = 0; i < c->nfat; i++)
		if (c->fat[i] <= CFB_MAX_REGSECT && c->fat[i] >= c->nsect)
			return "OLE2 FAT entry points outside the file";
	return NULL;
}

/* A chain of whole sectors copied out (directory, mini FAT). */
static guint8 *
read_chain(struct cfb *c, guint32 start, gsize *len)
{
	gsize n;
	if (!walk_chain(c->fat, c->nfat, start, c->nsect, c->nsect, c->seen, &n) || n == 0)
		return NULL;
	guint8 *buf = g_malloc(n * c->ssz);
	guint32 s = start;
	for (gsize i = 0; i < n; i++, s = c->fat[s]) {
		const guint8 *p = sector(c, s);
		if (!p) {
			g_free(buf);
			return NULL;
		}
		memcpy(buf + i * c->ssz, p, c->ssz);
	}
	*len = n * c->ssz;
	return buf;
}

static gsize
sectors_for(guint64 size, gsize unit)
{
	return (gsize)((size + unit - 1) / unit);
}

/* One directory entry and, recursively, its siblings and children. */
static const char *
check_entry(struct cfb *c, guint8 *visited, guint32 id, unsigned depth)
{
	while (id != CFB_NOSTREAM) {
		if (id >= c->ndir)
			return "OLE2 directory link out of range";
		if (visited[id])
			return "OLE2 directory entry reached twice";
		if (depth > CFB_MAX_DEPTH)
			return "OLE2 storages nested too deep";
		visited[id] = 1;
		const guint8 *e = c->dir + (gsize)id * CFB_DIR_ENTRY;
		guint16 name_len = ole2_u16(e + 0x40);
		guint8 type = e[0x42];
		guint32 start = ole2_u32(e + 0x74);
		guint64 size = ole2_u32(e + 0x78);
		if (name_len < 2 || name_len > 64 || name_len % 2)
			return "OLE2 directory entry with a bad name length";
		if (ole2_u32(e + 0x7C) != 0 && c->ssz == 512)
			return "OLE2 stream size over 4 GiB in a version 3 file";
		if (start <= CFB_MAX_REGSECT &&
		    start >= (type == 2 && size > 0 && size < CFB_CUTOFF ? c->nmini : c->nfat))
			return "OLE2 directory entry starting outside its table";
		if (type == 2) {
			gsize n;
			gboolean ok;
			if (size == 0)
				ok = TRUE;
			else if (size < CFB_CUTOFF)
				ok = walk_chain(c->minifat, c->nmini, start, c->mini_sectors,
						c->mini_sectors, c->seen, &n) &&
				     n >= sectors_for(size, CFB_MINI_SECTOR);
			else
				ok = walk_chain(c->fat, c->nfat, start, c->nsect, c->nsect, c->seen, &n) &&
				     n >= sectors_for(size, c->ssz);
			if (!ok)
				return "OLE2 stream with a broken sector chain";
		} else if (type == 1) {
			const char *why = check_entry(c, visited, ole2_u32(e + 0x4C), depth + 1);
			if (why)
				return why;
		} else {
			return "OLE2 directory entry of an unknown type";
		}
		const char *why = check_entry(c, visited, ole2_u32(e + 0x44), depth + 1);
		if (why)
			return why;
		id = ole2_u32(e + 0x48);
	}
	return NULL;
}

static const char *
check_tree(struct cfb *c)
{
	const guint8 *root = c->dir;
	if (root[0x42] != 5)
		return "OLE2 directory without a root entry";
	if (ole2_u32(root + 0x44) != CFB_NOSTREAM || ole2_u32(root + 0x48) != CFB_NOSTREAM)
		return "OLE2 root entry with siblings";
	guint32 mini_start = ole2_u32(root + 0x74);
	guint64 mini_size = ole2_u32(root + 0x78);
	gsize n = 0;
	if (mini_size > 0 &&
	    (!walk_chain(c->fat, c->nfat, mini_start, c->nsect, c->nsect, c->seen, &n) ||
	     n < sectors_for(mini_size, c->ssz)))
		return "OLE2 mini stream with a broken sector chain";
	c->mini_sectors = (guint32)MIN(mini_size / CFB_MINI_SECTOR, (guint64)CFB_MAX_REGSECT);
	for (gsize i = 0; i < c->nmini; i++)
		if (c->minifat[i] <= CFB_MAX_REGSECT && c->minifat[i] >= c->mini_sectors)
			return "OLE2 mini FAT entry points outside the mini stream";
	g_autofree guint8 *visited = g_malloc0(c->ndir);
	visited[0] = 1;
	return check_entry(c, visited, ole2_u32(root + 0x4C), 1);
}

const char *
ole2_cfb_check(const guint8 *data, gsize len)
{
	struct cfb c = { .data = data, .len = len };
	const char *why = read_header(&c);
	guint8 *dir = NULL, *minifat = NULL;
	gsize dir_len = 0, minifat_len = 0;
	if (why)
		goto out;
	why = read_fat(&c);
	if (why)
		goto out;
	c.seen = g_malloc0((MAX(c.nfat, (gsize)1) + 7) / 8);
	dir = read_chain(&c, ole2_u32(data + 0x30), &dir_len);
	if (!dir) {
		why = "OLE2 directory chain broken";
		goto out;
	}
	c.dir = dir;
	c.ndir = dir_len / CFB_DIR_ENTRY;
	guint32 minifat_start = ole2_u32(data + 0x3C), minifat_count = ole2_u32(data + 0x40);
	if (minifat_count > 0) {
		minifat = read_chain(&c, minifat_start, &minifat_len);
		if (!minifat || minifat_len != (gsize)minifat_count * c.ssz) {
			why = "OLE2 mini FAT chain broken";
			goto out;
		}
	}
	c.nmini = minifat_len / 4;
	c.minifat = g_new(guint32, MAX(c.nmini, (gsize)1));
	for (gsize i = 0; i < c.nmini; i++)
		c.minifat[i] = ole2_u32(minifat + 4 * i);
	/* the mini chains use the same bitmap: size it for both tables */
	g_free(c.seen);
	c.seen = g_malloc0((MAX(MAX(c.nfat, c.nmini), (gsize)1) + 7) / 8);
	why = check_tree(&c);
out:
	g_free(c.fat);
	g_free(c.minifat);
	g_free(c.seen);
	g_free(dir);
	g_free(minifat);
	return why;
}
