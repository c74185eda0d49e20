package io.jcable.presence;

import io.jcable.protocol.Json;
import java.util.Map;

/**
 * Who is present on a stream.
 *
 * @param total   the number of presence ids
 * @param records presence id → info as JSON text; empty when not asked for
 */
public record PresenceState(int total, Map<String, String> records) {

    /** The info frame's {@code message}; {@code records} omitted when the client asked for none. */
    public String message(boolean withRecords) {
        StringBuilder json = new StringBuilder(64 + records.size() * 48)
                .append("{\"type\":\"info\",\"total\":").append(total);
        if (withRecords) {
            json.append(",\"records\":[");
            String separator = "";
            for (Map.Entry<String, String> record : records.entrySet()) {
                json.append(separator).append("{\"id\":").append(Json.quote(record.getKey()))
                        .append(",\"info\":").append(record.getValue()).append('}');
                separator = ",";
            }
            json.append(']');
        }
        return json.append('}').toString();
    }
}
