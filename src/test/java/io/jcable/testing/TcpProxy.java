package io.jcable.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * A TCP proxy between a test's client and a server, to play network trouble: {@link #cutAll()} resets every live
 * connection (RST both ways, as a network blip: neither side gets a close frame), {@link #pause()} holds new
 * connections (accepted, but not forwarded until {@link #resume()}, so a reconnecting client is known to be away
 * and comes back at a moment the test chooses), {@link #retarget} sends later connections elsewhere (another
 * node), {@link #muteReplies()} drops what the target sends back on the live connections (a request that arrived
 * and was carried out, whose reply is lost on the way). Listens on a free local port; one virtual thread per accepted connection and per direction.
 */
public final class TcpProxy implements AutoCloseable {
    private static final int BUFFER = 8192;
    private static final int CONNECT_TIMEOUT_MS = 5000;

    /** A forwarded connection: the client's socket and the one to the target. */
    private record Link(Socket client, Socket upstream) {
    }

    private final ServerSocket listener;
    private final Thread acceptor;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Set<Link> links = new HashSet<>();
    private final Set<Socket> accepted = new HashSet<>();
    /** Live connections whose replies are dropped. */
    private final Set<Link> muted = ConcurrentHashMap.newKeySet();
    private InetSocketAddress target;
    private boolean paused;
    private boolean closed;
    /** Connections accepted while paused and not forwarded yet. */
    private int held;
    private int forwarded;

    private TcpProxy(ServerSocket listener, InetSocketAddress target) {
        this.listener = listener;
        this.target = target;
        this.acceptor = Thread.ofVirtual().name("tcp-proxy-accept").start(this::acceptLoop);
    }

    /** A proxy on a free port of 127.0.0.1 forwarding to {@code host:port}. */
    public static TcpProxy start(String host, int port) {
        try {
            ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            return new TcpProxy(listener, new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The port clients connect to. */
    public int port() {
        return listener.getLocalPort();
    }

    /** Connections made from now on (and those held) go to {@code host:port}; live ones stay where they are. */
    public void retarget(String host, int port) {
        lock.lock();
        try {
            target = new InetSocketAddress(host, port);
        } finally {
            lock.unlock();
        }
    }

    /** New connections are accepted but held, not forwarded, until {@link #resume()}. */
    public void pause() {
        lock.lock();
        try {
            paused = true;
        } finally {
            lock.unlock();
        }
    }

    /** Held connections and new ones are forwarded again. */
    public void resume() {
        lock.lock();
        try {
            paused = false;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * From now on, what the target sends on the connections live now is read and dropped: their requests still
     * arrive, their replies never do. Connections made later are not muted.
     */
    public void muteReplies() {
        lock.lock();
        try {
            muted.addAll(links);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Resets every live forwarded connection: both sockets are closed with SO_LINGER 0, so the client and the
     * server each get a TCP RST (no FIN, no WebSocket close frame). Returns how many there were.
     */
    public int cutAll() {
        List<Link> cut;
        lock.lock();
        try {
            cut = new ArrayList<>(links);
            links.clear();
        } finally {
            lock.unlock();
        }
        for (Link link : cut) {
            reset(link.client());
            reset(link.upstream());
        }
        return cut.size();
    }

    /** Waits until {@code count} connections are held by {@link #pause()}; false on timeout. */
    public boolean awaitHeld(int count, Duration timeout) throws InterruptedException {
        return awaitCount(() -> held >= count, timeout);
    }

    /** Waits until {@code count} connections in total have been forwarded to a target; false on timeout. */
    public boolean awaitForwarded(int count, Duration timeout) throws InterruptedException {
        return awaitCount(() -> forwarded >= count, timeout);
    }

    /** Connections forwarded so far. */
    public int forwarded() {
        lock.lock();
        try {
            return forwarded;
        } finally {
            lock.unlock();
        }
    }

    private boolean awaitCount(BooleanSupplier reached, Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lock();
        try {
            while (!reached.getAsBoolean()) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = changed.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Stops listening and resets every connection, held ones included. */
    @Override
    public void close() throws InterruptedException {
        List<Socket> open;
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
            open = new ArrayList<>(accepted);
        } finally {
            lock.unlock();
        }
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        cutAll();
        open.forEach(TcpProxy::reset);
        acceptor.join(TimeUnit.SECONDS.toMillis(5));
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                lock.lock();
                try {
                    accepted.add(client);
                } finally {
                    lock.unlock();
                }
                Thread.ofVirtual().name("tcp-proxy-link").start(() -> forward(client));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void forward(Socket client) {
        InetSocketAddress to;
        lock.lock();
        try {
            held++;
            changed.signalAll();
            while (paused && !closed) {
                changed.awaitUninterruptibly();
            }
            held--;
            to = target;
        } finally {
            lock.unlock();
        }
        Socket upstream = new Socket();
        try {
            upstream.setTcpNoDelay(true);
            client.setTcpNoDelay(true);
            upstream.connect(to, CONNECT_TIMEOUT_MS);
        } catch (IOException e) {
            reset(client);
            reset(upstream);
            forgetAccepted(client);
            return;
        }
        Link link = new Link(client, upstream);
        lock.lock();
        try {
            if (closed) {
                reset(client);
                reset(upstream);
                return;
            }
            links.add(link);
            forwarded++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        Thread back = Thread.ofVirtual().name("tcp-proxy-down")
                .start(() -> pump(upstream, client, () -> muted.contains(link)));
        pump(client, upstream, () -> false);
        try {
            back.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        lock.lock();
        try {
            links.remove(link);
            muted.remove(link);
        } finally {
            lock.unlock();
        }
        closeQuietly(client);
        closeQuietly(upstream);
        forgetAccepted(client);
    }

    /**
     * Copies one direction (what it reads while {@code drop} holds is dropped); at its end of stream passes the FIN
     * on, on an error resets both sides.
     */
    private static void pump(Socket from, Socket to, BooleanSupplier drop) {
        byte[] buffer = new byte[BUFFER];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                if (!drop.getAsBoolean()) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            }
            to.shutdownOutput();
        } catch (IOException e) {
            reset(from);
            reset(to);
        }
    }

    private void forgetAccepted(Socket client) {
        lock.lock();
        try {
            accepted.remove(client);
        } finally {
            lock.unlock();
        }
    }

    /** Closes with SO_LINGER 0: the peer gets a RST instead of a FIN. */
    private static void reset(Socket socket) {
        try {
            if (!socket.isClosed()) {
                socket.setSoLinger(true, 0);
            }
        } catch (IOException ignored) {
            // closed meanwhile: the close below is all that is left
        }
        closeQuietly(socket);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing to do about a failed close
        }
    }
}
