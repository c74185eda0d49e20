/**
 * Who a client is and which streams it may read, decided by the server itself (standalone mode, docs/protocol.md §7):
 * {@link io.jcable.identity.JwtIdentifier} verifies an AnyCable JWT and yields the connection identifiers of its
 * {@code ext} claim; {@link io.jcable.identity.SignedStreams} verifies a stream name signed as Rails'
 * {@code MessageVerifier} signs it. Pure logic over attacker-controlled text: every input gets a value, never an
 * exception.
 */
package io.jcable.identity;
