package io.jcable.demo;

import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The demo page: {@code index.html} at the context root, its assets under {@link #ASSET_PREFIX}. The files are
 * read once, from {@code WEB-INF/demo} (which the container never serves itself); anything not in the fixed list is
 * 404, and there is no directory listing. The page learns the WebSocket and broadcast paths from attributes of its
 * {@code body}, filled in here.
 */
public final class DemoPageServlet extends HttpServlet {
    /** Where the assets are served, under the context path; the servlet is mapped to it and to the root. */
    public static final String ASSET_PREFIX = "/demo";
    private static final String SOURCE_DIR = "/WEB-INF/demo/";
    private static final String INDEX = "index.html";
    private static final Map<String, String> ASSETS = Map.of("demo.css", "text/css;charset=utf-8",
            "cable-client.js", "text/javascript;charset=utf-8", "demo.js", "text/javascript;charset=utf-8",
            "favicon.svg", "image/svg+xml");
    /** Nothing is fetched from elsewhere; no inline script or style, so an unescaped message could not run. */
    private static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final transient Map<String, StaticFile> files;

    private record StaticFile(String contentType, byte[] body) {
    }

    private DemoPageServlet(Map<String, StaticFile> files) {
        this.files = files;
    }

    /**
     * Reads the page's files from {@code context}; the page gets {@code cablePath} and {@code broadcastPath}
     * (context path included, or null when HTTP broadcasts are off).
     *
     * @throws IllegalStateException when a file is missing from the WAR
     */
    public static DemoPageServlet load(ServletContext context, String cablePath, String broadcastPath) {
        Map<String, StaticFile> files = new LinkedHashMap<>();
        String index = new String(read(context, INDEX), StandardCharsets.UTF_8)
                .replace("{{cable_path}}", attribute(cablePath))
                .replace("{{broadcast_path}}", attribute(broadcastPath == null ? "" : broadcastPath));
        files.put("", new StaticFile("text/html;charset=utf-8", index.getBytes(StandardCharsets.UTF_8)));
        ASSETS.forEach((asset, type) -> files.put(ASSET_PREFIX + "/" + asset, new StaticFile(type, read(context, asset))));
        return new DemoPageServlet(Map.copyOf(files));
    }

    private static byte[] read(ServletContext context, String name) {
        try (InputStream in = context.getResourceAsStream(SOURCE_DIR + name)) {
            if (in == null) {
                throw new IllegalStateException("The demo page's " + SOURCE_DIR + name + " is missing from the web app");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read the demo page's " + SOURCE_DIR + name, e);
        }
    }

    /** {@code text} safe inside a double-quoted HTML attribute. */
    private static String attribute(String text) {
        return text.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;").replace(">", "&gt;");
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
        StaticFile file = files.get(path.equals("/") ? "" : path);
        if (file == null) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        response.setContentType(file.contentType());
        response.setContentLength(file.body().length);
        response.setHeader("Cache-Control", "no-cache");
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        response.getOutputStream().write(file.body());
    }
}
