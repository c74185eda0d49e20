package io.jcable.testing;

import com.google.gson.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/**
 * A raw-socket WebSocket client that completes the upgrade, sends frames, and reads only when asked: the slow
 * consumer that must be cut off rather than buffered forever (a tiny receive buffer keeps the kernel from
 * absorbing much), or a peer that sees the server's close frame without answering it.
 */
public final class NonReadingClient implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;

    private NonReadingClient(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
    }

    public static NonReadingClient connect(URI uri) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(new java.net.InetSocketAddress(uri.getHost(), uri.getPort()), 5000);
        socket.setSoTimeout(5000);
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        String target = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        String request = "GET " + target + " HTTP/1.1\r\n"
                + "Host: " + uri.getHost() + ":" + uri.getPort() + "\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n"
                + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: actioncable-v1-json\r\n\r\n";
        socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed during the upgrade: " + head);
            }
            head.append((char) b);
        }
        if (!head.toString().startsWith("HTTP/1.1 101")) {
            socket.close();
            throw new IOException("upgrade refused: " + head);
        }
        return new NonReadingClient(socket);
    }

    /** A frame from the server: its opcode (1 text, 2 binary, 8 close, 0 continuation, …) and payload. */
    public record Frame(int opcode, byte[] payload) {
        public static final int TEXT = 1;
        public static final int CLOSE = 8;
        public static final int PING = 9;

        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** The status code of a close frame (1005 when it carries none). */
        public int closeCode() {
            return payload.length >= 2 ? (payload[0] & 0xff) << 8 | payload[1] & 0xff : 1005;
        }
    }

    /** Sends one masked text frame (client frames must be masked). */
    public void sendText(String text) throws IOException {
        sendFrame(0x81, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends one text message as several frames, one per part. */
    public void sendFragmentedText(String... parts) throws IOException {
        for (int i = 0; i < parts.length; i++) {
            int opcode = i == 0 ? Frame.TEXT : 0;
            sendFrame((i == parts.length - 1 ? 0x80 : 0) | opcode, parts[i].getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Sends one masked binary frame. */
    public void sendBinary(byte[] data) throws IOException {
        sendFrame(0x82, data);
    }

    /** Answers the server's close: the close handshake is done when the server reads it. */
    public void sendClose(int code) throws IOException {
        sendFrame(0x80 | Frame.CLOSE, new byte[] {(byte) (code >> 8), (byte) code});
    }

    /** Answers a WebSocket ping with a pong carrying the same payload. */
    public void sendPong(byte[] payload) throws IOException {
        sendFrame(0x80 | 0xA, payload);
    }

    /** Reads the next frame (waiting up to the socket's 5 s read timeout). */
    public Frame readFrame() throws IOException {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        int first = in.readUnsignedByte();
        int second = in.readUnsignedByte();
        long length = second & 0x7f;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        byte[] payload = new byte[Math.toIntExact(length)];
        in.readFully(payload);
        return new Frame(first & 0x0f, payload);
    }

    /** Reads frames until a text frame matches and returns its text; fails at the end of the stream. */
    public String awaitText(Predicate<String> match) throws IOException {
        while (true) {
            Frame frame = readFrame();
            if (frame.opcode() == Frame.TEXT && match.test(frame.text())) {
                return frame.text();
            }
        }
    }

    /** Subscribes to {@code identifier} and reads frames until its confirmation. */
    public void subscribe(String identifier) throws IOException {
        JsonObject command = new JsonObject();
        command.addProperty("command", "subscribe");
        command.addProperty("identifier", identifier);
        sendText(command.toString());
        awaitText(text -> text.contains("confirm_subscription"));
    }

    /** Reads frames until the server's close frame and returns its code, without answering it. */
    public int awaitCloseFrame() throws IOException {
        while (true) {
            Frame frame = readFrame();
            if (frame.opcode() == Frame.CLOSE) {
                return frame.closeCode();
            }
        }
    }

    private void sendFrame(int firstByte, byte[] payload) throws IOException {
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
        frame.write(firstByte);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length < 65536) {
            frame.write(0x80 | 126);
            frame.write(payload.length >> 8);
            frame.write(payload.length & 0xff);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >> shift) & 0xff);
            }
        }
        frame.write(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        out.write(frame.toByteArray());
        out.flush();
    }

    /**
     * Starts reading at last and drains until the server closes the TCP connection (true) or the timeout
     * passes (false).
     */
    public boolean awaitEndOfStream(java.time.Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] buffer = new byte[65536];
        InputStream in = socket.getInputStream();
        while (System.nanoTime() < deadline) {
            try {
                if (in.read(buffer) < 0) {
                    return true;
                }
            } catch (java.net.SocketTimeoutException e) {
                // keep draining until the deadline
            } catch (java.net.SocketException e) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing left to release
        }
    }
}
