package io.jcable.rpc;

import io.jcable.config.RpcConfig;
import io.jcable.metrics.Metrics;
import io.jcable.protocol.LogText;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@link Controller} over HTTP (docs/rpc.md §10): {@code POST <ANYCABLE_RPC_HOST>/connect}, {@code /command} and
 * {@code /disconnect} with JSON bodies ({@link HttpRpcJson}), the metadata as {@code X-Anycable-Meta-*} headers
 * and {@code Authorization: Bearer <key>} when a key is set, through the JDK's HTTP/1.1 client. The concurrency
 * limit, deadlines and retries are {@link RetryingCaller}'s: connection failures, 502, 503 and 504 are retried
 * like gRPC's UNAVAILABLE, 429 like RESOURCE_EXHAUSTED; any other status, and a 200 whose body is not the
 * expected JSON, fail the call at once.
 */
public final class HttpController implements Controller {
    /** The largest response body read (gRPC's default message limit); a bigger one fails the call. */
    static final int MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
    /** Statuses of a proxy that cannot reach the app: retried like UNAVAILABLE, and not a sign the app is back. */
    private static final Set<Integer> GATEWAY_FAILURES = Set.of(502, 503, 504);
    private static final Duration RECHECK_TIMEOUT = Duration.ofSeconds(2);

    @FunctionalInterface
    private interface Reader<T> {
        T read(String body) throws RpcFailure;
    }

    private final ExecutorService clientThreads = TransportThreads.create("jcable-http-rpc-");
    private final HttpClient client;
    private final URI connectUri;
    private final URI commandUri;
    private final URI disconnectUri;
    private final String key;
    private final RetryingCaller caller;
    private final URI baseUri;
    private final AtomicBoolean recheckInFlight = new AtomicBoolean();

    public HttpController(RpcConfig config, Metrics metrics) {
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(clientThreads)
                .build();
        this.connectUri = endpoint(config.host(), "connect");
        this.commandUri = endpoint(config.host(), "command");
        this.disconnectUri = endpoint(config.host(), "disconnect");
        this.key = config.httpKey();
        this.baseUri = URI.create(config.host());
        this.caller = new RetryingCaller(config, metrics, () -> { });
    }

    /** {@code base}'s path joined with {@code method}, its query kept (as anycable-go joins them). */
    static URI endpoint(String base, String method) {
        int queryStart = base.indexOf('?');
        String path = queryStart < 0 ? base : base.substring(0, queryStart);
        String query = queryStart < 0 ? "" : base.substring(queryStart);
        return URI.create(path + (path.endsWith("/") ? "" : "/") + method + query);
    }

    @Override
    public ConnectResult connect(CallContext context, RequestEnv env) {
        ConnectResult result = caller.call("Connect", context,
                attempt(connectUri, context.sid(), HttpRpcJson.connectRequest(env), HttpRpcJson::connectResult));
        return result != null ? result : ConnectResult.error("RPC Connect failed");
    }

    @Override
    public CommandResult command(CallContext context, CommandRequest request) {
        CommandResult result = caller.call("Command", context,
                attempt(commandUri, context.sid(), HttpRpcJson.commandRequest(request), HttpRpcJson::commandResult));
        return result != null ? result : CommandResult.error("RPC Command failed");
    }

    @Override
    public RpcStatus disconnect(DisconnectCall request, long deadlineNanos) {
        return caller.disconnect(request.sid(), deadlineNanos, attempt(disconnectUri, request.sid(),
                HttpRpcJson.disconnectRequest(request), HttpRpcJson::disconnectResult));
    }

    /**
     * From the last attempt: HTTP keeps no connection state to read, so an app that went away is seen at the next
     * call (a connection failure, 502, 503 or 504). While it is unreachable, no call may come to tell it is back (a
     * server that is not ready gets no clients): each probe then sends, unless one is on its way, a GET to the
     * RPC URL in the background, without the key, and any answer but 502, 503 or 504 counts as reachable.
     */
    @Override
    public boolean reachable() {
        if (caller.lastAttemptReached()) {
            return true;
        }
        if (recheckInFlight.compareAndSet(false, true)) {
            client.sendAsync(HttpRequest.newBuilder(baseUri).timeout(RECHECK_TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
                        if (response != null && !GATEWAY_FAILURES.contains(response.statusCode())) {
                            caller.appReached();
                        }
                        recheckInFlight.set(false);
                    });
        }
        return false;
    }

    /** One attempt of a call: a POST of {@code body}, its answer read by {@code reader}. */
    private <T> RetryingCaller.Attempt<T> attempt(URI uri, String sid, String body, Reader<T> reader) {
        return timeoutNanos -> reader.read(post(uri, sid, body, timeoutNanos));
    }

    /** One POST, over within {@code timeoutNanos}: the body of a 200, else the failure classified. */
    private String post(URI uri, String sid, String body, long timeoutNanos) throws RpcFailure {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofNanos(timeoutNanos))
                .header("Content-Type", "application/json")
                .header("X-Anycable-Meta-Protov", "v1")
                .header("X-Anycable-Meta-Sid", sid)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        CompletableFuture<HttpResponse<String>> exchange =
                client.sendAsync(request.build(), response -> new BoundedBody());
        HttpResponse<String> response;
        try {
            // The request timeout covers the exchange only until the headers arrive; this wait covers the body too.
            response = exchange.get(timeoutNanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            exchange.cancel(true);
            throw new RpcFailure(RpcFailure.Kind.TIMEOUT, "no answer within " + millis(timeoutNanos));
        } catch (InterruptedException e) {
            exchange.cancel(true);
            Thread.currentThread().interrupt();
            throw new RpcFailure(RpcFailure.Kind.FATAL, "interrupted");
        } catch (ExecutionException e) {
            throw failure(e.getCause(), timeoutNanos);
        }
        int status = response.statusCode();
        if (status == 200) {
            return response.body();
        }
        RpcFailure.Kind kind = status == 429 ? RpcFailure.Kind.EXHAUSTED
                : GATEWAY_FAILURES.contains(status) ? RpcFailure.Kind.UNAVAILABLE
                : RpcFailure.Kind.FATAL;
        throw new RpcFailure(kind, "HTTP " + status + loggable(response.body()));
    }

    private static RpcFailure failure(Throwable cause, long timeoutNanos) {
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return switch (cause) {
            case RpcFailure failure -> failure;
            case HttpTimeoutException timeout -> new RpcFailure(RpcFailure.Kind.TIMEOUT,
                    "no answer within " + millis(timeoutNanos));
            // Refused, reset, closed before the answer: the app is not (or no longer) reachable.
            case IOException io -> new RpcFailure(RpcFailure.Kind.UNAVAILABLE, "cannot reach the app: " + io);
            case null, default -> new RpcFailure(RpcFailure.Kind.FATAL, String.valueOf(cause));
        };
    }

    private static String millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos) + " ms";
    }

    /** The start of an error body for the log, never showing the key (an app's error page may echo it). */
    private String loggable(String body) {
        if (body.isEmpty()) {
            return "";
        }
        return ": " + LogText.clip(key == null ? body : body.replace(key, "***"));
    }

    /**
     * Closes the client. Runs after the shutdown drain, when no call should be left: the waits are short, so the
     * process exits soon after {@code ANYCABLE_SHUTDOWN_TIMEOUT} even if the app still holds a call.
     */
    @Override
    public void close() {
        client.shutdown();
        try {
            if (!client.awaitTermination(Duration.ofMillis(500))) {
                client.shutdownNow();
                client.awaitTermination(Duration.ofMillis(250));
            }
        } catch (InterruptedException e) {
            client.shutdownNow();
            Thread.currentThread().interrupt();
        }
        clientThreads.shutdownNow();
    }

    /** Collects a response body as UTF-8 text up to {@link #MAX_RESPONSE_BYTES}; a longer one fails the call. */
    private static final class BoundedBody implements HttpResponse.BodySubscriber<String> {
        private final CompletableFuture<String> text = new CompletableFuture<>();
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private Flow.Subscription subscription;

        @Override
        public CompletionStage<String> getBody() {
            return text;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            for (ByteBuffer buffer : buffers) {
                if (text.isDone()) {
                    return;
                }
                if (bytes.size() + buffer.remaining() > MAX_RESPONSE_BYTES) {
                    subscription.cancel();
                    text.completeExceptionally(new RpcFailure(RpcFailure.Kind.FATAL,
                            "response body over " + MAX_RESPONSE_BYTES + " bytes"));
                    return;
                }
                byte[] part = new byte[buffer.remaining()];
                buffer.get(part);
                bytes.writeBytes(part);
            }
        }

        @Override
        public void onError(Throwable failure) {
            text.completeExceptionally(failure);
        }

        @Override
        public void onComplete() {
            text.complete(bytes.toString(StandardCharsets.UTF_8));
        }
    }
}
