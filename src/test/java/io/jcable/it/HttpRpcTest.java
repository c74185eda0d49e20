package io.jcable.it;

import static io.jcable.testing.CableClient.identifier;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.jcable.rpc.proto.CommandMessage;
import io.jcable.rpc.proto.DisconnectRequest;
import io.jcable.testing.CableClient;
import io.jcable.testing.CableServer;
import io.jcable.testing.FakeRpcApp;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What only HTTP RPC has (docs/rpc.md §10): the Bearer key and where it comes from, the metadata headers, the HTTP
 * statuses that are retried or not, bodies that are not the expected JSON, the app going away and coming back,
 * and the concurrency limit over the client's connection pool. The shared RPC semantics run over HTTP in
 * {@link HttpRpcBehaviourTest}.
 */
class HttpRpcTest extends CableTestSupport {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String SECRET = "s3Krit";
    /** Known answer: printf rpc-cable | openssl dgst -sha256 -hmac s3Krit */
    private static final String DERIVED_KEY = "08ac56f1562c6377ddd5d2d55cee2e35e117a55959d6a6ea3a63548ef0a7e559";
    private static final String SERVER_ERROR = "{\"type\":\"disconnect\",\"reason\":\"server_error\",\"reconnect\":true}";

    @Override
    protected String rpcHost() {
        return app.httpTarget();
    }

    @Override
    protected void configure(Map<String, String> options) {
        options.put("secret", SECRET);
    }

    @BeforeEach
    void appWantsTheDerivedKey() {
        app.requireHttpKey(DERIVED_KEY);
    }

    @Test
    void everyCallCarriesTheMetadataHeadersAndTheKeyDerivedFromTheSecret() {
        String id = identifier("StateChannel", "name", "ann");
        CableClient c = client("?test=uid&uid=7", CableClient.Options.defaults().ignoring("ping"));
        String sid = c.receive().get("sid").getAsString();
        c.subscribe(id);
        c.perform(id, data("{\"action\":\"tick\"}"));
        assertEquals(data(message(id, "{\"count\":3,\"name\":\"ann\"}")), c.receive());
        c.close();
        DisconnectRequest disconnect = app.awaitCall("Disconnect", call -> sid.equals(call.sid()), WAIT)
                .request(DisconnectRequest.class);
        assertEquals("{\"uid\":\"7\"}", disconnect.getIdentifiers());
        assertEquals(List.of(id), disconnect.getSubscriptionsList());
        assertEquals(data("{\"count\":\"3\",\"user\":\"{\\\"name\\\":\\\"ann\\\"}\"}"),
                data(disconnect.getEnv().getIstateOrThrow(id)));
        // Filtered by the sid header: a call without it would be missing here.
        List<FakeRpcApp.RecordedCall> calls = app.calls().stream().filter(call -> sid.equals(call.sid())).toList();
        assertEquals(List.of("Connect", "Command", "Command", "Disconnect"),
                calls.stream().map(FakeRpcApp.RecordedCall::method).toList());
        for (FakeRpcApp.RecordedCall call : calls) {
            assertEquals("v1", call.protov(), call.toString());
            assertEquals("Bearer " + DERIVED_KEY, call.authorization(), call.toString());
        }
        assertEquals("{\"uid\":\"7\"}", calls.get(2).request(CommandMessage.class).getConnectionIdentifiers());
        assertEquals("{\"action\":\"tick\"}", calls.get(2).request(CommandMessage.class).getData());
    }

    @Test
    void anExplicitHttpRpcSecretIsUsedInsteadOfTheDerivedKey() {
        try (CableServer own = startOwn(Map.of("secret", "another", "http_rpc_secret", DERIVED_KEY))) {
            CableClient c = track(CableClient.connect(own.ws("/cable"), CableClient.Options.defaults().ignoring("ping")));
            assertFrame("{\"type\":\"welcome\"}", c.receive());
            assertEquals("Bearer " + DERIVED_KEY, app.calls("Connect").getLast().authorization());
        }
    }

    @Test
    void aKeyTheAppRefusesGivesServerErrorAndIsNotRetried() {
        try (CableServer own = startOwn(Map.of("http_rpc_secret", "wrong-key"))) {
            CableClient c = track(CableClient.connect(own.ws("/cable"), CableClient.Options.defaults().ignoring()));
            assertEquals(data(SERVER_ERROR), c.receive());
            assertEquals(1011, c.awaitClose(WAIT).getCloseCode().getCode());
            assertEquals("Bearer wrong-key", app.calls("Connect").getLast().authorization());
            assertEquals(1, own.metric("rpc_error_total"));
            assertEquals(0, own.metric("rpc_retries_total"));
        }
    }

    @Test
    void withoutAKeyNoAuthorizationHeaderIsSent() {
        try (CableServer own = startOwn(Map.of("secret", SECRET, "http_rpc_secret", "none"))) {
            CableClient c = track(CableClient.connect(own.ws("/cable"), CableClient.Options.defaults().ignoring()));
            assertEquals(data(SERVER_ERROR), c.receive());
            assertEquals(1011, c.awaitClose(WAIT).getCloseCode().getCode());
            assertEquals(1, app.calls("Connect").size());
            assertNull(app.calls("Connect").getLast().authorization());
        }
    }

    @Test
    void anErrorBodyIsLoggedWithoutTheKey() {
        app.answerNextOverHttp("Connect", 500, "debug page: Authorization: Bearer " + DERIVED_KEY + "\n" + "x".repeat(500));
        String log = capturingLog(() -> {
            CableClient c = client("", CableClient.Options.defaults().ignoring());
            assertEquals(data(SERVER_ERROR), c.receive());
        });
        assertTrue(log.contains("failed: HTTP 500: debug page: Authorization: Bearer ***\\n" + "x".repeat(150)), log);
        assertFalse(log.contains(DERIVED_KEY), log);
        assertFalse(log.contains(SECRET), log);
    }

    @Test
    void busyAndGatewayStatusesAreRetried() {
        app.answerNextOverHttp("Connect", 429, "");
        app.answerNextOverHttp("Connect", 429, "");
        app.answerNextOverHttp("Connect", 502, "Bad Gateway");
        app.answerNextOverHttp("Connect", 503, "");
        app.answerNextOverHttp("Connect", 504, "Gateway Timeout");
        assertConnectSucceedsAfterRetries(5);
    }

    @Test
    void otherStatusesFailTheCallAtOnce() {
        for (int status : new int[] {500, 404, 422, 400, 401, 201, 301}) {
            Map<String, Long> before = server.metrics();
            app.answerNextOverHttp("Connect", status, "no");
            CableClient c = client("", CableClient.Options.defaults().ignoring());
            assertEquals(data(SERVER_ERROR), c.receive(), "HTTP " + status);
            assertEquals(1011, c.awaitClose(WAIT).getCloseCode().getCode(), "HTTP " + status);
            Map<String, Long> after = server.metrics();
            assertEquals(before.get("rpc_retries_total"), after.get("rpc_retries_total"), "HTTP " + status);
            assertEquals(1, after.get("rpc_error_total") - before.get("rpc_error_total"), "HTTP " + status);
        }
    }

    @Test
    void anAnswerThatIsNotTheExpectedJsonIsAnError() {
        app.answerNextOverHttp("Connect", 200, "<html>ok</html>");
        CableClient refused = client("", CableClient.Options.defaults().ignoring());
        assertEquals(data(SERVER_ERROR), refused.receive());
        assertEquals(1011, refused.awaitClose(WAIT).getCloseCode().getCode());

        String id = identifier("EmptyChannel");
        CableClient c = client("");
        app.answerNextOverHttp("Command", 200, "{\"status\":\"maybe\",\"transmissions\":[]}");
        c.sendSubscribe(id);
        assertEquals(data(reject(id)), c.receive());

        // Bigger than any answer jcable reads (4 MiB), though valid: refused, not retried, nothing hangs.
        long retries = server.metric("rpc_retries_total");
        app.answerNextOverHttp("Command", 200, "{\"status\":1,\"error_msg\":\"" + "x".repeat(4 * 1024 * 1024) + "\"}");
        c.sendSubscribe(id);
        assertEquals(data(reject(id)), c.receive());
        assertEquals(retries, server.metric("rpc_retries_total"));
        c.subscribe(id);
    }

    @Test
    void appDownFailsCallsWithinTheBudgetAndAWaitingCallSucceedsOnceItIsBack() {
        String stream = identifier("StreamChannel");
        try (CableServer shortBudget = startOwn(Map.of("secret", SECRET, "rpc_command_timeout", "1000"));
             CableServer longBudget = startOwn(Map.of("secret", SECRET, "rpc_command_timeout", "60000"))) {
            CableClient bystander = track(CableClient.connect(shortBudget.ws("/cable")));
            bystander.subscribe(stream);
            CableClient waiting;
            app.stop();
            try {
                // Refused connections are retried until the budget is spent.
                CableClient refused = track(CableClient.connect(shortBudget.ws("/cable"),
                        CableClient.Options.defaults().ignoring()));
                assertEquals(data(SERVER_ERROR), refused.receive());
                assertEquals(1011, refused.awaitClose(WAIT).getCloseCode().getCode());
                assertTrue(shortBudget.metric("rpc_retries_total") > 0);

                String empty = identifier("EmptyChannel");
                bystander.sendSubscribe(empty);
                assertEquals(data(reject(empty)), bystander.receive());
                broadcast("a", "{\"still\":\"here\"}");
                assertEquals(data(message(stream, "{\"still\":\"here\"}")), bystander.receive());

                // A Connect made while the app is down succeeds once it is back, within its budget.
                waiting = track(CableClient.connect(longBudget.ws("/cable"),
                        CableClient.Options.defaults().ignoring("ping")));
                longBudget.awaitMetric("rpc_retries_total", retried -> retried >= 2, WAIT);
            } finally {
                app.restart();
            }
            assertFrame("{\"type\":\"welcome\"}", waiting.receive());
            assertEquals(1, longBudget.metric("rpc_call_total"));
            assertEquals(0, longBudget.metric("rpc_error_total"));
            bystander.subscribe(identifier("EmptyChannel"));
        }
    }

    @Test
    void theConcurrencyLimitHoldsOverTheConnectionPool() {
        try (CableServer own = startOwn(Map.of("secret", SECRET, "rpc_concurrency", "4"))) {
            FakeRpcApp.Gate gate = app.hold("Connect");
            app.resetMaxInFlight();
            List<CableClient> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 10; i++) {
                    clients.add(track(CableClient.connect(own.ws("/cable"), CableClient.Options.defaults().ignoring("ping"))));
                }
                gate.awaitBlocked(4, WAIT);
                own.awaitMetric("rpc_pending_num", pending -> pending == 6, WAIT);
                assertEquals(4, app.maxInFlight());
            } finally {
                gate.release();
            }
            for (CableClient c : clients) {
                JsonObject welcome = c.receive();
                assertEquals("welcome", welcome.get("type").getAsString());
            }
            assertEquals(4, app.maxInFlight());
        }
    }

    /** Everything logged (slf4j-simple writes to System.err) while {@code action} runs. */
    private static String capturingLog(Runnable action) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(original);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        original.print(log);
        return log;
    }
}
