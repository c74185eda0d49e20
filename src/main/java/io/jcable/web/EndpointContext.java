package io.jcable.web;

import io.jcable.config.AuthConfig;
import io.jcable.config.RpcConfig;
import io.jcable.config.ServerConfig;
import io.jcable.metrics.Counter;
import io.jcable.metrics.Metrics;
import io.jcable.session.Node;
import io.jcable.session.WriteWatch;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Locale;

/** What every endpoint instance needs, built once per web app. */
public record EndpointContext(Node node, WriteWatch writes, HandshakeReader handshakes, OriginPolicy origins,
                              ServerConfig server, String version, String remoteAddressHeader, Counter framesSent,
                              Counter bytesSent, Counter failedFrames, Counter slowClients,
                              JettyTextFrames textFrames, JettySessionTrim sessionTrim) {

    public static EndpointContext create(Node node, WriteWatch writes, ServerConfig server, RpcConfig rpc,
                                         AuthConfig auth, String version, Metrics metrics) {
        byte[] random = new byte[12];
        new SecureRandom().nextBytes(random);
        String remoteAddressHeader = "x-jcable-peer-" + HexFormat.of().formatHex(random);
        return new EndpointContext(node, writes, new HandshakeReader(server, rpc, auth), new OriginPolicy(server.allowedOrigins()),
                server, version, remoteAddressHeader, metrics.counter("server_msg_total"),
                metrics.counter("data_sent_total"), metrics.counter("failed_server_msg_total"),
                metrics.counter("disconnected_slow_clients_total"), new JettyTextFrames(),
                new JettySessionTrim());
    }

    /**
     * Installs the filter that passes the peer address to handshakes on containers that do not expose it. Not on
     * Jetty, which puts it in a session user property: there a wrapped upgrade request also makes Jetty's upgrade
     * filter copy the whole request into a core request of its own, for every socket.
     */
    public void installRemoteAddressFilter(ServletContext context) {
        if (context.getServerInfo().toLowerCase(Locale.ROOT).startsWith("jetty/")) {
            return;
        }
        FilterRegistration.Dynamic filter = context.addFilter("jcable-remote-address",
                new RemoteAddressFilter(remoteAddressHeader));
        filter.setAsyncSupported(true);
        filter.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false,
                server.paths().toArray(String[]::new));
    }
}
