package io.jcable.session;

import io.jcable.rpc.CommandRequest;
import io.jcable.rpc.CommandResult;
import io.jcable.rpc.ConnectResult;

/**
 * Answers the server gives itself instead of asking the application (standalone mode, docs/protocol.md §7): who a
 * new session is (JWT, noauth), and commands on the channels it serves itself ({@code $pubsub}, Turbo Streams,
 * CableReady). Results have the application's shape and are applied exactly as its answers are; a FAILURE's
 * {@code errorMessage} is the reason for the log and quotes no client text. Only answers from the application
 * make a session interested in its Disconnect call (docs/rpc.md §8, mode {@code auto}). Called on the session's
 * mailbox; never blocks.
 */
public interface LocalAnswers {

    /** Connect answered by the server, or null: ask the application. */
    ConnectResult connect(String sid, Handshake handshake);

    /** A subscribe, unsubscribe or message answered by the server, or null: ask the application. */
    CommandResult command(CommandRequest request);
}
