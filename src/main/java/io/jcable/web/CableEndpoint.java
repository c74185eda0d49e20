package io.jcable.web;

import io.jcable.protocol.Subprotocols;
import io.jcable.session.Handshake;
import io.jcable.session.Node;
import io.jcable.session.ClientSession;
import jakarta.websocket.CloseReason;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnError;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSR-356 annotated endpoint, one instance per socket: a thin adapter from container callbacks to the
 * {@link Node}. The annotation names the default path; the bootstrap registers the class at every
 * {@code ANYCABLE_PATH} with a {@link CableEndpointConfigurator} that builds instances with their dependencies,
 * and {@link CableApplicationConfig} keeps the container from also deploying it by the annotation alone.
 */
@ServerEndpoint(value = "/cable", subprotocols = {Subprotocols.V1_JSON, Subprotocols.V1_EXT_JSON})
public final class CableEndpoint {
    private static final Logger LOG = LoggerFactory.getLogger(CableEndpoint.class);

    /** Jetty's per-session frame size limit (default 64 KiB), set through the standard user properties. */
    static final String JETTY_MAX_FRAME_SIZE = "org.eclipse.jetty.websocket.maxFrameSize";

    private final EndpointContext context;
    private final MessageAssembler text;
    private ClientSession session;
    private WsTransport transport;

    CableEndpoint(EndpointContext context) {
        this.context = context;
        this.text = new MessageAssembler(context.server().maxMessageSize());
    }

    @OnOpen
    public void onOpen(Session socket, EndpointConfig config) {
        // Messages arrive in parts, so the limit is ours (MessageAssembler); a single frame may be as big.
        socket.getUserProperties().put(JETTY_MAX_FRAME_SIZE, (long) context.server().maxMessageSize());
        socket.setMaxIdleTimeout(0);
        transport = new WsTransport(socket, context);
        session = context.node().open(transport, handshake(socket));
    }

    @OnMessage
    public void onText(String part, boolean last) {
        try {
            String message = text.add(part, last);
            if (message != null) {
                context.node().receive(session, message);
            }
        } catch (MessageAssembler.TooBig e) {
            LOG.warn("sid={} sent a {}: closing (1009)", session.sid(), e.getMessage());
            context.node().close(session, CloseReason.CloseCodes.TOO_BIG.getCode(), "Message too big");
        }
    }

    @OnMessage
    public void onBinary(ByteBuffer part, boolean last) {
        LOG.warn("sid={} sent a binary frame: closing (1003)", session.sid());
        context.node().close(session, CloseReason.CloseCodes.CANNOT_ACCEPT.getCode(), "Binary frames are not supported");
    }

    @OnMessage
    public void onPong(PongMessage pong) {
        context.node().pong(session);
    }

    @OnClose
    public void onClose(CloseReason reason) {
        socketGone();
    }

    @OnError
    public void onError(Session socket, Throwable error) {
        LOG.debug("Socket error on {}: {}", session == null ? "?" : session.sid(), error.toString());
        if (!socket.isOpen()) {
            socketGone();
        }
    }

    private void socketGone() {
        if (transport != null) {
            transport.socketClosed();
        }
        if (session != null) {
            context.node().socketClosed(session);
        }
    }

    private Handshake handshake(Session socket) {
        var pending = (CableEndpointConfigurator.PendingHandshake)
                socket.getUserProperties().remove(CableEndpointConfigurator.HANDSHAKE_KEY);
        Object address = socket.getUserProperties().get(CableEndpointConfigurator.REMOTE_ADDRESS_KEY);
        String remote = address instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() : null;
        if (pending == null) {
            return context.handshakes().read(socket.getRequestURI(), socket.getQueryString(), Map.of(), remote);
        }
        if (remote == null) {
            remote = HandshakeReader.header(pending.headers(), context.remoteAddressHeader());
        }
        return context.handshakes().read(pending.uri(), pending.query(), pending.headers(), remote);
    }
}
