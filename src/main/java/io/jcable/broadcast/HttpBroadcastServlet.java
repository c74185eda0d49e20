package io.jcable.broadcast;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The {@code http} broadcast adapter: {@code POST /_broadcast} with a payload body. 201 when accepted (a batch
 * with at least one valid element), 400 with the reason for an invalid payload (or a batch without a valid
 * element), 401 for a missing or wrong key (and for every request when no key is configured and the endpoint
 * was not explicitly opened), 405 for other methods, 413 for a body over the size limit (docs/broadcasting.md §4).
 */
public final class HttpBroadcastServlet extends HttpServlet {
    private final transient BroadcastHandler handler;
    static final String NOT_CONFIGURED = "HTTP broadcasting needs a key: set ANYCABLE_BROADCAST_KEY (or ANYCABLE_SECRET, "
            + "which derives one) and send it as 'Authorization: Bearer <key>'; ANYCABLE_BROADCAST_KEY=none accepts "
            + "unauthenticated broadcasts\n";
    private final byte[] expectedAuthorization;
    private final boolean open;
    private final int maxBodyBytes;

    /**
     * @param key  the broadcast key, or null
     * @param open whether requests are accepted without a key (when {@code key} is null); otherwise a null key
     *             refuses everything
     */
    public HttpBroadcastServlet(BroadcastHandler handler, String key, boolean open, int maxBodyBytes) {
        this.handler = handler;
        this.expectedAuthorization = key == null ? null : ("Bearer " + key).getBytes(StandardCharsets.UTF_8);
        this.open = open;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!"POST".equals(request.getMethod())) {
            response.setHeader("Allow", "POST");
            response.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED, "Use POST");
            return;
        }
        if (expectedAuthorization == null && !open) {
            response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
            response.setContentType("text/plain;charset=utf-8");
            response.getWriter().write(NOT_CONFIGURED);
            return;
        }
        if (expectedAuthorization != null) {
            String authorization = request.getHeader("Authorization");
            if (authorization == null || !MessageDigest.isEqual(expectedAuthorization,
                    authorization.getBytes(StandardCharsets.UTF_8))) {
                response.sendError(HttpServletResponse.SC_UNAUTHORIZED, "Missing or invalid broadcast key");
                return;
            }
        }
        byte[] body;
        try (InputStream in = request.getInputStream()) {
            body = in.readNBytes(maxBodyBytes + 1);
        }
        if (body.length > maxBodyBytes) {
            response.sendError(HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE,
                    "Body larger than " + maxBodyBytes + " bytes");
            return;
        }
        String rejection = rejection(handler.handle(new String(body, StandardCharsets.UTF_8)));
        if (rejection != null) {
            response.setStatus(HttpServletResponse.SC_BAD_REQUEST);
            response.setContentType("text/plain;charset=utf-8");
            response.getWriter().write("Invalid broadcast payload: " + rejection + "\n");
            return;
        }
        response.setStatus(HttpServletResponse.SC_CREATED);
    }

    /** Why nothing of the payload was accepted, or null: a batch is accepted if any of its elements is valid. */
    private static String rejection(BroadcastMessage message) {
        return switch (message) {
            case BroadcastMessage.Invalid invalid -> invalid.reason();
            case BroadcastMessage.Batch batch when batch.publications().isEmpty() ->
                    "no valid batch element (" + String.join("; ", batch.skipped()) + ")";
            default -> null;
        };
    }
}
