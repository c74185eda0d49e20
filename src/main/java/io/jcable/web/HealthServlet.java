package io.jcable.web;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.function.BooleanSupplier;

/**
 * {@code ANYCABLE_HEALTH_PATH}: always 200 "OK" (liveness, as anycable-go); {@code <path>/ready} answers 503
 * while broadcasts are not flowing or the server is shutting down.
 */
public final class HealthServlet extends HttpServlet {
    private final transient BooleanSupplier ready;

    public HealthServlet(BooleanSupplier ready) {
        this.ready = ready;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        boolean readiness = request.getPathInfo() != null && request.getPathInfo().equals("/ready");
        boolean ok = !readiness || ready.getAsBoolean();
        response.setStatus(ok ? HttpServletResponse.SC_OK : HttpServletResponse.SC_SERVICE_UNAVAILABLE);
        response.setContentType("text/plain;charset=utf-8");
        response.getWriter().write(ok ? "OK\n" : "NOT READY\n");
    }
}
