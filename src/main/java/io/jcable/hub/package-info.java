/**
 * The local registry of who listens to what: stream → identifier → sessions, and connection identifiers →
 * sessions for remote disconnects. Broadcast fan-out builds each frame once per (publication, identifier) and
 * hands the same string to every recipient.
 */
package io.jcable.hub;
