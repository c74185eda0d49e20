package io.jcable.protocol;

/** What a client text frame means (docs/protocol.md §4). */
public sealed interface ClientCommand {

    /**
     * {@code {"command":"subscribe","identifier":ID}}; extended clients may add a {@code history} request and a
     * {@code presence} join (each null when absent), served after the confirmation.
     */
    record Subscribe(String identifier, HistoryRequest history, PresenceJoin presence) implements ClientCommand {
        public Subscribe(String identifier) {
            this(identifier, null, null);
        }
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

    /** {@code {"command":"history","identifier":ID,"history":{…}}} (extended protocol). */
    record History(String identifier, HistoryRequest history) implements ClientCommand {
    }

    /**
     * {@code {"command":"whisper","identifier":ID,"data":…}} (extended protocol).
     *
     * @param data the {@code data} member as JSON text (a string member becomes a JSON string literal)
     */
    record Whisper(String identifier, String data) implements ClientCommand {
    }

    /** {@code {"command":"join","identifier":ID,"presence":{"id":…,"info":…}}} (extended protocol). */
    record Join(String identifier, PresenceJoin presence) implements ClientCommand {
    }

    /** {@code {"command":"leave","identifier":ID}} (extended protocol). */
    record Leave(String identifier) implements ClientCommand {
    }

    /**
     * {@code {"command":"presence","identifier":ID,"data":{"return_records":B}}} (extended protocol).
     *
     * @param returnRecords false only when the client sent {@code return_records:false}
     */
    record PresenceInfo(String identifier, boolean returnRecords) implements ClientCommand {
    }

    /** A JSON object that is not a command this server handles: logged and counted, the connection is kept. */
    record Unsupported(String reason) implements ClientCommand {
    }

    /** Not a JSON object at all: the connection is closed with 1007. */
    record Malformed(String reason) implements ClientCommand {
    }
}
