package io.jcable.jmx;

/** What the JMX operations act on, provided by the bootstrap. */
public interface Operations {

    /** Closes the sessions with exactly these connection identifiers; returns how many. */
    int disconnect(String identifiers, boolean reconnect);

    /** Publishes {@code data} on {@code stream}; IllegalArgumentException when it is not a valid publication. */
    void broadcast(String stream, String data);

    /** Notifies and closes every client and stops accepting new ones. */
    void drain();
}
