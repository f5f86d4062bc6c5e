/*
 * chan_acct: what a client session can tell about the fate of what it
 * sent (chan.h): the stream position of each message and the peer's
 * kernel acknowledgements on TCP and TLS, and the fatal alert a (D)TLS
 * peer ended the session with. The exporter's delivery accounting
 * (exp_acct.c) rests on it.
 */
#include "chan_int.h"

bool
ipfix_chan_tx_pos(const struct ipfix_chan *c, uint64_t *pos)
{
	if (c == NULL || c->t == NULL || !c->t->bytestream || c->shared)
		return false;
	*pos = c->t->tx_taken + (c->ops->queued != NULL ?
	    c->ops->queued(c) : 0);
	return true;
}

int
ipfix_chan_acked(const struct ipfix_chan *c, uint64_t *acked)
{
	if (c == NULL || c->t == NULL)
		return -1;
	return ipfix_transport_acked(c->t, acked);
}

int
ipfix_chan_peer_alert(const struct ipfix_chan *c)
{
	return c != NULL && c->alerted ? c->alert : -1;
}

/* Alerts of RFC 8446 §6.2 that say "not you": identity or access. */
bool
ipfix_chan_refused(const struct ipfix_chan *c)
{
	switch (ipfix_chan_peer_alert(c)) {
	case 40:	/* handshake_failure (also: no client certificate) */
	case 42:	/* bad_certificate */
	case 43:	/* unsupported_certificate */
	case 44:	/* certificate_revoked */
	case 45:	/* certificate_expired */
	case 46:	/* certificate_unknown */
	case 48:	/* unknown_ca */
	case 49:	/* access_denied */
	case 51:	/* decrypt_error (a signature or PSK binder) */
	case 115:	/* unknown_psk_identity */
	case 116:	/* certificate_required */
		return true;
	default:
		return false;
	}
}
