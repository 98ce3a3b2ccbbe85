/*
 * NAME
 *	fuzz-record - libFuzzer target: an audit record read into the
 *	quarantine's index
 * SUMMARY
 *	store_message_from_record() reads cdr-milter's records, and
 *	cdr-quarantine migrate reads them from the files of an old directory
 *	quarantine, which anyone with access to that directory could have
 *	written. It must not crash, and must fail closed: malware or a
 *	message blocked whole as dangerous is never releasable, and only a
 *	delivered message without malware waits for a password mail.
 */
#include <string.h>

#include "fuzz-common.h"
#include "store.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autoptr(store_message) m = store_message_from_record((const char *)data, size, NULL);
	if (!m)
		return 0;
	g_assert(m->recipients && m->attachments);
	for (guint i = 0; i < m->recipients->len; i++) {
		const struct store_recipient *r = m->recipients->pdata[i];
		g_assert(r->address && r->mode);
	}
	if (m->malware)
		g_assert(!m->releasable && m->not_releasable);
	if (g_strcmp0(m->error, "malware") == 0)
		g_assert(m->malware);
	if (g_strcmp0(m->verdict, "blocked") == 0 && g_strcmp0(m->error, "dangerous") == 0)
		g_assert(!m->releasable);
	if (m->ppap_wait)
		g_assert(m->encrypted && !m->malware && g_strcmp0(m->action, "delivered") == 0);
	g_assert(m->record && memcmp(m->record, data, size) == 0);
	return 0;
}
