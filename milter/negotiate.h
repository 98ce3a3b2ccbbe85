/*
 * NAME
 *	negotiate.h - what cdr-milter asks of the MTA in the milter protocol
 * SUMMARY
 *	MILTER_ACTIONS, the edits it may make (smfiDesc.xxfi_flags and the
 *	actions of the negotiation), and milter_negotiate(), the protocol
 *	flags it takes of those the MTA offers.
 * DESCRIPTION
 *	Postfix waits for an answer to every header unless told not to: one
 *	round trip per header line costs more than rebuilding the message.
 *	So no replies for connect, HELO, RCPT, headers and end of headers
 *	where the MTA offers that; and header values with their leading
 *	space, so the message given to the engine is the one that came in.
 *	bench/null-milter.c negotiates with this too, so that the peer it is
 *	measured against speaks the protocol the same way.
 */
#ifndef MUGAIKA_MILTER_NEGOTIATE_H
#define MUGAIKA_MILTER_NEGOTIATE_H

#include <libmilter/mfapi.h>

#define MILTER_ACTIONS (SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_CHGBODY)
#define MILTER_NO_REPLY_STAGES                                                                     \
	(SMFIP_NR_CONN | SMFIP_NR_HELO | SMFIP_NR_RCPT | SMFIP_NR_HDR | SMFIP_NR_EOH)

/* The answer to the negotiation, given the protocol flags offered (f1);
 * returns the protocol flags agreed. */
static inline unsigned long
milter_negotiate(unsigned long offered, unsigned long *pf0, unsigned long *pf1,
		 unsigned long *pf2, unsigned long *pf3)
{
	*pf0 = MILTER_ACTIONS;
	*pf1 = offered & (SMFIP_HDR_LEADSPC | MILTER_NO_REPLY_STAGES);
	*pf2 = *pf3 = 0;
	return *pf1;
}

#endif
