package io.jcable.rpc;

import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.Status;
import io.jcable.config.RpcAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code grpc-list://h1:p1,h2:p2} target: every listed address for the channel's round robin. Host names are
 * looked up on each resolution (at start, and again when gRPC asks after a connection failed), off the
 * channel's synchronization context.
 */
final class GrpcListResolver extends NameResolver {
    private static final Logger LOG = LoggerFactory.getLogger(GrpcListResolver.class);
    static final String SCHEME = "grpc-list";

    private final List<RpcAddress> addresses;
    private final Args args;
    private Listener2 listener;

    private GrpcListResolver(List<RpcAddress> addresses, Args args) {
        this.addresses = addresses;
        this.args = args;
    }

    @Override
    public String getServiceAuthority() {
        return addresses.getFirst().toString();
    }

    @Override
    public void start(Listener2 listener) {
        this.listener = listener;
        resolve();
    }

    @Override
    public void refresh() {
        resolve();
    }

    @Override
    public void shutdown() {
        // Nothing held: each resolution is one short task.
    }

    private void resolve() {
        Listener2 target = listener;
        Executor lookups = args.getOffloadExecutor() != null ? args.getOffloadExecutor() : Runnable::run;
        lookups.execute(() -> {
            List<EquivalentAddressGroup> groups = new ArrayList<>(addresses.size());
            for (RpcAddress address : addresses) {
                InetSocketAddress socket = new InetSocketAddress(address.host(), address.port());
                if (socket.isUnresolved()) {
                    LOG.warn("RPC host {} of the grpc-list:// target does not resolve", address);
                } else {
                    groups.add(new EquivalentAddressGroup(socket));
                }
            }
            args.getSynchronizationContext().execute(() -> {
                if (groups.isEmpty()) {
                    target.onError(Status.UNAVAILABLE.withDescription("no host of the grpc-list:// target resolves"));
                } else {
                    target.onResult2(ResolutionResult.newBuilder().setAddresses(groups).build());
                }
            });
        });
    }

    /** Makes the resolver for the channel: only {@code grpc-list://} targets, always with the configured list. */
    static final class Factory extends NameResolver.Factory {
        private final List<RpcAddress> addresses;

        Factory(List<RpcAddress> addresses) {
            this.addresses = List.copyOf(addresses);
        }

        @Override
        public NameResolver newNameResolver(URI target, Args args) {
            return SCHEME.equals(target.getScheme()) ? new GrpcListResolver(addresses, args) : null;
        }

        @Override
        public String getDefaultScheme() {
            return SCHEME;
        }
    }
}
