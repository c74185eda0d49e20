package io.jcable.web;

import jakarta.websocket.Endpoint;
import jakarta.websocket.server.ServerEndpointConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Supplier;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A real embedded Jetty 12 serving one JSR-356 endpoint at {@code /ws} on a free port, for tests of jcable's
 * Jetty-specific parts, and a real client ({@link TextClient}) that collects whole text messages.
 */
final class EmbeddedJsr356 implements AutoCloseable {
    private final Server server;
    private final URI uri;

    private EmbeddedJsr356(Server server, URI uri) {
        this.server = server;
        this.uri = uri;
    }

    /** Starts Jetty with a new endpoint of {@code type} from {@code endpoints} for each socket. */
    static <T extends Endpoint> EmbeddedJsr356 start(Class<T> type, Supplier<T> endpoints) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        JakartaWebSocketServletContainerInitializer.configure(context, (servletContext, container) ->
                container.addEndpoint(ServerEndpointConfig.Builder.create(type, "/ws")
                        .configurator(new ServerEndpointConfig.Configurator() {
                            @Override
                            public <T> T getEndpointInstance(Class<T> endpointClass) {
                                return endpointClass.cast(endpoints.get());
                            }
                        }).build()));
        server.setHandler(context);
        server.start();
        return new EmbeddedJsr356(server, URI.create("ws://127.0.0.1:" + connector.getLocalPort() + "/ws"));
    }

    /** A new client connected to the endpoint. */
    TextClient connect() {
        TextClient client = new TextClient();
        client.socket = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(uri, client).join();
        return client;
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    /** A real client that collects whole text messages. */
    static final class TextClient implements WebSocket.Listener {
        final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();
        private WebSocket socket;

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                messages.add(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return CompletableFuture.completedStage(null);
        }

        /** The client's socket, to send and close. */
        WebSocket socket() {
            return socket;
        }
    }
}
