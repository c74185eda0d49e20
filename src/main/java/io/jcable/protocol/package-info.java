/**
 * The Action Cable wire protocol: sub-protocol negotiation, parsing client commands, building server frames,
 * and the JSON helpers that keep payloads verbatim. Pure logic, no I/O.
 */
package io.jcable.protocol;
