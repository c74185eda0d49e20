package io.jcable.broadcast;

import io.jcable.protocol.Json;
import io.jcable.protocol.StreamPosition;
import java.util.List;

/** A parsed broadcast payload (docs/broadcasting.md §1–2). */
public sealed interface BroadcastMessage {

    /**
     * One message for one stream.
     *
     * @param data          the {@code data} text as published
     * @param excludeSocket {@code meta.exclude_socket} or null
     * @param broadcastType {@code meta.broadcast_type} or null
     * @param transientData {@code meta.transient}: never stored by the broker, delivered without a position
     * @param position      top-level {@code epoch} and {@code offset}: where a cluster-wide broker stored it (only
     *                      trusted on what arrives through the pub/sub), or null
     */
    record Publication(String stream, String data, String excludeSocket, String broadcastType,
                       boolean transientData, StreamPosition position) implements BroadcastMessage {

        public Publication(String stream, String data, String excludeSocket, String broadcastType) {
            this(stream, data, excludeSocket, broadcastType, false, null);
        }

        /** This publication at {@code stored} (null: without a position). */
        public Publication at(StreamPosition stored) {
            return new Publication(stream, data, excludeSocket, broadcastType, transientData, stored);
        }

        /** The publication as a payload of its own (what travels between nodes). */
        public String toJson() {
            StringBuilder json = new StringBuilder(data.length() + stream.length() + 32)
                    .append("{\"stream\":").append(Json.quote(stream))
                    .append(",\"data\":").append(Json.quote(data));
            if (excludeSocket != null || broadcastType != null || transientData) {
                String separator = "";
                json.append(",\"meta\":{");
                if (excludeSocket != null) {
                    json.append("\"exclude_socket\":").append(Json.quote(excludeSocket));
                    separator = ",";
                }
                if (broadcastType != null) {
                    json.append(separator).append("\"broadcast_type\":").append(Json.quote(broadcastType));
                    separator = ",";
                }
                if (transientData) {
                    json.append(separator).append("\"transient\":true");
                }
                json.append('}');
            }
            if (position != null) {
                json.append(",\"epoch\":").append(Json.quote(position.epoch()))
                        .append(",\"offset\":").append(position.offset());
            }
            return json.append('}').toString();
        }
    }

    /**
     * A batch: the valid publications to handle in array order, and why each left-out element was invalid
     * (an element without a non-empty string {@code stream} or with a non-string {@code data}).
     */
    record Batch(List<Publication> publications, List<String> skipped) implements BroadcastMessage {
    }

    /** {@code {"command":"disconnect","payload":{"identifier":…,"reconnect":…}}}. */
    record RemoteDisconnect(String identifier, boolean reconnect) implements BroadcastMessage {
    }

    /** A remote command this server does not know. */
    record UnknownCommand(String command) implements BroadcastMessage {
    }

    /** Not a valid payload; the reason is for logs and HTTP 400 answers. */
    record Invalid(String reason) implements BroadcastMessage {
    }
}
