package io.jcable.protocol;

/** What a client text frame means (docs/protocol.md §4). */
public sealed interface ClientCommand {

    /** {@code {"command":"subscribe","identifier":ID}}. */
    record Subscribe(String identifier) implements ClientCommand {
    }

    /** {@code {"command":"unsubscribe","identifier":ID}}. */
    record Unsubscribe(String identifier) implements ClientCommand {
    }

    /** {@code {"command":"message","identifier":ID,"data":"<JSON text>"}}; data is passed on unchanged. */
    record Message(String identifier, String data) implements ClientCommand {
    }

    /** {@code {"command":"ping"}}: answered with {@code {"type":"pong"}}. */
    record Ping() implements ClientCommand {
    }

    /** {@code {"command":"pong"}}: a client's answer to a server ping; nothing to do. */
    record Pong() implements ClientCommand {
    }

    /** A JSON object that is not a command this server handles: logged and counted, the connection is kept. */
    record Unsupported(String reason) implements ClientCommand {
    }

    /** Not a JSON object at all: the connection is closed with 1007. */
    record Malformed(String reason) implements ClientCommand {
    }
}
