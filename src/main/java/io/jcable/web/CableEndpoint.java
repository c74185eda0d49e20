package io.jcable.web;

import io.jcable.session.Handshake;
import io.jcable.session.Node;
import io.jcable.session.ClientSession;
import jakarta.websocket.CloseReason;
import jakarta.websocket.Endpoint;
import jakarta.websocket.EndpointConfig;
import jakarta.websocket.MessageHandler;
import jakarta.websocket.PongMessage;
import jakarta.websocket.Session;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSR-356 endpoint, one instance per socket: a thin adapter from container callbacks to the {@link Node}.
 * The bootstrap registers the class at every {@code ANYCABLE_PATH} with a {@link CableEndpointConfigurator} that
 * builds instances with their dependencies, and {@link CableApplicationConfig} keeps a scanning container from
 * deploying it by itself. A programmatic endpoint rather than an annotated one: Jetty discovers an annotated
 * class's methods again for every socket (reflection and method handles, about 9% of a connect storm's CPU).
 */
public final class CableEndpoint extends Endpoint {
    private static final Logger LOG = LoggerFactory.getLogger(CableEndpoint.class);

    /** Jetty's per-session frame size limit (default 64 KiB), set through the standard user properties. */
    static final String JETTY_MAX_FRAME_SIZE = "org.eclipse.jetty.websocket.maxFrameSize";
    /**
     * Jetty's per-session input buffer size (default 4 KiB), which is also the capacity of the builder it allocates
     * for every text message: commands are far smaller, so 1 KiB saves 3 KiB of garbage per client message.
     */
    static final String JETTY_INPUT_BUFFER_SIZE = "org.eclipse.jetty.websocket.inputBufferSize";
    private static final Integer INPUT_BUFFER_SIZE = 1024;

    private final EndpointContext context;
    private final MessageAssembler text;
    private ClientSession session;
    private WsTransport transport;

    CableEndpoint(EndpointContext context) {
        this.context = context;
        this.text = new MessageAssembler(context.server().maxMessageSize());
    }

    @Override
    public void onOpen(Session socket, EndpointConfig config) {
        // Messages arrive in parts, so the limit is ours (MessageAssembler); a single frame may be as big.
        socket.getUserProperties().put(JETTY_MAX_FRAME_SIZE, (long) context.server().maxMessageSize());
        socket.getUserProperties().put(JETTY_INPUT_BUFFER_SIZE, INPUT_BUFFER_SIZE);
        socket.setMaxIdleTimeout(0);
        socket.addMessageHandler(String.class, (MessageHandler.Partial<String>) this::onText);
        socket.addMessageHandler(ByteBuffer.class, (MessageHandler.Partial<ByteBuffer>) this::onBinary);
        socket.addMessageHandler(PongMessage.class, (MessageHandler.Whole<PongMessage>) this::onPong);
        transport = new WsTransport(socket, context);
        session = context.node().open(transport, handshake(socket));
        context.sessionTrim().trim(socket);
    }

    private void onText(String part, boolean last) {
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

    private void onBinary(ByteBuffer part, boolean last) {
        LOG.warn("sid={} sent a binary frame: closing (1003)", session.sid());
        context.node().close(session, CloseReason.CloseCodes.CANNOT_ACCEPT.getCode(), "Binary frames are not supported");
    }

    private void onPong(PongMessage pong) {
        context.node().pong(session);
    }

    @Override
    public void onClose(Session socket, CloseReason reason) {
        // 1006 is what the container reports when no close frame came: the connection was lost. Any other code
        // on a close the server did not start means the client closed on purpose and will not restore the session.
        if (session != null && transport != null && reason.getCloseCode().getCode() != 1006
                && !transport.isClosingByServer()) {
            context.node().clientLeft(session);
        }
        socketGone();
    }

    @Override
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
            return context.handshakes().read(socket.getRequestURI(), socket.getQueryString(), Map.of(), remote,
                    socket.getNegotiatedSubprotocol());
        }
        if (remote == null) {
            remote = HandshakeReader.header(pending.headers(), context.remoteAddressHeader());
        }
        return context.handshakes().read(socket.getRequestURI(), pending.query(), pending.headers(), remote,
                socket.getNegotiatedSubprotocol());
    }
}
