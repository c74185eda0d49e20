package io.jcable.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link TcpProxy} against two small line servers that answer each line with their name and the line. */
class TcpProxyTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    /** Accepts connections and answers each line {@code x} with {@code <name>:x}; records how each one ended. */
    private static final class LineServer implements AutoCloseable {
        final ServerSocket socket;
        final BlockingQueue<String> endings = new LinkedBlockingQueue<>();

        LineServer(String name) throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket peer = socket.accept();
                        Thread.ofVirtual().start(() -> answer(name, peer));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        private void answer(String name, Socket peer) {
            try (peer; BufferedReader in = reader(peer); PrintWriter out = writer(peer)) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    out.println(name + ":" + line);
                }
                endings.add("end of stream");
            } catch (IOException e) {
                endings.add(e instanceof SocketException ? "reset" : e.toString());
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static BufferedReader reader(Socket socket) throws IOException {
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    }

    private static PrintWriter writer(Socket socket) throws IOException {
        return new PrintWriter(socket.getOutputStream(), true, StandardCharsets.UTF_8);
    }

    private static String ask(Socket socket, String line) throws IOException {
        writer(socket).println(line);
        return reader(socket).readLine();
    }

    @Test
    void forwardsCutsWithResetsHoldsWhilePausedAndRetargets() throws Exception {
        try (LineServer a = new LineServer("a"); LineServer b = new LineServer("b");
             TcpProxy proxy = TcpProxy.start("127.0.0.1", a.socket.getLocalPort())) {
            Socket first = new Socket("127.0.0.1", proxy.port());
            assertEquals("a:hello", ask(first, "hello"));

            proxy.pause();
            assertEquals(1, proxy.cutAll());
            assertThrows(SocketException.class, () -> first.getInputStream().read(), "the client gets a reset");
            assertEquals("reset", a.endings.poll(WAIT.toSeconds(), TimeUnit.SECONDS), "the server gets a reset");

            proxy.retarget("127.0.0.1", b.socket.getLocalPort());
            try (Socket second = new Socket("127.0.0.1", proxy.port())) {
                assertTrue(proxy.awaitHeld(1, WAIT), "held while paused");
                assertEquals(1, proxy.forwarded(), "not forwarded while paused");
                proxy.resume();
                assertEquals("b:again", ask(second, "again"), "after resume, to the new target");
                assertTrue(proxy.awaitForwarded(2, WAIT));
            }
            assertEquals("end of stream", b.endings.poll(WAIT.toSeconds(), TimeUnit.SECONDS),
                    "a clean close passes on as a FIN");
        }
    }
}
