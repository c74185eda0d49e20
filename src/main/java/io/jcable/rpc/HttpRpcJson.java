package io.jcable.rpc;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.stream.JsonWriter;
import io.jcable.protocol.Json;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON bodies of HTTP RPC (docs/rpc.md §10): each rpc.proto message as JSON with the proto field names
 * ({@code connection_identifiers}, {@code error_msg}), default values left out, as anycable-go sends them and
 * anycable-rb answers. A response must be a JSON object whose known fields have their proto types; {@code status}
 * is a number or an enum name; unknown fields are ignored; {@code null} means the default. Anything else fails the
 * attempt (not retried).
 */
final class HttpRpcJson {
    private static final Set<String> STATUS_NAMES = Set.of("ERROR", "SUCCESS", "FAILURE");

    private HttpRpcJson() {
    }

    @FunctionalInterface
    private interface Fields {
        void write(JsonWriter json) throws IOException;
    }

    static String connectRequest(RequestEnv env) {
        return object(json -> env(json, env, Map.of(), Map.of()));
    }

    static String commandRequest(CommandRequest request) {
        return object(json -> {
            string(json, "command", request.command());
            string(json, "identifier", request.identifier());
            string(json, "connection_identifiers", request.connectionIdentifiers());
            string(json, "data", request.data());
            env(json, request.env(), request.cstate(), request.istate());
        });
    }

    static String disconnectRequest(DisconnectCall request) {
        return object(json -> {
            string(json, "identifiers", request.identifiers());
            if (!request.subscriptions().isEmpty()) {
                json.name("subscriptions").beginArray();
                for (String subscription : request.subscriptions()) {
                    json.value(subscription);
                }
                json.endArray();
            }
            env(json, request.env(), request.cstate(), request.istates());
        });
    }

    static ConnectResult connectResult(String body) throws RpcFailure {
        JsonObject response = parse(body);
        return new ConnectResult(status(response), string(response, "identifiers"),
                strings(response, "transmissions"), envMap(response, "cstate"), string(response, "error_msg"));
    }

    static CommandResult commandResult(String body) throws RpcFailure {
        JsonObject response = parse(body);
        return new CommandResult(status(response), bool(response, "disconnect"), bool(response, "stop_streams"),
                strings(response, "streams"), strings(response, "stopped_streams"), strings(response, "transmissions"),
                envMap(response, "cstate"), envMap(response, "istate"), string(response, "error_msg"),
                presence(response));
    }

    /** {@code presence}: a PresenceResponse object, null when absent. */
    private static PresenceAnswer presence(JsonObject response) throws RpcFailure {
        JsonElement value = response.get("presence");
        if (value == null || value.isJsonNull()) {
            return null;
        }
        if (!value.isJsonObject()) {
            throw invalid("presence is not an object");
        }
        JsonObject presence = value.getAsJsonObject();
        return PresenceAnswer.of(string(presence, "type"), string(presence, "id"), string(presence, "info"));
    }

    static DisconnectAnswer disconnectResult(String body) throws RpcFailure {
        JsonObject response = parse(body);
        return new DisconnectAnswer(status(response), string(response, "error_msg"));
    }

    private static String object(Fields fields) {
        StringWriter out = new StringWriter();
        try (JsonWriter json = new JsonWriter(out)) {
            json.beginObject();
            fields.write(json);
            json.endObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to a string", e);
        }
        return out.toString();
    }

    private static void env(JsonWriter json, RequestEnv env, Map<String, String> cstate, Map<String, String> istate)
            throws IOException {
        json.name("env").beginObject();
        string(json, "url", env.url());
        map(json, "headers", env.headers());
        map(json, "cstate", cstate);
        map(json, "istate", istate);
        json.endObject();
    }

    private static void string(JsonWriter json, String name, String value) throws IOException {
        if (!value.isEmpty()) {
            json.name(name).value(value);
        }
    }

    private static void map(JsonWriter json, String name, Map<String, String> map) throws IOException {
        if (!map.isEmpty()) {
            json.name(name).beginObject();
            for (Map.Entry<String, String> entry : map.entrySet()) {
                json.name(entry.getKey()).value(entry.getValue());
            }
            json.endObject();
        }
    }

    private static JsonObject parse(String body) throws RpcFailure {
        JsonElement element = Json.parseStrict(body);
        if (element == null || !element.isJsonObject()) {
            throw invalid("the response is not a JSON object");
        }
        return element.getAsJsonObject();
    }

    /** {@code status}: 0, 1, 2 or ERROR, SUCCESS, FAILURE; missing = 0 = ERROR, as in proto3. */
    private static RpcStatus status(JsonObject response) throws RpcFailure {
        JsonPrimitive value = primitive(response, "status");
        if (value == null) {
            return RpcStatus.ERROR;
        }
        if (value.isString() && STATUS_NAMES.contains(value.getAsString())) {
            return RpcStatus.valueOf(value.getAsString());
        }
        if (value.isNumber()) {
            try {
                return RpcStatus.of(value.getAsBigDecimal().intValueExact());
            } catch (ArithmeticException | NumberFormatException e) {
                // a fraction, out of int range, or an exponent no BigDecimal takes
                throw invalid("status is not a Status");
            }
        }
        throw invalid("status is not a Status");
    }

    private static String string(JsonObject response, String name) throws RpcFailure {
        JsonPrimitive value = primitive(response, name);
        if (value == null) {
            return "";
        }
        if (!value.isString()) {
            throw invalid(name + " is not a string");
        }
        return value.getAsString();
    }

    private static boolean bool(JsonObject response, String name) throws RpcFailure {
        JsonPrimitive value = primitive(response, name);
        if (value == null) {
            return false;
        }
        if (!value.isBoolean()) {
            throw invalid(name + " is not a boolean");
        }
        return value.getAsBoolean();
    }

    private static List<String> strings(JsonObject response, String name) throws RpcFailure {
        JsonElement value = response.get(name);
        if (value == null || value.isJsonNull()) {
            return List.of();
        }
        if (!value.isJsonArray()) {
            throw invalid(name + " is not an array of strings");
        }
        JsonArray array = value.getAsJsonArray();
        List<String> strings = new ArrayList<>(array.size());
        for (JsonElement item : array) {
            if (!item.isJsonPrimitive() || !item.getAsJsonPrimitive().isString()) {
                throw invalid(name + " is not an array of strings");
            }
            strings.add(item.getAsString());
        }
        return strings;
    }

    /** {@code env.<name>} of an EnvResponse: a string map, empty when absent. */
    private static Map<String, String> envMap(JsonObject response, String name) throws RpcFailure {
        JsonElement env = response.get("env");
        if (env == null || env.isJsonNull()) {
            return Map.of();
        }
        if (!env.isJsonObject()) {
            throw invalid("env is not an object");
        }
        JsonElement value = env.getAsJsonObject().get(name);
        if (value == null || value.isJsonNull()) {
            return Map.of();
        }
        if (!value.isJsonObject()) {
            throw invalid("env." + name + " is not an object of strings");
        }
        Map<String, String> map = new HashMap<>();
        for (Map.Entry<String, JsonElement> entry : value.getAsJsonObject().entrySet()) {
            JsonElement item = entry.getValue();
            if (!item.isJsonPrimitive() || !item.getAsJsonPrimitive().isString()) {
                throw invalid("env." + name + " is not an object of strings");
            }
            map.put(entry.getKey(), item.getAsString());
        }
        return map;
    }

    /** A primitive field, null when absent or {@code null}; a field of another shape fails. */
    private static JsonPrimitive primitive(JsonObject response, String name) throws RpcFailure {
        JsonElement value = response.get(name);
        if (value == null || value.isJsonNull()) {
            return null;
        }
        if (!value.isJsonPrimitive()) {
            throw invalid(name + " has the wrong type");
        }
        return value.getAsJsonPrimitive();
    }

    private static RpcFailure invalid(String why) {
        return new RpcFailure(RpcFailure.Kind.FATAL, "invalid response: " + why);
    }
}
