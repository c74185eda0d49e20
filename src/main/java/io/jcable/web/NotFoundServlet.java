package io.jcable.web;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The web app's default servlet (mapping {@code /}): every path nothing else serves is 404, for every method.
 * It replaces the container's own default servlet, which would list directories (with a link to
 * {@code WEB-INF/}) and serve the web app's files.
 */
public final class NotFoundServlet extends HttpServlet {
    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        notFound(response);
    }

    static void notFound(HttpServletResponse response) throws IOException {
        response.setStatus(HttpServletResponse.SC_NOT_FOUND);
        response.setContentType("text/plain;charset=utf-8");
        response.getWriter().write("Not Found\n");
    }
}
