package io.jcable.web;

import io.jcable.metrics.Metrics;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** {@code ANYCABLE_METRICS_HTTP}: Prometheus text format, jcable's metric names prefixed {@code anycable_go_}. */
public final class MetricsServlet extends HttpServlet {
    private final transient Metrics metrics;

    public MetricsServlet(Metrics metrics) {
        this.metrics = metrics;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType(metrics.textContentType());
        metrics.writeText(response.getOutputStream());
    }
}
