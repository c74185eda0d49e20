package io.jcable.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import com.sun.net.httpserver.Headers;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.StatusRuntimeException;
import io.grpc.okhttp.OkHttpServerBuilder;
import io.grpc.stub.StreamObserver;
import io.jcable.rpc.proto.CommandMessage;
import io.jcable.rpc.proto.CommandResponse;
import io.jcable.rpc.proto.ConnectionRequest;
import io.jcable.rpc.proto.ConnectionResponse;
import io.jcable.rpc.proto.DisconnectRequest;
import io.jcable.rpc.proto.DisconnectResponse;
import io.jcable.rpc.proto.Env;
import io.jcable.rpc.proto.EnvResponse;
import io.jcable.rpc.proto.PresenceResponse;
import io.jcable.rpc.proto.RPCGrpc;
import io.jcable.rpc.proto.Status;

/**
 * The fake AnyCable application of docs/conformance.md §2 as a real gRPC server on a local TCP port, and the
 * same application over HTTP RPC on another ({@link #httpTarget()}). It records every call with its {@code sid} /
 * {@code protov} metadata, publishes app broadcasts through the given publisher, and can be scripted to fail,
 * slow down or block calls, whichever transport they come over.
 */
public final class FakeRpcApp implements AutoCloseable {
    /**
     * One RPC as received: method is {@code Connect}, {@code Command} or {@code Disconnect};
     * {@code authorization} is the HTTP {@code Authorization} header (null over gRPC or when absent).
     */
    public record RecordedCall(String method, Message request, String sid, String protov, String authorization) {
        /** The request cast to its concrete type. */
        public <T extends Message> T request(Class<T> type) {
            return type.cast(request);
        }

        @Override
        public String toString() {
            return method + "(sid=" + sid + ", protov=" + protov + ", "
                    + TextFormat.printer().emittingSingleLine(true).printToString(request) + ")";
        }
    }

    /** Blocks calls of one method until released. */
    public static final class Gate {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private boolean released;
        private int blocked;

        private Gate() {
        }

        /** Waits until at least {@code n} calls are blocked on this gate; AssertionError on timeout. */
        public void awaitBlocked(int n, Duration timeout) {
            long nanos = timeout.toNanos();
            lock.lock();
            try {
                while (blocked < n) {
                    if (nanos <= 0) {
                        throw new AssertionError("expected " + n + " blocked calls within " + timeout + ", got " + blocked);
                    }
                    nanos = changed.awaitNanos(nanos);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            } finally {
                lock.unlock();
            }
        }

        /** Lets every blocked and future call through. */
        public void release() {
            lock.lock();
            try {
                released = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        private void pass() throws InterruptedException {
            lock.lock();
            try {
                blocked++;
                changed.signalAll();
                while (!released) {
                    changed.await();
                }
            } finally {
                blocked--;
                lock.unlock();
            }
        }
    }

    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();
    private static final Metadata.Key<String> SID = Metadata.Key.of("sid", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> PROTOV = Metadata.Key.of("protov", Metadata.ASCII_STRING_MARSHALLER);
    private static final Context.Key<String> SID_CONTEXT = Context.key("sid");
    private static final Context.Key<String> PROTOV_CONTEXT = Context.key("protov");
    private static final String UNAUTHORIZED = "{\"type\":\"disconnect\",\"reason\":\"unauthorized\",\"reconnect\":false}";
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

    private final Consumer<String> publisher;
    private final ReentrantLock lifecycle = new ReentrantLock();
    private Server server;
    private ExecutorService executor;
    private ExecutorService transports;
    private FakeHttpRpcServer http;
    private int port;
    private int httpPort;

    private final ReentrantLock callsLock = new ReentrantLock();
    private final Condition callRecorded = callsLock.newCondition();
    private final List<RecordedCall> calls = new ArrayList<>();

    private final Map<String, Queue<io.grpc.Status.Code>> failures = new ConcurrentHashMap<>();
    private final Map<String, Queue<FakeHttpRpcServer.RawAnswer>> httpAnswers = new ConcurrentHashMap<>();
    private volatile String httpKey;
    private final Map<String, Gate> gates = new ConcurrentHashMap<>();
    private volatile Duration latency = Duration.ZERO;
    private volatile String serverHost;
    private volatile Consumer<RecordedCall> callListener = call -> { };
    private volatile boolean recording = true;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger peakInFlight = new AtomicInteger();

    private FakeRpcApp(Consumer<String> publisher) {
        this.publisher = publisher;
    }

    /** Serves on a free port; {@code publisher} receives every app broadcast payload (JSON text). */
    public static FakeRpcApp start(Consumer<String> publisher) {
        return start(0, publisher);
    }

    /** Serves on {@code port} (0 = a free one). */
    public static FakeRpcApp start(int port, Consumer<String> publisher) {
        FakeRpcApp app = new FakeRpcApp(publisher);
        app.serve(port, 0);
        return app;
    }

    /** The port served on (kept across {@link #restart()}). */
    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:<port>}, usable as {@code ANYCABLE_RPC_HOST}. */
    public String target() {
        return "127.0.0.1:" + port;
    }

    /** The HTTP RPC base URL ({@code http://127.0.0.1:<port>/_anycable}), usable as {@code ANYCABLE_RPC_HOST}. */
    public String httpTarget() {
        return "http://127.0.0.1:" + httpPort + FakeHttpRpcServer.BASE_PATH;
    }

    /** Kills both servers and their calls (blocked ones are interrupted) and waits until the ports are released. */
    public void stop() {
        lifecycle.lock();
        try {
            if (server == null) {
                return;
            }
            http.stop();
            server.shutdownNow();
            // The server's shutdown still hands the calls' close notices to the executor (from its accept thread,
            // after shutdownNow returns): stopping the executor first made that hand-off fail now and then, and the
            // server then never terminated.
            boolean stopped = server.awaitTermination(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            executor.shutdownNow();
            stopped = executor.awaitTermination(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) && stopped;
            // The transports finish closing on their executor, so it goes last.
            transports.shutdownNow();
            if (!stopped || !transports.awaitTermination(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("fake RPC app did not stop within " + STOP_TIMEOUT);
            }
            server = null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping the fake RPC app", e);
        } finally {
            lifecycle.unlock();
        }
    }

    /** Stops the servers if they run, then serves again on the same ports. */
    public void restart() {
        lifecycle.lock();
        try {
            stop();
            serve(port, httpPort);
        } finally {
            lifecycle.unlock();
        }
    }

    @Override
    public void close() {
        stop();
    }

    /** All recorded calls, in arrival order. */
    public List<RecordedCall> calls() {
        callsLock.lock();
        try {
            return List.copyOf(calls);
        } finally {
            callsLock.unlock();
        }
    }

    /** Recorded calls of one method, in arrival order. */
    public List<RecordedCall> calls(String method) {
        return calls().stream().filter(call -> call.method().equals(method)).toList();
    }

    /** The first recorded call of {@code method} matching {@code match}, waiting for it; AssertionError on timeout. */
    public RecordedCall awaitCall(String method, Predicate<RecordedCall> match, Duration timeout) {
        return awaitCalls(timeout,
                all -> all.stream().filter(call -> call.method().equals(method)).filter(match).findFirst(),
                () -> "no matching " + method + " call within " + timeout + "; recorded: " + calls(method));
    }

    /** Waits until at least {@code n} calls of {@code method} were recorded; AssertionError on timeout. */
    public void awaitCallCount(String method, int n, Duration timeout) {
        awaitCalls(timeout,
                all -> all.stream().filter(call -> call.method().equals(method)).count() >= n ? Optional.of(n) : Optional.empty(),
                () -> "expected " + n + " " + method + " calls within " + timeout + ", got " + calls(method).size());
    }

    /** Forgets all recorded calls. */
    public void clearCalls() {
        callsLock.lock();
        try {
            calls.clear();
        } finally {
            callsLock.unlock();
        }
    }

    /**
     * The next {@code times} calls of {@code method} fail with {@code code} before any other handling; over HTTP
     * with the status an HTTP app would answer (UNAVAILABLE 503, RESOURCE_EXHAUSTED 429, UNAUTHENTICATED 401,
     * INVALID_ARGUMENT 422, DEADLINE_EXCEEDED 504, anything else 500).
     */
    public void failNext(String method, io.grpc.Status.Code code, int times) {
        Queue<io.grpc.Status.Code> queue = failures.computeIfAbsent(method, key -> new ConcurrentLinkedQueue<>());
        for (int i = 0; i < times; i++) {
            queue.add(code);
        }
    }

    /** The next call of {@code method} over HTTP is answered with {@code status} and {@code body}, unrecorded. */
    public void answerNextOverHttp(String method, int status, String body) {
        httpAnswers.computeIfAbsent(method, key -> new ConcurrentLinkedQueue<>())
                .add(new FakeHttpRpcServer.RawAnswer(status, body));
    }

    /**
     * HTTP calls must carry {@code Authorization: Bearer <key>} (null: any or none, the default); other calls are
     * recorded and refused with 401, as anycable-rb does.
     */
    public void requireHttpKey(String key) {
        httpKey = key;
    }

    /**
     * The {@code host:port} clients connect to: {@code ?test=request_url} is accepted only when {@code env.url}
     * names this host (docs/conformance.md §2); unset, it is refused.
     */
    public void serverHost(String hostAndPort) {
        serverHost = hostAndPort;
    }

    /** Every call waits {@code delay} before answering (zero by default). */
    public void latency(Duration delay) {
        latency = delay;
    }

    /** Blocks every call of {@code method} (after latency) until the returned gate is released. */
    public Gate hold(String method) {
        Gate gate = new Gate();
        gates.put(method, gate);
        return gate;
    }

    /** Peak number of calls (all methods) handled at the same time since start or the last reset. */
    public int maxInFlight() {
        return peakInFlight.get();
    }

    /** Restarts peak tracking from the number of calls in flight now. */
    public void resetMaxInFlight() {
        peakInFlight.set(inFlight.get());
    }

    private void serve(int requestedPort, int requestedHttpPort) {
        lifecycle.lock();
        try {
            http = FakeHttpRpcServer.start(requestedHttpPort, this::answerHttp, method -> {
                Queue<FakeHttpRpcServer.RawAnswer> scripted = httpAnswers.get(method);
                return scripted == null ? null : scripted.poll();
            });
            httpPort = http.port();
            executor = Executors.newVirtualThreadPerTaskExecutor();
            // Virtual threads for the transport too: the app shares the load generator's core in benchmarks.
            transports = Executors.newVirtualThreadPerTaskExecutor();
            server = OkHttpServerBuilder.forPort(requestedPort, InsecureServerCredentials.create())
                    .executor(executor)
                    .transportExecutor(transports)
                    // jcable pings every 10 s, with calls or without; the default policy would answer too_many_pings.
                    .permitKeepAliveWithoutCalls(true)
                    .permitKeepAliveTime(5, TimeUnit.SECONDS)
                    .addService(ServerInterceptors.intercept(new Service(), new MetadataCapture()))
                    .build()
                    .start();
            port = server.getPort();
        } catch (IOException e) {
            executor.shutdownNow();
            transports.shutdownNow();
            try {
                http.stop();
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            throw new UncheckedIOException("cannot serve the fake RPC app on port " + requestedPort, e);
        } finally {
            lifecycle.unlock();
        }
    }

    private final class Service extends RPCGrpc.RPCImplBase {
        @Override
        public void connect(ConnectionRequest request, StreamObserver<ConnectionResponse> observer) {
            handle("Connect", request, observer, FakeRpcApp.this::onConnect);
        }

        @Override
        public void command(CommandMessage request, StreamObserver<CommandResponse> observer) {
            handle("Command", request, observer, FakeRpcApp.this::onCommand);
        }

        @Override
        public void disconnect(DisconnectRequest request, StreamObserver<DisconnectResponse> observer) {
            handle("Disconnect", request, observer, (disconnect, sid) -> onDisconnect(disconnect));
        }
    }

    /** Exposes the {@code sid} and {@code protov} metadata of each call to the handler through the gRPC context. */
    private static final class MetadataCapture implements ServerInterceptor {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            Context context = Context.current().withValues(SID_CONTEXT, headers.get(SID), PROTOV_CONTEXT, headers.get(PROTOV));
            return Contexts.interceptCall(context, call, headers, next);
        }
    }

    private <Q extends Message, R> void handle(String method, Q request, StreamObserver<R> observer,
                                               BiFunction<Q, String, R> logic) {
        RecordedCall call = new RecordedCall(method, request, SID_CONTEXT.get(), PROTOV_CONTEXT.get(), null);
        R response;
        try {
            response = respond(call, request, logic);
        } catch (StatusRuntimeException e) {
            observer.onError(e);
            return;
        }
        observer.onNext(response);
        observer.onCompleted();
    }

    /** A call over HTTP: the metadata come as {@code X-Anycable-Meta-*} headers; the key is checked first. */
    private Message answerHttp(String method, Message request, Headers headers) {
        String authorization = headers.getFirst("Authorization");
        RecordedCall call = new RecordedCall(method, request, headers.getFirst("X-Anycable-Meta-Sid"),
                headers.getFirst("X-Anycable-Meta-Protov"), authorization);
        String key = httpKey;
        if (key != null && !("Bearer " + key).equals(authorization)) {
            record(call);
            throw io.grpc.Status.UNAUTHENTICATED.withDescription("Unauthorized").asRuntimeException();
        }
        return switch (request) {
            case ConnectionRequest connect -> respond(call, connect, this::onConnect);
            case CommandMessage command -> respond(call, command, this::onCommand);
            case DisconnectRequest disconnect -> respond(call, disconnect, (d, sid) -> onDisconnect(d));
            default -> throw new IllegalArgumentException("not an RPC request: " + method);
        };
    }

    /** Records the call and answers its {@code request} as the app: scripted failures, latency and gates included. */
    private <Q extends Message, R> R respond(RecordedCall call, Q request, BiFunction<Q, String, R> logic) {
        record(call);
        peakInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        try {
            return answer(call.method(), request, call.sid(), logic);
        } finally {
            // before answering, so that a caller limiting its concurrency never sees a stale count
            inFlight.decrementAndGet();
        }
    }

    private <Q extends Message, R> R answer(String method, Q request, String sid, BiFunction<Q, String, R> logic) {
        Queue<io.grpc.Status.Code> scripted = failures.get(method);
        io.grpc.Status.Code code = scripted == null ? null : scripted.poll();
        if (code != null) {
            throw code.toStatus().withDescription("scripted failure").asRuntimeException();
        }
        try {
            Duration delay = latency;
            if (delay.isPositive()) {
                Thread.sleep(delay);
            }
            Gate gate = gates.get(method);
            if (gate != null) {
                gate.pass();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw io.grpc.Status.CANCELLED.withDescription("fake RPC app stopped").asRuntimeException();
        }
        try {
            return logic.apply(request, sid);
        } catch (RuntimeException e) {
            throw io.grpc.Status.UNKNOWN.withDescription(e.toString()).withCause(e).asRuntimeException();
        }
    }

    private void record(RecordedCall call) {
        if (!recording) {
            callListener.accept(call);
            return;
        }
        callsLock.lock();
        try {
            calls.add(call);
            callRecorded.signalAll();
        } finally {
            callsLock.unlock();
        }
        callListener.accept(call);
    }

    /** Whether calls are kept for {@link #calls()} (the default); a long load run turns it off. */
    public void recordCalls(boolean keep) {
        recording = keep;
    }

    /** Also hands every recorded call to {@code listener} (e.g. to print them when run by hand). */
    public void onCall(Consumer<RecordedCall> listener) {
        this.callListener = listener;
    }

    private <T> T awaitCalls(Duration timeout, Function<List<RecordedCall>, Optional<T>> probe, Supplier<String> failure) {
        long nanos = timeout.toNanos();
        callsLock.lock();
        try {
            while (true) {
                Optional<T> found = probe.apply(calls);
                if (found.isPresent()) {
                    return found.get();
                }
                if (nanos <= 0) {
                    throw new AssertionError(failure.get());
                }
                nanos = callRecorded.awaitNanos(nanos);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } finally {
            callsLock.unlock();
        }
    }

    // ---- the application ----

    private ConnectionResponse onConnect(ConnectionRequest request, String sid) {
        Env env = request.getEnv();
        String url = env.getUrl();
        Map<String, String> query = query(url);
        String test = query.getOrDefault("test", "");
        ConnectionResponse.Builder response = ConnectionResponse.newBuilder();
        if (test.equals("error")) {
            return response.setStatus(Status.ERROR).setErrorMsg("boom").build();
        }
        boolean accepted = switch (test) {
            case "request_url" -> url.startsWith("http://" + serverHost + "/") && url.contains("test=request_url");
            case "cookies" -> "john green".equals(cookie(env.getHeadersOrDefault("cookie", ""), "username"));
            case "headers" -> "abc".equals(env.getHeadersOrDefault("x-api-token", ""));
            case "reasons" -> !"unauthorized".equals(query.get("reason"));
            case "uid" -> query.containsKey("uid");
            default -> true;
        };
        if (!accepted) {
            return response.setStatus(Status.FAILURE).addTransmissions(UNAUTHORIZED).build();
        }
        JsonObject identifiers = new JsonObject();
        if (test.equals("uid")) {
            identifiers.addProperty("uid", query.get("uid"));
        }
        JsonObject welcome = new JsonObject();
        welcome.addProperty("type", "welcome");
        welcome.addProperty("sid", sid);
        if (test.equals("cstate")) {
            // Connection state set at Connect: later calls must carry it.
            response.setEnv(EnvResponse.newBuilder().putCstate("from", "connect"));
        }
        return response.setStatus(Status.SUCCESS)
                .setIdentifiers(GSON.toJson(identifiers))
                .addTransmissions(GSON.toJson(welcome))
                .build();
    }

    private CommandResponse onCommand(CommandMessage request, String sid) {
        JsonObject params = parseObject(request.getIdentifier());
        String channel = text(params, "channel");
        CommandResponse.Builder response = CommandResponse.newBuilder().setStatus(Status.SUCCESS);
        if (channel.equals("ErrorChannel")) {
            return response.setStatus(Status.ERROR).setErrorMsg("boom").build();
        }
        switch (request.getCommand()) {
            case "subscribe" -> subscribe(channel, params, request, response);
            case "unsubscribe" -> {
                response.setStopStreams(true);
                unsubscribed(params, request.getEnv().getIstateMap());
            }
            case "message" -> perform(channel, request, sid, response);
            default -> response.setStatus(Status.FAILURE).setErrorMsg("unknown command " + request.getCommand());
        }
        return response.build();
    }

    private void subscribe(String channel, JsonObject params, CommandMessage request, CommandResponse.Builder response) {
        String id = request.getIdentifier();
        boolean confirmed = switch (channel) {
            case "EmptyChannel", "ParamsChannel", "PerformChannel", "DisconnectorChannel", "CstateChannel" -> true;
            case "TransmissionsChannel" -> {
                response.addTransmissions(message(id, new JsonPrimitive("hello")))
                        .addTransmissions(message(id, new JsonPrimitive("world")));
                yield true;
            }
            case "RequestTokenChannel" -> "secret".equals(query(request.getEnv().getUrl()).get("token"));
            case "RequestAChannel" -> streams(response, "request_a");
            case "RequestBChannel" -> streams(response, "request_b");
            case "RequestCChannel" -> streams(response, "request_c");
            case "StateChannel" -> {
                JsonObject user = new JsonObject();
                user.add("name", params.get("name"));
                response.setEnv(EnvResponse.newBuilder().putIstate("user", GSON.toJson(user)).putIstate("count", "1"));
                yield streams(response, "state_counts");
            }
            case "StreamChannel" -> streams(response, "a");
            case "TwoStreamsChannel", "StopStreamsChannel" -> streams(response, "a", "b");
            case "BenchmarkChannel" -> streams(response, "bench_" + text(params, "id"), "all");
            // The stream the identifier names, without side effects: a test's control or marker subscription.
            case "NamedStreamChannel" -> streams(response, text(params, "stream"));
            // Whispers and presence on the stream the identifier names ($w and $p, as anycable-rails sets them).
            case "PresenceChannel" -> {
                response.setEnv(EnvResponse.newBuilder().putIstate("$w", text(params, "stream"))
                        .putIstate("$p", text(params, "stream")));
                yield streams(response, text(params, "stream"));
            }
            default -> false;
        };
        if (confirmed) {
            response.addTransmissions(subscriptionFrame(id, "confirm_subscription"));
        } else {
            response.setStatus(Status.FAILURE).addTransmissions(subscriptionFrame(id, "reject_subscription"));
        }
    }

    private void perform(String channel, CommandMessage request, String sid, CommandResponse.Builder response) {
        String id = request.getIdentifier();
        JsonObject data = parseObject(request.getData());
        String action = text(data, "action");
        switch (channel + "#" + action) {
            case "PerformChannel#tick" -> response.addTransmissions(message(id, new JsonPrimitive("tock")));
            case "PerformChannel#echo" -> {
                JsonObject echo = new JsonObject();
                echo.add("response", data.get("text"));
                response.addTransmissions(message(id, echo));
            }
            case "StateChannel#tick" -> {
                Map<String, String> state = request.getEnv().getIstateMap();
                int count = Integer.parseInt(state.getOrDefault("count", "0")) + 2;
                JsonObject tick = new JsonObject();
                tick.addProperty("count", count);
                tick.add("name", parseObject(state.getOrDefault("user", "")).get("name"));
                response.setEnv(EnvResponse.newBuilder().putIstate("count", Integer.toString(count)))
                        .addTransmissions(message(id, tick));
            }
            case "StopStreamsChannel#unfollow" -> response.addStoppedStreams(text(data, "name"));
            case "DisconnectorChannel#bye" -> response.addTransmissions(message(id, new JsonPrimitive("bye"))).setDisconnect(true);
            case "StreamChannel#speak" -> {
                JsonObject content = new JsonObject();
                content.add("content", data.get("content"));
                JsonObject meta = new JsonObject();
                meta.addProperty("exclude_socket", sid);
                JsonObject publication = publication("a", content);
                publication.add("meta", meta);
                publisher.accept(GSON.toJson(publication));
            }
            case "CstateChannel#set" -> {
                JsonObject carried = GSON.toJsonTree(new TreeMap<>(request.getEnv().getCstateMap())).getAsJsonObject();
                response.setEnv(EnvResponse.newBuilder().putCstate(text(data, "key"), text(data, "value")))
                        .addTransmissions(message(id, carried));
            }
            case "PresenceChannel#join" -> response.setPresence(PresenceResponse.newBuilder().setType("join")
                    .setId(text(data, "id")).setInfo(GSON.toJson(data.get("info"))));
            case "PresenceChannel#leave" -> response.setPresence(PresenceResponse.newBuilder().setType("leave")
                    .setId(text(data, "id")));
            case "BenchmarkChannel#echo" -> response.addTransmissions(message(id, data));
            case "BenchmarkChannel#broadcast" -> broadcast("all", data.has("payload") ? data.get("payload") : data);
            default -> response.setStatus(Status.FAILURE).setErrorMsg("unknown action '" + action + "' on " + channel);
        }
    }

    private DisconnectResponse onDisconnect(DisconnectRequest request) {
        Map<String, String> states = request.getEnv().getIstateMap();
        for (String id : request.getSubscriptionsList()) {
            unsubscribed(parseObject(id), stateMap(states.getOrDefault(id, "")));
        }
        return DisconnectResponse.newBuilder().setStatus(Status.SUCCESS).build();
    }

    /** The unsubscribe side effects of a channel, shared by unsubscribe and Disconnect. */
    private void unsubscribed(JsonObject params, Map<String, String> state) {
        switch (text(params, "channel")) {
            case "RequestAChannel" -> broadcast("request_a", userLeft("user left"));
            case "RequestBChannel" -> broadcast("request_b", userLeft("user left"));
            case "RequestCChannel" -> broadcast("request_c", userLeft("user left" + text(params, "id")));
            case "StateChannel" -> {
                if (truthy(params.get("notify_disconnect"))) {
                    String name = text(parseObject(state.getOrDefault("user", "")), "name");
                    broadcast("state_counts", userLeft("user left: " + name));
                }
            }
            default -> {
                // no side effect
            }
        }
    }

    private void broadcast(String stream, JsonElement value) {
        publisher.accept(GSON.toJson(publication(stream, value)));
    }

    private static JsonObject publication(String stream, JsonElement value) {
        JsonObject publication = new JsonObject();
        publication.addProperty("stream", stream);
        publication.addProperty("data", GSON.toJson(value));
        return publication;
    }

    private static JsonObject userLeft(String text) {
        JsonObject data = new JsonObject();
        data.addProperty("data", text);
        return data;
    }

    private static boolean streams(CommandResponse.Builder response, String... streams) {
        response.addAllStreams(List.of(streams));
        return true;
    }

    private static String message(String identifier, JsonElement value) {
        JsonObject frame = new JsonObject();
        frame.addProperty("identifier", identifier);
        frame.add("message", value);
        return GSON.toJson(frame);
    }

    private static String subscriptionFrame(String identifier, String type) {
        JsonObject frame = new JsonObject();
        frame.addProperty("identifier", identifier);
        frame.addProperty("type", type);
        return GSON.toJson(frame);
    }

    /** The JSON object in {@code json}, or an empty object if it is not one. */
    private static JsonObject parseObject(String json) {
        try {
            JsonElement element = JsonParser.parseString(json);
            return element.isJsonObject() ? element.getAsJsonObject() : new JsonObject();
        } catch (JsonParseException e) {
            return new JsonObject();
        }
    }

    /** A primitive member as text ({@code 1} → "1"), or "" when absent or not a primitive. */
    private static String text(JsonObject object, String key) {
        JsonElement value = object.get(key);
        return value != null && value.isJsonPrimitive() ? value.getAsString() : "";
    }

    /** Ruby truthiness: present, not null, not false. */
    private static boolean truthy(JsonElement value) {
        return value != null && !value.isJsonNull()
                && !(value.isJsonPrimitive() && value.getAsJsonPrimitive().isBoolean() && !value.getAsBoolean());
    }

    /** A state map sent as JSON text (Disconnect's {@code env.istate} values). */
    private static Map<String, String> stateMap(String json) {
        Map<String, String> state = new HashMap<>();
        parseObject(json).entrySet().forEach(entry -> state.put(entry.getKey(),
                entry.getValue().isJsonPrimitive() ? entry.getValue().getAsString() : GSON.toJson(entry.getValue())));
        return state;
    }

    private static Map<String, String> query(String url) {
        int start = url.indexOf('?');
        if (start < 0) {
            return Map.of();
        }
        int end = url.indexOf('#', start);
        Map<String, String> params = new HashMap<>();
        for (String pair : url.substring(start + 1, end < 0 ? url.length() : end).split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            params.putIfAbsent(decode(eq < 0 ? pair : pair.substring(0, eq)), eq < 0 ? "" : decode(pair.substring(eq + 1)));
        }
        return params;
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }

    /** The raw value of cookie {@code name} in a {@code Cookie} header, or null. */
    private static String cookie(String header, String name) {
        for (String part : header.split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0 && part.substring(0, eq).trim().equals(name)) {
                return part.substring(eq + 1).trim();
            }
        }
        return null;
    }
}
