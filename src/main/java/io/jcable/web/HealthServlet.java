package io.jcable.web;

import com.google.gson.JsonObject;
import io.jcable.health.Readiness;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code ANYCABLE_HEALTH_PATH}: liveness, always 200 "OK" (as anycable-go). {@code <path>/ready}: readiness, 200
 * when every check passes, else 503 naming the failing ones; plain text, or JSON for {@code Accept:
 * application/json} ({@code {"ready":false,"checks":{"server":"ok","rpc":"unreachable"}}}). Other paths under it
 * are 404.
 */
public final class HealthServlet extends HttpServlet {
    private static final String READY_PATH = "/ready";

    private final transient Readiness readiness;

    public HealthServlet(Readiness readiness) {
        this.readiness = readiness;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getPathInfo();
        if (path == null || path.equals("/")) {
            respond(response, HttpServletResponse.SC_OK, "text/plain;charset=utf-8", "OK\n");
        } else if (path.equals(READY_PATH)) {
            ready(request, response);
        } else {
            NotFoundServlet.notFound(response);
        }
    }

    private void ready(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Map<String, String> checks = readiness.evaluate();
        boolean ready = checks.values().stream().allMatch("ok"::equals);
        int status = ready ? HttpServletResponse.SC_OK : HttpServletResponse.SC_SERVICE_UNAVAILABLE;
        String accept = request.getHeader("Accept");
        if (accept != null && accept.contains("application/json")) {
            JsonObject body = new JsonObject();
            body.addProperty("ready", ready);
            JsonObject states = new JsonObject();
            checks.forEach(states::addProperty);
            body.add("checks", states);
            respond(response, status, "application/json", body + "\n");
        } else {
            respond(response, status, "text/plain;charset=utf-8", ready ? "OK\n" : "NOT READY: "
                    + checks.entrySet().stream().filter(check -> !check.getValue().equals("ok"))
                    .map(check -> check.getKey() + " " + check.getValue()).collect(Collectors.joining(", ")) + "\n");
        }
    }

    private static void respond(HttpServletResponse response, int status, String type, String body)
            throws IOException {
        response.setStatus(status);
        response.setContentType(type);
        response.getWriter().write(body);
    }
}
