package io.jcable.testing;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.grpc.StatusRuntimeException;
import io.jcable.rpc.proto.CommandMessage;
import io.jcable.rpc.proto.ConnectionRequest;
import io.jcable.rpc.proto.DisconnectRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The HTTP side of {@link FakeRpcApp}, served as anycable-rb's HTTP RPC server does: {@code POST
 * /_anycable/connect}, {@code /command} and {@code /disconnect}, request and response as proto JSON (proto field
 * names, enums as numbers; a request with an unknown field is refused with 422, as anycable-rb does; like it, the
 * parser also takes camelCase names, so the exact names jcable sends are checked in {@code HttpRpcJsonTest}).
 * The app's logic answers; a failure it raises becomes the HTTP status an app or its proxy would send.
 */
final class FakeHttpRpcServer {
    static final String BASE_PATH = "/_anycable";
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
    private static final JsonFormat.Parser PARSER = JsonFormat.parser();
    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().preservingProtoFieldNames()
            .printingEnumsAsInts().omittingInsignificantWhitespace();
    private static final Map<String, Supplier<Message.Builder>> REQUESTS = Map.of(
            "Connect", ConnectionRequest::newBuilder,
            "Command", CommandMessage::newBuilder,
            "Disconnect", DisconnectRequest::newBuilder);

    /** The app: answers a parsed request (headers give the metadata and the key) or fails with a gRPC status. */
    @FunctionalInterface
    interface Handler {
        Message answer(String method, Message request, Headers headers);
    }

    /** An answer sent as is instead of calling the app. */
    record RawAnswer(int status, String body) {
    }

    private final HttpServer server;
    private final ExecutorService executor;

    private FakeHttpRpcServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Serves on {@code port} (0 = a free one); {@code scripted} gives a method's next raw answer, or null. */
    static FakeHttpRpcServer start(int port, Handler handler, Function<String, RawAnswer> scripted) {
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
            server.setExecutor(executor);
            server.createContext(BASE_PATH, exchange -> {
                try (exchange) {
                    serve(exchange, handler, scripted);
                }
            });
            server.start();
            return new FakeHttpRpcServer(server, executor);
        } catch (IOException e) {
            executor.shutdownNow();
            throw new UncheckedIOException("cannot serve the fake HTTP RPC app on port " + port, e);
        }
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** Closes the socket and every connection, interrupts handlers still running, and waits for them. */
    void stop() throws InterruptedException {
        server.stop(0);
        executor.shutdownNow();
        if (!executor.awaitTermination(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("fake HTTP RPC app did not stop within " + STOP_TIMEOUT);
        }
    }

    private static void serve(HttpExchange exchange, Handler handler, Function<String, RawAnswer> scripted)
            throws IOException {
        String method = switch (exchange.getRequestURI().getPath().substring(BASE_PATH.length())) {
            case "/connect" -> "Connect";
            case "/command" -> "Command";
            case "/disconnect" -> "Disconnect";
            default -> null;
        };
        if (method == null || !exchange.getRequestMethod().equals("POST")) {
            send(exchange, 404, "Not found");
            return;
        }
        RawAnswer raw = scripted.apply(method);
        if (raw != null) {
            send(exchange, raw.status(), raw.body());
            return;
        }
        Message.Builder request = REQUESTS.get(method).get();
        try {
            PARSER.merge(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8), request);
        } catch (InvalidProtocolBufferException e) {
            send(exchange, 422, "Invalid request body: " + e.getMessage());
            return;
        }
        String response;
        try {
            response = PRINTER.print(handler.answer(method, request.build(), exchange.getRequestHeaders()));
        } catch (StatusRuntimeException e) {
            send(exchange, httpStatus(e.getStatus().getCode()), String.valueOf(e.getStatus().getDescription()));
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        send(exchange, 200, response);
    }

    /** What an HTTP app (or the proxy in front of it) answers where a gRPC app fails with {@code code}. */
    private static int httpStatus(io.grpc.Status.Code code) {
        return switch (code) {
            case UNAUTHENTICATED -> 401;
            case INVALID_ARGUMENT -> 422;
            case RESOURCE_EXHAUSTED -> 429;
            case UNAVAILABLE -> 503;
            case DEADLINE_EXCEEDED -> 504;
            default -> 500;
        };
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        exchange.getResponseBody().write(bytes);
    }
}
