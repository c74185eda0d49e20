package io.jcable.web;

import io.jcable.session.Handshake;
import io.jcable.session.Node;
import io.jcable.session.Session;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSR-356 endpoint, one instance per socket: a thin adapter from container callbacks to the {@link Node}.
 * Registered programmatically at every {@code ANYCABLE_PATH} (annotation paths cannot be configured).
 */
public final class CableEndpoint extends Endpoint {
    private static final Logger LOG = LoggerFactory.getLogger(CableEndpoint.class);

    private final EndpointContext context;
    private Session session;

    CableEndpoint(EndpointContext context) {
        this.context = context;
    }

    @Override
    public void onOpen(jakarta.websocket.Session socket, EndpointConfig config) {
        socket.setMaxTextMessageBufferSize(context.server().maxMessageSize());
        socket.setMaxBinaryMessageBufferSize(context.server().maxMessageSize());
        socket.setMaxIdleTimeout(0);
        Node node = context.node();
        Handshake handshake = handshake(socket);
        WsTransport transport = new WsTransport(socket, context);
        Session opened = node.open(transport, handshake);
        session = opened;
        socket.addMessageHandler(String.class, (MessageHandler.Whole<String>) text -> node.receive(opened, text));
        socket.addMessageHandler(ByteBuffer.class, (MessageHandler.Whole<ByteBuffer>) data -> {
            LOG.warn("sid={} sent a binary frame: closing (1003)", opened.sid());
            transport.close(CloseReason.CloseCodes.CANNOT_ACCEPT.getCode(), "Binary frames are not supported");
        });
    }

    private Handshake handshake(jakarta.websocket.Session socket) {
        var pending = (CableEndpointConfigurator.PendingHandshake)
                socket.getUserProperties().get(CableEndpointConfigurator.HANDSHAKE_KEY);
        Object address = socket.getUserProperties().get(CableEndpointConfigurator.REMOTE_ADDRESS_KEY);
        String remote = address instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() : null;
        if (remote == null && pending != null) {
            remote = HandshakeReader.header(pending.headers(), context.remoteAddressHeader());
        }
        if (pending == null) {
            return context.handshakes().read(socket.getRequestURI(), socket.getQueryString(),
                    java.util.Map.of(), remote);
        }
        socket.getUserProperties().remove(CableEndpointConfigurator.HANDSHAKE_KEY);
        return context.handshakes().read(pending.uri(), pending.query(), pending.headers(), remote);
    }

    @Override
    public void onClose(jakarta.websocket.Session socket, CloseReason reason) {
        if (session != null) {
            context.node().closed(session);
        }
    }

    @Override
    public void onError(jakarta.websocket.Session socket, Throwable error) {
        LOG.debug("Socket error on {}: {}", session == null ? "?" : session.sid(), error.toString());
        if (session != null && !socket.isOpen()) {
            context.node().closed(session);
        }
    }

}
