package io.jcable.web;

import io.jcable.protocol.Subprotocols;
import io.jcable.session.Handshake;
import jakarta.websocket.Extension;
import jakarta.websocket.HandshakeResponse;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.List;

/**
 * Per-upgrade decisions: origin check, sub-protocol in the server's order of preference (the JSR-356 default
 * picks by client order), the {@code X-AnyCable-Version} header, and capturing the request for Env. Endpoint
 * instances are built here with their dependencies.
 */
public final class CableEndpointConfigurator extends ServerEndpointConfig.Configurator {
    static final String HANDSHAKE_KEY = Handshake.class.getName();
    static final String REMOTE_ADDRESS_KEY = "jakarta.websocket.endpoint.remoteAddress";

    private final EndpointContext context;

    public CableEndpointConfigurator(EndpointContext context) {
        this.context = context;
    }

    @Override
    public boolean checkOrigin(String originHeaderValue) {
        return context.origins().allows(originHeaderValue);
    }

    @Override
    public String getNegotiatedSubprotocol(List<String> supported, List<String> requested) {
        return Subprotocols.negotiate(requested);
    }

    /** No extensions: permessage-deflate stays off (anycable-go's default; saves memory per socket). */
    @Override
    public List<Extension> getNegotiatedExtensions(List<Extension> installed, List<Extension> requested) {
        return List.of();
    }

    @Override
    public void modifyHandshake(ServerEndpointConfig config, HandshakeRequest request, HandshakeResponse response) {
        response.getHeaders().put("X-AnyCable-Version", List.of(context.version()));
        // Not the request URI: building it parses a java.net.URI per upgrade, and the socket has its own.
        config.getUserProperties().put(HANDSHAKE_KEY, new PendingHandshake(request.getQueryString(),
                request.getHeaders()));
    }

    @Override
    public <T> T getEndpointInstance(Class<T> endpointClass) {
        return endpointClass.cast(new CableEndpoint(context));
    }

    /** The upgrade request as captured; the remote address is only known once the socket is open. */
    record PendingHandshake(String query, java.util.Map<String, List<String>> headers) {
    }
}
