package io.jcable.rpc;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ConnectivityState;
import io.grpc.ForwardingClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.okhttp.OkHttpChannelBuilder;
import io.jcable.config.RpcConfig;
import io.jcable.metrics.Counter;
import io.jcable.metrics.Histogram;
import io.jcable.metrics.Metrics;
import io.jcable.rpc.proto.CommandMessage;
import io.jcable.rpc.proto.CommandResponse;
import io.jcable.rpc.proto.ConnectionRequest;
import io.jcable.rpc.proto.ConnectionResponse;
import io.jcable.rpc.proto.DisconnectRequest;
import io.jcable.rpc.proto.DisconnectResponse;
import io.jcable.rpc.proto.Env;
import io.jcable.rpc.proto.RPCGrpc;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Controller} over gRPC: one shared channel, one semaphore over every call
 * ({@code ANYCABLE_RPC_CONCURRENCY}), retries with exponential backoff on RESOURCE_EXHAUSTED and UNAVAILABLE
 * within {@code ANYCABLE_RPC_COMMAND_TIMEOUT} (rpc.md §9).
 */
public final class GrpcController implements Controller {
    private static final Logger LOG = LoggerFactory.getLogger(GrpcController.class);
    private static final Metadata.Key<String> PROTOV = Metadata.Key.of("protov", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> SID = Metadata.Key.of("sid", Metadata.ASCII_STRING_MARSHALLER);
    private static final CallOptions.Key<String> SID_OPTION = CallOptions.Key.create("jcable-sid");
    private static final long EXHAUSTED_BASE_MS = 10;
    private static final long UNAVAILABLE_BASE_MS = 100;

    /** gRPC's own shared threads would outlive an undeploy (a class-loader leak): the channel gets ours. */
    private final ExecutorService transportThreads = transportExecutor();
    private final ExecutorService callThreads = Executors.newCachedThreadPool(
            Thread.ofPlatform().daemon().name("jcable-grpc-", 0).factory());
    private final ScheduledThreadPoolExecutor timer = deadlineTimer();
    private final ManagedChannel channel;
    private final RPCGrpc.RPCBlockingStub stub;
    private final Semaphore slots;
    private final Duration requestTimeout;
    private final Duration callBudget;
    private final Counter calls;
    private final Counter errors;
    private final Counter retries;
    private final Counter timeouts;
    private final Counter canceled;
    /** {@code rpc_call_duration_seconds} by method. */
    private final Map<String, Histogram> durations;
    private volatile boolean reachable = true;

    public GrpcController(RpcConfig config, Metrics metrics) {
        this.channel = channelBuilder(config)
                .usePlaintext()
                .defaultLoadBalancingPolicy("round_robin")
                .keepAliveTime(10, TimeUnit.SECONDS)
                // Also while idle (as anycable-go): a dead connection is found before the next Connect needs it.
                .keepAliveWithoutCalls(true)
                .disableRetry()
                .transportExecutor(transportThreads)
                .executor(callThreads)
                .offloadExecutor(callThreads)
                .scheduledExecutorService(timer)
                .build();
        this.stub = RPCGrpc.newBlockingStub(ClientInterceptors.intercept(channel, new SessionMetadata()));
        this.slots = new Semaphore(config.concurrency(), false);
        this.requestTimeout = config.requestTimeout();
        this.callBudget = config.commandTimeout();
        this.calls = metrics.counter("rpc_call_total");
        this.errors = metrics.counter("rpc_error_total");
        this.retries = metrics.counter("rpc_retries_total");
        this.timeouts = metrics.counter("rpc_timeout_total");
        this.canceled = metrics.counter("rpc_canceled_total");
        this.durations = List.of("Connect", "Command", "Disconnect").stream().collect(Collectors.toUnmodifiableMap(
                method -> method, method -> metrics.histogram("rpc_call_duration_seconds", "method", method)));
        metrics.gauge("rpc_pending_num", slots::getQueueLength);
        metrics.gauge("rpc_capacity_num", config::concurrency);
        // Connect now: readiness reflects the app from the start, and the first Connect skips the handshake.
        watchState(channel.getState(true));
    }

    /**
     * Follows the channel's state: unreachable from a TRANSIENT_FAILURE (no connection to any address of the
     * target) until the next READY, so the attempts in between (CONNECTING) do not count as reachable.
     */
    private void watchState(ConnectivityState current) {
        channel.notifyWhenStateChanged(current, () -> {
            ConnectivityState next = channel.getState(false);
            if (next == ConnectivityState.READY) {
                reachable = true;
            } else if (next == ConnectivityState.TRANSIENT_FAILURE || next == ConnectivityState.SHUTDOWN) {
                reachable = false;
            }
            if (next != ConnectivityState.SHUTDOWN) {
                watchState(next);
            }
        });
    }

    /**
     * Readiness: whether the app's RPC server is reachable, from the channel's state; makes no call. An idle
     * channel is asked to connect, and a failed one to retry now rather than after gRPC's backoff (up to 2 min),
     * so that a probe soon sees an app that came back.
     */
    public boolean reachable() {
        if (channel.getState(true) == ConnectivityState.TRANSIENT_FAILURE) {
            channel.resetConnectBackoff();
        }
        return reachable;
    }

    @Override
    public ConnectResult connect(CallContext context, RequestEnv env) {
        ConnectionRequest request = ConnectionRequest.newBuilder().setEnv(env(env, Map.of(), Map.of())).build();
        ConnectionResponse response = call("Connect", context, budgetEnd(), s -> s.connect(request));
        if (response == null) {
            return ConnectResult.error("RPC Connect failed");
        }
        return new ConnectResult(status(response.getStatusValue()), response.getIdentifiers(),
                response.getTransmissionsList(), response.getEnv().getCstateMap(), response.getErrorMsg());
    }

    @Override
    public CommandResult command(CallContext context, CommandRequest request) {
        CommandMessage message = CommandMessage.newBuilder()
                .setCommand(request.command())
                .setIdentifier(request.identifier())
                .setConnectionIdentifiers(request.connectionIdentifiers())
                .setData(request.data())
                .setEnv(env(request.env(), request.cstate(), request.istate()))
                .build();
        CommandResponse response = call("Command", context, budgetEnd(), s -> s.command(message));
        if (response == null) {
            return CommandResult.error("RPC Command failed");
        }
        return new CommandResult(status(response.getStatusValue()), response.getDisconnect(),
                response.getStopStreams(), response.getStreamsList(), response.getStoppedStreamsList(),
                response.getTransmissionsList(), response.getEnv().getCstateMap(), response.getEnv().getIstateMap(),
                response.getErrorMsg());
    }

    @Override
    public RpcStatus disconnect(DisconnectCall request) {
        return disconnect(request, budgetEnd());
    }

    @Override
    public RpcStatus disconnect(DisconnectCall request, long deadlineNanos) {
        long end = Math.min(budgetEnd(), deadlineNanos);
        DisconnectRequest message = DisconnectRequest.newBuilder()
                .setIdentifiers(request.identifiers())
                .addAllSubscriptions(request.subscriptions())
                .setEnv(env(request.env(), request.cstate(), request.istates()))
                .build();
        DisconnectResponse response = call("Disconnect", new CallContext(request.sid(), () -> false), end,
                s -> s.disconnect(message));
        if (response == null) {
            return RpcStatus.ERROR;
        }
        RpcStatus status = status(response.getStatusValue());
        if (status == RpcStatus.ERROR) {
            LOG.warn("RPC Disconnect sid={} answered ERROR: {}", request.sid(), response.getErrorMsg());
        }
        return status;
    }

    /** When a call starting now must be over: {@code ANYCABLE_RPC_COMMAND_TIMEOUT} from now. */
    private long budgetEnd() {
        return System.nanoTime() + callBudget.toNanos();
    }

    /**
     * Runs one logical call with retries, all of it (waits for a slot included) over by {@code deadline}; null
     * when it failed (already logged and counted). A call whose session is gone while it waits for a slot is
     * skipped, except Disconnect (its context is never gone). A call that reached the app is timed, its wait for a
     * slot and its retries included, in {@code rpc_call_duration_seconds}.
     */
    private <T> T call(String method, CallContext context, long deadline,
                       Function<RPCGrpc.RPCBlockingStub, T> invocation) {
        long start = System.nanoTime();
        boolean counted = false;
        try {
            RPCGrpc.RPCBlockingStub callStub = stub.withOption(SID_OPTION, context.sid());
            Status.Code lastRetried = null;
            int attempt = 0;
            while (true) {
                try {
                    if (!slots.tryAcquire(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                        // An attempt started now would fail at once with DEADLINE_EXCEEDED: count it as one.
                        timeouts.inc();
                        return failed(method, context, Status.DEADLINE_EXCEEDED
                                .withDescription("no RPC slot before the deadline").asRuntimeException());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
                Status.Code code;
                StatusRuntimeException failure;
                try {
                    if (context.gone().getAsBoolean()) {
                        canceled.inc();
                        LOG.debug("RPC {} sid={} skipped: session closed while waiting", method, context.sid());
                        return null;
                    }
                    if (lastRetried == null) {
                        // A logical call counts once; its further attempts are in rpc_retries_total.
                        calls.inc();
                        counted = true;
                    }
                    // Every attempt ends by the call's deadline, so an app that accepts and never answers cannot hang
                    // a session; ANYCABLE_RPC_REQUEST_TIMEOUT may cut a single attempt shorter.
                    long attemptNanos = deadline - System.nanoTime();
                    if (!requestTimeout.isZero()) {
                        attemptNanos = Math.min(attemptNanos, requestTimeout.toNanos());
                    }
                    return invocation.apply(
                            callStub.withDeadlineAfter(Math.max(1, attemptNanos), TimeUnit.NANOSECONDS));
                } catch (StatusRuntimeException e) {
                    failure = e;
                    code = e.getStatus().getCode();
                } finally {
                    slots.release();
                }
                long base = switch (code) {
                    case RESOURCE_EXHAUSTED -> EXHAUSTED_BASE_MS;
                    case UNAVAILABLE -> UNAVAILABLE_BASE_MS;
                    default -> 0;
                };
                if (code == Status.Code.DEADLINE_EXCEEDED) {
                    timeouts.inc();
                }
                if (base == 0) {
                    return failed(method, context, failure);
                }
                attempt = code == lastRetried ? attempt + 1 : 0;
                lastRetried = code;
                long delayMs = (1L << Math.min(attempt, 16)) * base;
                if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMs) > deadline) {
                    return failed(method, context, failure);
                }
                retries.inc();
                if (code == Status.Code.UNAVAILABLE) {
                    // gRPC's own reconnect backoff grows to minutes; the app may be back already.
                    channel.resetConnectBackoff();
                }
                try {
                    Thread.sleep(delayMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
        } finally {
            if (counted) {
                durations.get(method).observeNanos(System.nanoTime() - start);
            }
        }
    }

    private <T> T failed(String method, CallContext context, StatusRuntimeException failure) {
        errors.inc();
        LOG.error("RPC {} sid={} failed: {}", method, context.sid(), failure.getStatus());
        return null;
    }

    /** The request's Env; empty state maps are left out (each put allocates a map field in the message). */
    private static Env env(RequestEnv env, Map<String, String> cstate, Map<String, String> istate) {
        Env.Builder builder = Env.newBuilder().setUrl(env.url()).putAllHeaders(env.headers());
        if (!cstate.isEmpty()) {
            builder.putAllCstate(cstate);
        }
        if (!istate.isEmpty()) {
            builder.putAllIstate(istate);
        }
        return builder.build();
    }

    private static RpcStatus status(int value) {
        return switch (value) {
            case 1 -> RpcStatus.SUCCESS;
            case 2 -> RpcStatus.FAILURE;
            default -> RpcStatus.ERROR;
        };
    }

    /**
     * The builder for the configured target. A {@code grpc-list://} target needs our resolver; gRPC 1.82 takes a
     * channel-local one only through the deprecated {@code nameResolverFactory} (its registry setter is not
     * public), and registering it globally would outlive an undeploy and reach other web apps' channels.
     */
    @SuppressWarnings("deprecation")
    private static OkHttpChannelBuilder channelBuilder(RpcConfig config) {
        OkHttpChannelBuilder builder = OkHttpChannelBuilder.forTarget(config.host());
        if (!config.hostList().isEmpty()) {
            builder.nameResolverFactory(new GrpcListResolver.Factory(config.hostList()));
        }
        return builder;
    }

    /**
     * Deadlines and keepalives. Every call schedules its deadline and cancels it when answered; without
     * remove-on-cancel the cancelled ones stay queued until they would have expired (30,000 entries, each holding
     * its call, at 10,000 calls/s with the 3 s budget).
     */
    private static ScheduledThreadPoolExecutor deadlineTimer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().daemon().name("jcable-grpc-timer").factory());
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    /**
     * The OkHttp transport's reader and writers. On JDK 24+ they are virtual threads, like the sessions calling
     * them: a call's hand-offs then switch continuations on the carrier instead of OS threads (10-20% less server
     * CPU per perform at 10,000/s, BENCHMARKS.md). Before JDK 24 a virtual thread blocked inside
     * {@code synchronized}, as parts of the OkHttp stack may be, pins its carrier, so they stay platform threads.
     */
    private static ExecutorService transportExecutor() {
        return Runtime.version().feature() >= 24
                ? Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("jcable-grpc-transport-", 0).factory())
                : Executors.newCachedThreadPool(Thread.ofPlatform().daemon().name("jcable-grpc-transport-", 0).factory());
    }

    /** Puts {@code protov: v1} and the session's {@code sid} (a call option) in every call's headers (rpc.md §3). */
    private static final class SessionMetadata implements ClientInterceptor {
        @Override
        public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            String sid = options.getOption(SID_OPTION);
            return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                @Override
                public void start(Listener<R> listener, Metadata headers) {
                    headers.put(PROTOV, "v1");
                    headers.put(SID, sid);
                    super.start(listener, headers);
                }
            };
        }
    }

    /**
     * Closes the channel. Runs after the shutdown drain, when no call should be left: the waits are short, so the
     * process exits soon after {@code ANYCABLE_SHUTDOWN_TIMEOUT} even if the app still holds a call.
     */
    @Override
    public void close() {
        channel.shutdown();
        try {
            if (!channel.awaitTermination(500, TimeUnit.MILLISECONDS)) {
                channel.shutdownNow();
                channel.awaitTermination(250, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            channel.shutdownNow();
            Thread.currentThread().interrupt();
        }
        for (ExecutorService threads : new ExecutorService[] {transportThreads, callThreads, timer}) {
            threads.shutdownNow();
        }
    }
}
