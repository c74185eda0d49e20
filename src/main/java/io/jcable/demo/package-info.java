/**
 * Demo mode's page ({@code JCABLE_DEMO}): {@link io.jcable.demo.DemoPageServlet} serves a fixed set of files from
 * {@code WEB-INF/demo} at the context root, a chat over public {@code $pubsub} streams and {@code POST /_broadcast}.
 */
package io.jcable.demo;
