package io.jcable.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.gson.Gson;
import com.google.gson.JsonObject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.grpc.okhttp.OkHttpChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.jcable.rpc.proto.CommandMessage;
import io.jcable.rpc.proto.CommandResponse;
import io.jcable.rpc.proto.ConnectionRequest;
import io.jcable.rpc.proto.ConnectionResponse;
import io.jcable.rpc.proto.DisconnectRequest;
import io.jcable.rpc.proto.Env;
import io.jcable.rpc.proto.RPCGrpc;
import io.jcable.rpc.proto.Status;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.exceptions.JedisConnectionException;

/** Proves the test harness against real Redis, a real gRPC client and a raw WebSocket peer, without jcable. */
final class HarnessSelfTest {
    private static final Gson GSON = new Gson();
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final Metadata.Key<String> SID = Metadata.Key.of("sid", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> PROTOV = Metadata.Key.of("protov", Metadata.ASCII_STRING_MARSHALLER);
    private static final String CABLE = "http://127.0.0.1:8080/cable";

    private final LinkedBlockingQueue<String> published = new LinkedBlockingQueue<>();
    private FakeRpcApp app;
    private ManagedChannel channel;

    @BeforeEach
    void startApp() {
        app = FakeRpcApp.start(published::add);
        channel = OkHttpChannelBuilder.forAddress("127.0.0.1", app.port()).usePlaintext().build();
    }

    @AfterEach
    void stopApp() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, SECONDS);
        app.close();
    }

    @Test
    void redisPublishesSurvivesStopAndRestartsOnTheSamePort() throws Exception {
        try (RedisServer redis = RedisServer.start()) {
            CountDownLatch subscribed = new CountDownLatch(1);
            CompletableFuture<String> received = new CompletableFuture<>();
            JedisPubSub subscriber = new JedisPubSub() {
                @Override
                public void onSubscribe(String channel, int subscribedChannels) {
                    subscribed.countDown();
                }

                @Override
                public void onMessage(String channel, String message) {
                    received.complete(message);
                }
            };
            Thread listening = Thread.ofVirtual().start(() -> {
                try (Jedis jedis = new Jedis("127.0.0.1", redis.port(), DefaultJedisClientConfig.builder().autoNegotiateProtocol(false).build())) {
                    jedis.subscribe(subscriber, "__anycable__");
                }
            });
            assertTrue(subscribed.await(5, SECONDS));
            assertEquals(1, redis.subscriberCount("__anycable__"));
            assertEquals(1, redis.publish("__anycable__", "{\"stream\":\"a\",\"data\":\"1\"}"));
            assertEquals("{\"stream\":\"a\",\"data\":\"1\"}", received.get(5, SECONDS));
            subscriber.unsubscribe();
            assertTrue(listening.join(TIMEOUT));

            int port = redis.port();
            redis.stop();
            assertThrows(JedisConnectionException.class, () -> redis.publish("__anycable__", "lost"));

            redis.restart();
            assertEquals(port, redis.port());
            assertEquals("redis://127.0.0.1:" + port, redis.url());
            assertEquals(0, redis.publish("__anycable__", "nobody listens"));
            assertEquals(0, redis.subscriberCount("__anycable__"));
        }
    }

    @Test
    void connectAnswersPerTestParamAndEchoesTheSidMetadata() {
        ConnectionResponse uid = stub("sid-26").connect(connectRequest(CABLE + "?test=uid&uid=26", Map.of()));
        assertEquals(Status.SUCCESS, uid.getStatus());
        assertEquals("{\"uid\":\"26\"}", uid.getIdentifiers());
        assertEquals(List.of("{\"type\":\"welcome\",\"sid\":\"sid-26\"}"), uid.getTransmissionsList());

        FakeRpcApp.RecordedCall call = app.awaitCall("Connect", c -> "sid-26".equals(c.sid()), TIMEOUT);
        assertEquals("v1", call.protov());
        assertEquals(CABLE + "?test=uid&uid=26", call.request(ConnectionRequest.class).getEnv().getUrl());

        ConnectionResponse rejected = stub("sid-r").connect(connectRequest(CABLE + "?test=reasons&reason=unauthorized", Map.of()));
        assertEquals(Status.FAILURE, rejected.getStatus());
        assertEquals(List.of("{\"type\":\"disconnect\",\"reason\":\"unauthorized\",\"reconnect\":false}"),
                rejected.getTransmissionsList());

        ConnectionResponse cookies = stub("sid-c").connect(
                connectRequest(CABLE + "?test=cookies", Map.of("cookie", "username=john green")));
        assertEquals(Status.SUCCESS, cookies.getStatus());
        assertEquals("{}", cookies.getIdentifiers());
        assertEquals(Status.FAILURE, stub("sid-n").connect(connectRequest(CABLE + "?test=cookies", Map.of())).getStatus());

        ConnectionResponse error = stub("sid-e").connect(connectRequest(CABLE + "?test=error", Map.of()));
        assertEquals(Status.ERROR, error.getStatus());
        assertEquals("boom", error.getErrorMsg());
        assertEquals(0, error.getTransmissionsCount());

        assertEquals(List.of("sid-26", "sid-r", "sid-c", "sid-n", "sid-e"),
                app.calls("Connect").stream().map(FakeRpcApp.RecordedCall::sid).toList());
    }

    @Test
    void requestUrlIsAcceptedOnlyForTheHostClientsConnectTo() {
        String url = CABLE + "?test=request_url";
        assertEquals(Status.FAILURE, stub("sid-1").connect(connectRequest(url, Map.of())).getStatus());
        app.serverHost("127.0.0.1:8080");
        assertEquals(Status.SUCCESS, stub("sid-2").connect(connectRequest(url, Map.of())).getStatus());
        assertEquals(Status.FAILURE, stub("sid-3").connect(
                connectRequest("http://localhost:8080/cable?test=request_url", Map.of())).getStatus());
        assertEquals(Status.FAILURE, stub("sid-4").connect(
                connectRequest("http://127.0.0.1:8081/cable?test=request_url", Map.of())).getStatus());
    }

    @Test
    void failNextAnswersWithTheScriptedErrorThenRecovers() {
        app.failNext("Connect", Code.RESOURCE_EXHAUSTED, 2);
        for (int attempt = 0; attempt < 2; attempt++) {
            StatusRuntimeException failure = assertThrows(StatusRuntimeException.class,
                    () -> stub("sid").connect(connectRequest(CABLE, Map.of())));
            assertEquals(Code.RESOURCE_EXHAUSTED, failure.getStatus().getCode());
        }
        assertEquals(Status.SUCCESS, stub("sid").connect(connectRequest(CABLE, Map.of())).getStatus());
        assertEquals(3, app.calls("Connect").size());
    }

    @Test
    void holdBlocksCallsAndMaxInFlightCountsThem() throws Exception {
        FakeRpcApp.Gate gate = app.hold("Command");
        String id = CableClient.identifier("EmptyChannel");
        RPCGrpc.RPCFutureStub futures = RPCGrpc.newFutureStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(metadata("held")));
        List<ListenableFuture<CommandResponse>> pending = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            pending.add(futures.command(commandRequest("subscribe", id, Map.of(), "")));
        }
        gate.awaitBlocked(3, TIMEOUT);
        app.awaitCallCount("Command", 3, TIMEOUT);
        assertTrue(pending.stream().noneMatch(Future::isDone));
        assertEquals(3, app.maxInFlight());

        assertEquals(Status.SUCCESS, stub("free").connect(connectRequest(CABLE, Map.of())).getStatus());
        assertEquals(4, app.maxInFlight());

        gate.release();
        for (ListenableFuture<CommandResponse> response : pending) {
            assertEquals(List.of(confirm(id)), response.get(5, SECONDS).getTransmissionsList());
        }
        assertEquals(4, app.maxInFlight());
        app.resetMaxInFlight();
        assertEquals(0, app.maxInFlight());
    }

    @Test
    void latencyDelaysEveryAnswer() {
        app.latency(Duration.ofMillis(300));
        long start = System.nanoTime();
        assertEquals(Status.SUCCESS, stub("slow").connect(connectRequest(CABLE, Map.of())).getStatus());
        assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofMillis(300)) >= 0);
    }

    @Test
    void stopRefusesCallsAndRestartServesOnTheSamePort() {
        int port = app.port();
        assertEquals(Status.SUCCESS, stub("before").connect(connectRequest(CABLE, Map.of())).getStatus());
        app.stop();
        StatusRuntimeException down = assertThrows(StatusRuntimeException.class,
                () -> stub("down").connect(connectRequest(CABLE, Map.of())));
        assertEquals(Code.UNAVAILABLE, down.getStatus().getCode());

        app.restart();
        assertEquals(port, app.port());
        assertEquals("127.0.0.1:" + port, app.target());
        channel.resetConnectBackoff();
        assertEquals(Status.SUCCESS, stub("after").withWaitForReady().connect(connectRequest(CABLE, Map.of())).getStatus());
    }

    @Test
    void stateChannelKeepsStateAndNotifiesOnDisconnect() {
        String id = CableClient.identifier("StateChannel", "name", "chipollone", "notify_disconnect", true);
        assertEquals("{\"channel\":\"StateChannel\",\"name\":\"chipollone\",\"notify_disconnect\":true}", id);

        CommandResponse subscribed = stub("s1").command(commandRequest("subscribe", id, Map.of(), ""));
        assertEquals(Status.SUCCESS, subscribed.getStatus());
        assertEquals(List.of("state_counts"), subscribed.getStreamsList());
        assertEquals(Map.of("user", "{\"name\":\"chipollone\"}", "count", "1"), subscribed.getEnv().getIstateMap());
        assertEquals(List.of(confirm(id)), subscribed.getTransmissionsList());

        CommandResponse tick = stub("s1").command(
                commandRequest("message", id, subscribed.getEnv().getIstateMap(), "{\"action\":\"tick\"}"));
        assertEquals(Map.of("count", "3"), tick.getEnv().getIstateMap());
        assertEquals(List.of("{\"identifier\":" + GSON.toJson(id) + ",\"message\":{\"count\":3,\"name\":\"chipollone\"}}"),
                tick.getTransmissionsList());
        assertTrue(published.isEmpty());

        String state = "{\"user\":\"{\\\"name\\\":\\\"chipollone\\\"}\",\"count\":\"3\"}";
        DisconnectRequest disconnect = DisconnectRequest.newBuilder()
                .setIdentifiers("{}")
                .addSubscriptions(id)
                .setEnv(Env.newBuilder().setUrl(CABLE).putIstate(id, state))
                .build();
        assertEquals(Status.SUCCESS, stub("s1").disconnect(disconnect).getStatus());
        assertEquals(List.of("{\"stream\":\"state_counts\",\"data\":\"{\\\"data\\\":\\\"user left: chipollone\\\"}\"}"),
                List.copyOf(published));
    }

    @Test
    void commandsRejectUnknownChannelsAndPublishToOthers() {
        String unknown = CableClient.identifier("NoSuchChannel", "id", 1);
        CommandResponse rejected = stub("s").command(commandRequest("subscribe", unknown, Map.of(), ""));
        assertEquals(Status.FAILURE, rejected.getStatus());
        assertEquals(List.of("{\"identifier\":" + GSON.toJson(unknown) + ",\"type\":\"reject_subscription\"}"),
                rejected.getTransmissionsList());

        String stream = CableClient.identifier("StreamChannel");
        stub("speaker").command(commandRequest("message", stream, Map.of(), "{\"action\":\"speak\",\"content\":\"Hi\"}"));
        assertEquals(List.of("{\"stream\":\"a\",\"data\":\"{\\\"content\\\":\\\"Hi\\\"}\",\"meta\":{\"exclude_socket\":\"speaker\"}}"),
                List.copyOf(published));
    }

    @Test
    void cableClientNegotiatesQueuesFramesAndAbortsWithoutCloseFrame() throws Exception {
        try (RawWebSocketPeer peer = new RawWebSocketPeer()) {
            CompletableFuture<Socket> accepted = peer.acceptAsync("{\"type\":\"welcome\",\"sid\":\"x\"}",
                    "{\"identifier\":\"i\",\"message\":1}", "{\"identifier\":\"i\",\"message\":2}");
            CableClient client = CableClient.connect(peer.uri(), CableClient.Options.defaults().withHeader("X-Api-Token", "abc"));
            Socket socket = accepted.get(5, SECONDS);

            assertEquals("actioncable-v1-json", client.subprotocol());
            assertEquals("yes", client.responseHeader("x-peer"));
            assertTrue(peer.request().toLowerCase().contains("\r\nx-api-token: abc\r\n"), peer.request());
            JsonObject expected = GSON.fromJson("{\"identifier\":\"i\",\"message\":1}", JsonObject.class);
            assertEquals(expected, client.receive()); // the welcome was ignored
            AssertionError unexpected = assertThrows(AssertionError.class, () -> client.expectNothing(TIMEOUT));
            assertTrue(unexpected.getMessage().endsWith("got: {\"identifier\":\"i\",\"message\":2}"),
                    unexpected.getMessage());

            client.abort();
            assertEquals(-1, socket.getInputStream().read(), "abort() must not send a close frame");
            assertEquals(1006, client.awaitClose(TIMEOUT).getCloseCode().getCode());
            assertFalse(client.isOpen());
        }
    }

    @Test
    void cableClientClosesNormallyAndReportsFailedHandshakes() throws Exception {
        try (RawWebSocketPeer peer = new RawWebSocketPeer()) {
            CompletableFuture<Socket> accepted = peer.acceptAsync();
            CableClient client = CableClient.connect(peer.uri(),
                    CableClient.Options.defaults().withSubprotocols().ignoring());
            Socket socket = accepted.get(5, SECONDS);
            assertEquals("", client.subprotocol());
            assertFalse(peer.request().toLowerCase().contains("sec-websocket-protocol"), peer.request());

            client.close();
            client.close();
            assertEquals(0x88, socket.getInputStream().read(), "close() must send a close frame first");

            CompletableFuture<Void> refused = peer.refuseAsync(403);
            IllegalStateException failure = assertThrows(IllegalStateException.class, () -> CableClient.connect(peer.uri()));
            refused.get(5, SECONDS);
            assertTrue(failure.getMessage().contains("HTTP 403"), failure.getMessage());
        }
        assertEquals("{\"channel\":\"X\",\"id\":1,\"name\":\"n\"}", CableClient.identifier("X", "id", 1, "name", "n"));
    }

    private RPCGrpc.RPCBlockingStub stub(String sid) {
        return RPCGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(metadata(sid)))
                .withDeadlineAfter(TIMEOUT);
    }

    private static Metadata metadata(String sid) {
        Metadata metadata = new Metadata();
        metadata.put(SID, sid);
        metadata.put(PROTOV, "v1");
        return metadata;
    }

    private static ConnectionRequest connectRequest(String url, Map<String, String> headers) {
        return ConnectionRequest.newBuilder().setEnv(Env.newBuilder().setUrl(url).putAllHeaders(headers)).build();
    }

    private static CommandMessage commandRequest(String command, String identifier, Map<String, String> istate, String data) {
        return CommandMessage.newBuilder()
                .setCommand(command)
                .setIdentifier(identifier)
                .setConnectionIdentifiers("{}")
                .setData(data)
                .setEnv(Env.newBuilder().setUrl(CABLE).putAllIstate(istate))
                .build();
    }

    private static String confirm(String identifier) {
        return "{\"identifier\":" + GSON.toJson(identifier) + ",\"type\":\"confirm_subscription\"}";
    }

    /** A minimal hand-written WebSocket server, to see the client's bytes on the wire. */
    private static final class RawWebSocketPeer implements AutoCloseable {
        private static final Pattern KEY = Pattern.compile("(?im)^sec-websocket-key:\\s*(\\S+)\\s*$");
        private static final Pattern PROTOCOL = Pattern.compile("(?im)^sec-websocket-protocol:\\s*([^,\\r\\n]+)");

        private final ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();
        private volatile String request = "";

        RawWebSocketPeer() throws IOException {
        }

        URI uri() {
            return URI.create("ws://127.0.0.1:" + listener.getLocalPort() + "/cable");
        }

        /** The last upgrade request received. */
        String request() {
            return request;
        }

        /** Accepts one upgrade, answers 101 (echoing the first offered sub-protocol) and writes the text frames. */
        CompletableFuture<Socket> acceptAsync(String... textFrames) {
            return CompletableFuture.supplyAsync(() -> {
                Socket socket = acceptRequest();
                StringBuilder response = new StringBuilder("HTTP/1.1 101 Switching Protocols\r\n"
                        + "Upgrade: websocket\r\nConnection: Upgrade\r\nX-Peer: yes\r\n"
                        + "Sec-WebSocket-Accept: " + acceptKey(find(KEY)) + "\r\n");
                String protocol = find(PROTOCOL);
                if (protocol != null) {
                    response.append("Sec-WebSocket-Protocol: ").append(protocol.trim()).append("\r\n");
                }
                response.append("\r\n");
                try {
                    OutputStream out = socket.getOutputStream();
                    out.write(response.toString().getBytes(UTF_8));
                    for (String text : textFrames) {
                        byte[] payload = text.getBytes(UTF_8);
                        out.write(0x81); // FIN + text; short unmasked payloads only
                        out.write(payload.length);
                        out.write(payload);
                    }
                    out.flush();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return socket;
            }, Thread::startVirtualThread);
        }

        /** Accepts one upgrade and answers it with an HTTP error. */
        CompletableFuture<Void> refuseAsync(int status) {
            return CompletableFuture.runAsync(() -> {
                Socket socket = acceptRequest();
                try {
                    socket.getOutputStream().write(("HTTP/1.1 " + status + " Refused\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                            .getBytes(UTF_8));
                    socket.close();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, Thread::startVirtualThread);
        }

        private Socket acceptRequest() {
            try {
                Socket socket = listener.accept();
                sockets.add(socket);
                socket.setSoTimeout(5000);
                InputStream in = socket.getInputStream();
                ByteArrayOutputStream head = new ByteArrayOutputStream();
                while (!head.toString(UTF_8).endsWith("\r\n\r\n")) {
                    int b = in.read();
                    if (b < 0) {
                        throw new IOException("connection closed during the upgrade request");
                    }
                    head.write(b);
                }
                request = head.toString(UTF_8);
                return socket;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private String find(Pattern header) {
            Matcher matcher = header.matcher(request);
            return matcher.find() ? matcher.group(1) : null;
        }

        private static String acceptKey(String key) {
            try {
                byte[] digest = MessageDigest.getInstance("SHA-1")
                        .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(UTF_8));
                return Base64.getEncoder().encodeToString(digest);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() throws IOException {
            for (Socket socket : sockets) {
                socket.close();
            }
            listener.close();
        }
    }
}
