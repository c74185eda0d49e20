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
import io.jcable.metrics.Metrics;
import io.jcable.rpc.proto.CommandMessage;
import io.jcable.rpc.proto.CommandResponse;
import io.jcable.rpc.proto.PresenceResponse;
import io.jcable.rpc.proto.ConnectionRequest;
import io.jcable.rpc.proto.ConnectionResponse;
import io.jcable.rpc.proto.DisconnectRequest;
import io.jcable.rpc.proto.DisconnectResponse;
import io.jcable.rpc.proto.Env;
import io.jcable.rpc.proto.RPCGrpc;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * {@link Controller} over gRPC: one shared channel on {@link GrpcTransportThreads}; the concurrency limit,
 * deadlines and retries (on RESOURCE_EXHAUSTED and UNAVAILABLE) are {@link RetryingCaller}'s (docs/rpc.md §9).
 */
public final class GrpcController implements Controller {
    private static final Metadata.Key<String> PROTOV = Metadata.Key.of("protov", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> SID = Metadata.Key.of("sid", Metadata.ASCII_STRING_MARSHALLER);
    private static final CallOptions.Key<String> SID_OPTION = CallOptions.Key.create("jcable-sid");

    /** gRPC's own shared threads would outlive an undeploy (a class-loader leak): the channel gets ours. */
    private final ExecutorService transportThreads = new GrpcTransportThreads("jcable-grpc-");
    private final ExecutorService callThreads = Executors.newCachedThreadPool(
            Thread.ofPlatform().daemon().name("jcable-grpc-", 0).factory());
    private final ScheduledThreadPoolExecutor timer = deadlineTimer();
    private final ManagedChannel channel;
    private final RPCGrpc.RPCBlockingStub stub;
    private final RetryingCaller caller;
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
        // gRPC's own reconnect backoff grows to minutes; the app may be back already.
        this.caller = new RetryingCaller(config, metrics, channel::resetConnectBackoff);
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
     * From the channel's state. An idle channel is asked to connect, and a failed one to retry now rather than
     * after gRPC's backoff (up to 2 min), so that a probe soon sees an app that came back.
     */
    @Override
    public boolean reachable() {
        if (channel.getState(true) == ConnectivityState.TRANSIENT_FAILURE) {
            channel.resetConnectBackoff();
        }
        return reachable;
    }

    @Override
    public ConnectResult connect(CallContext context, RequestEnv env) {
        ConnectionRequest request = ConnectionRequest.newBuilder().setEnv(env(env, Map.of(), Map.of())).build();
        ConnectionResponse response = caller.call("Connect", context, attempt(context.sid(), s -> s.connect(request)));
        if (response == null) {
            return ConnectResult.error("RPC Connect failed");
        }
        return new ConnectResult(RpcStatus.of(response.getStatusValue()), response.getIdentifiers(),
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
        CommandResponse response = caller.call("Command", context, attempt(context.sid(), s -> s.command(message)));
        if (response == null) {
            return CommandResult.error("RPC Command failed");
        }
        return new CommandResult(RpcStatus.of(response.getStatusValue()), response.getDisconnect(),
                response.getStopStreams(), response.getStreamsList(), response.getStoppedStreamsList(),
                response.getTransmissionsList(), response.getEnv().getCstateMap(), response.getEnv().getIstateMap(),
                response.getErrorMsg(), response.hasPresence() ? presence(response.getPresence()) : null);
    }

    /** A join or leave with an id; anything else (an unknown type, no id) is none. */
    private static PresenceAnswer presence(PresenceResponse presence) {
        return PresenceAnswer.of(presence.getType(), presence.getId(), presence.getInfo());
    }

    @Override
    public RpcStatus disconnect(DisconnectCall request, long deadlineNanos) {
        DisconnectRequest message = DisconnectRequest.newBuilder()
                .setIdentifiers(request.identifiers())
                .addAllSubscriptions(request.subscriptions())
                .setEnv(env(request.env(), request.cstate(), request.istates()))
                .build();
        return caller.disconnect(request.sid(), deadlineNanos, attempt(request.sid(), s -> {
            DisconnectResponse response = s.disconnect(message);
            return new DisconnectAnswer(RpcStatus.of(response.getStatusValue()), response.getErrorMsg());
        }));
    }

    /** One attempt of a call: the blocking stub with the attempt's deadline; gRPC failures classified. */
    private <T> RetryingCaller.Attempt<T> attempt(String sid, Function<RPCGrpc.RPCBlockingStub, T> invocation) {
        RPCGrpc.RPCBlockingStub callStub = stub.withOption(SID_OPTION, sid);
        return timeoutNanos -> {
            try {
                return invocation.apply(callStub.withDeadlineAfter(timeoutNanos, TimeUnit.NANOSECONDS));
            } catch (StatusRuntimeException e) {
                throw new RpcFailure(kind(e.getStatus().getCode()), e.getStatus().toString());
            }
        };
    }

    private static RpcFailure.Kind kind(Status.Code code) {
        return switch (code) {
            case RESOURCE_EXHAUSTED -> RpcFailure.Kind.EXHAUSTED;
            case UNAVAILABLE -> RpcFailure.Kind.UNAVAILABLE;
            case DEADLINE_EXCEEDED -> RpcFailure.Kind.TIMEOUT;
            default -> RpcFailure.Kind.FATAL;
        };
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
     * remove-on-cancel the cancelled ones stay queued until they would have expired, each holding its call, so
     * under load the queue would keep every call made within the last call budget.
     */
    private static ScheduledThreadPoolExecutor deadlineTimer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().daemon().name("jcable-grpc-timer").factory());
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    /**
     * Puts {@code protov: v1} and the session's {@code sid} (a call option) in every call's headers
     * (docs/rpc.md §3).
     */
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
