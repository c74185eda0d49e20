/**
 * Container bootstrap: the {@code ServletContextListener} that builds every component from the configuration,
 * starts them in order and stops them in reverse, and the SIGTERM hook that notifies clients before the
 * container closes its connectors.
 */
package io.jcable.boot;
