package io.jcable.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** HTTP RPC bodies (docs/rpc.md §10): proto field names, defaults left out; responses as anycable-rb writes them. */
class HttpRpcJsonTest {
    private static final RequestEnv ENV = new RequestEnv("http://localhost:8080/cable?x=1",
            ordered("cookie", "a=b", "REMOTE_ADDR", "127.0.0.1"));

    private static Map<String, String> ordered(String... keysAndValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    @Test
    void connectSendsTheEnvOnly() {
        assertEquals("{\"env\":{\"url\":\"http://localhost:8080/cable?x=1\",\"headers\":{\"cookie\":\"a=b\","
                + "\"REMOTE_ADDR\":\"127.0.0.1\"}}}", HttpRpcJson.connectRequest(ENV));
    }

    @Test
    void commandUsesProtoFieldNamesAndLeavesOutEmptyValues() {
        CommandRequest message = new CommandRequest("message", "{\"channel\":\"C\"}", "{\"uid\":\"1\"}",
                "{\"action\":\"tick\"}", ENV, ordered("k", "v"), ordered("count", "1"));
        assertEquals("{\"command\":\"message\",\"identifier\":\"{\\\"channel\\\":\\\"C\\\"}\","
                + "\"connection_identifiers\":\"{\\\"uid\\\":\\\"1\\\"}\",\"data\":\"{\\\"action\\\":\\\"tick\\\"}\","
                + "\"env\":{\"url\":\"http://localhost:8080/cable?x=1\",\"headers\":{\"cookie\":\"a=b\","
                + "\"REMOTE_ADDR\":\"127.0.0.1\"},\"cstate\":{\"k\":\"v\"},\"istate\":{\"count\":\"1\"}}}",
                HttpRpcJson.commandRequest(message));
        CommandRequest subscribe = new CommandRequest("subscribe", "{}", "", "", new RequestEnv("http://h/cable",
                Map.of()), Map.of(), Map.of());
        assertEquals("{\"command\":\"subscribe\",\"identifier\":\"{}\",\"env\":{\"url\":\"http://h/cable\"}}",
                HttpRpcJson.commandRequest(subscribe));
    }

    @Test
    void disconnectSendsSubscriptionsAndStatesAsJsonText() {
        DisconnectCall call = new DisconnectCall("sid1", "{\"uid\":\"1\"}", List.of("{\"channel\":\"A\"}", "B"),
                ENV, Map.of(), ordered("{\"channel\":\"A\"}", "{\"count\":\"1\"}"));
        assertEquals("{\"identifiers\":\"{\\\"uid\\\":\\\"1\\\"}\",\"subscriptions\":[\"{\\\"channel\\\":\\\"A\\\"}\","
                + "\"B\"],\"env\":{\"url\":\"http://localhost:8080/cable?x=1\",\"headers\":{\"cookie\":\"a=b\","
                + "\"REMOTE_ADDR\":\"127.0.0.1\"},\"istate\":{\"{\\\"channel\\\":\\\"A\\\"}\":\"{\\\"count\\\":\\\"1\\\"}\"}}}",
                HttpRpcJson.disconnectRequest(call));
    }

    @Test
    void textThatNeedsEscapingIsEscaped() {
        CommandRequest request = new CommandRequest("message", "id", "", "line\nbreak \"quoted\" <b>&\u2028",
                new RequestEnv("http://h/", Map.of()), Map.of(), Map.of());
        assertTrue(HttpRpcJson.commandRequest(request).contains(
                "\"data\":\"line\\nbreak \\\"quoted\\\" <b>&\\u2028\""), HttpRpcJson.commandRequest(request));
    }

    @Test
    void connectAnswerAsAnycableRbWritesIt() throws RpcFailure {
        ConnectResult result = HttpRpcJson.connectResult("{\"status\":1,\"identifiers\":\"{\\\"uid\\\":\\\"1\\\"}\","
                + "\"transmissions\":[\"{\\\"type\\\":\\\"welcome\\\"}\"],\"env\":{\"cstate\":{\"k\":\"v\"}}}");
        assertEquals(new ConnectResult(RpcStatus.SUCCESS, "{\"uid\":\"1\"}", List.of("{\"type\":\"welcome\"}"),
                Map.of("k", "v"), ""), result);
        assertEquals(new ConnectResult(RpcStatus.FAILURE, "", List.of(), Map.of(), "denied"),
                HttpRpcJson.connectResult("{\"status\":2,\"error_msg\":\"denied\"}"));
    }

    @Test
    void commandAnswerCarriesEveryField() throws RpcFailure {
        CommandResult result = HttpRpcJson.commandResult("{\"status\":1,\"disconnect\":true,\"stop_streams\":true,"
                + "\"streams\":[\"a\",\"b\"],\"stopped_streams\":[\"c\"],\"transmissions\":[\"t1\",\"t2\"],"
                + "\"error_msg\":\"e\",\"env\":{\"cstate\":{\"c\":\"1\"},\"istate\":{\"i\":\"\"}},"
                + "\"presence\":{\"type\":\"join\",\"id\":\"42\"}}");
        assertEquals(new CommandResult(RpcStatus.SUCCESS, true, true, List.of("a", "b"), List.of("c"),
                List.of("t1", "t2"), Map.of("c", "1"), Map.of("i", ""), "e", new PresenceAnswer(true, "42", "null")),
                result);
    }

    @Test
    void presenceInfoIsEmbeddedWhenJsonAndQuotedOtherwiseAndUnknownTypesAreNone() throws RpcFailure {
        assertEquals(new PresenceAnswer(true, "7", "{\"a\":1}"), HttpRpcJson.commandResult(
                "{\"status\":1,\"presence\":{\"type\":\"join\",\"id\":\"7\",\"info\":\"{\\\"a\\\":1}\"}}").presence());
        assertEquals(new PresenceAnswer(true, "7", "\"Jack\""), HttpRpcJson.commandResult(
                "{\"status\":1,\"presence\":{\"type\":\"join\",\"id\":\"7\",\"info\":\"Jack\"}}").presence());
        assertEquals(new PresenceAnswer(false, "7", "null"), HttpRpcJson.commandResult(
                "{\"status\":1,\"presence\":{\"type\":\"leave\",\"id\":\"7\"}}").presence());
        assertEquals(null, HttpRpcJson.commandResult(
                "{\"status\":1,\"presence\":{\"type\":\"dance\",\"id\":\"7\"}}").presence());
        assertEquals(null, HttpRpcJson.commandResult(
                "{\"status\":1,\"presence\":{\"type\":\"join\"}}").presence());
    }

    @Test
    void statusIsANumberOrAnEnumNameAndMissingMeansError() throws RpcFailure {
        assertEquals(RpcStatus.SUCCESS, HttpRpcJson.disconnectResult("{\"status\":\"SUCCESS\"}").status());
        assertEquals(RpcStatus.FAILURE, HttpRpcJson.disconnectResult("{\"status\":\"FAILURE\"}").status());
        assertEquals(RpcStatus.SUCCESS, HttpRpcJson.disconnectResult("{\"status\":1.0}").status());
        assertEquals(RpcStatus.ERROR, HttpRpcJson.disconnectResult("{\"status\":0}").status());
        assertEquals(RpcStatus.ERROR, HttpRpcJson.disconnectResult("{\"status\":7}").status());
        assertEquals(new DisconnectAnswer(RpcStatus.ERROR, "boom"),
                HttpRpcJson.disconnectResult("{\"error_msg\":\"boom\"}"));
        assertEquals(RpcStatus.ERROR, HttpRpcJson.disconnectResult("{}").status());
    }

    @Test
    void unknownFieldsAreIgnoredAndNullMeansTheDefault() throws RpcFailure {
        assertEquals(new CommandResult(RpcStatus.SUCCESS, false, false, List.of(), List.of(), List.of(), Map.of(),
                Map.of(), ""), HttpRpcJson.commandResult("{\"status\":1,\"future\":{\"x\":[1]},\"streams\":null,"
                + "\"disconnect\":null,\"env\":null,\"error_msg\":null}"));
        assertEquals(Map.of(), HttpRpcJson.connectResult("{\"status\":1,\"env\":{\"istate\":{\"x\":\"y\"}}}").cstate());
    }

    @Test
    void anythingElseFailsTheCallWithoutRetry() {
        for (String body : List.of("", "not json", "[1]", "\"text\"", "{'status':1}", "{\"status\":1} trailing",
                "{\"status\":\"OK\"}", "{\"status\":1.5}", "{\"status\":true}", "{\"status\":4294967297}", "{\"status\":1e2147483648}",
                "{\"status\":1,\"transmissions\":\"t\"}", "{\"status\":1,\"transmissions\":[1]}",
                "{\"status\":1,\"streams\":[null]}", "{\"status\":1,\"disconnect\":\"true\"}",
                "{\"status\":1,\"error_msg\":{}}", "{\"status\":1,\"env\":[]}", "{\"status\":1,\"env\":{\"cstate\":[]}}",
                "{\"status\":1,\"env\":{\"istate\":{\"k\":1}}}")) {
            RpcFailure failure = assertThrows(RpcFailure.class, () -> HttpRpcJson.commandResult(body), body);
            assertEquals(RpcFailure.Kind.FATAL, failure.kind(), body);
            assertTrue(failure.getMessage().startsWith("invalid response: "), failure.getMessage());
        }
    }

    @Test
    void endpointsJoinTheBasePathAndKeepItsQuery() {
        assertEquals("http://localhost:3000/_anycable/connect",
                HttpController.endpoint("http://localhost:3000/_anycable", "connect").toString());
        assertEquals("http://localhost:3000/_anycable/command",
                HttpController.endpoint("http://localhost:3000/_anycable/", "command").toString());
        assertEquals("https://app.example/disconnect", HttpController.endpoint("https://app.example", "disconnect")
                .toString());
        assertEquals("http://h:1/rpc/connect?tenant=a", HttpController.endpoint("http://h:1/rpc?tenant=a", "connect")
                .toString());
    }
}
