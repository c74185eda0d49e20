package io.jcable.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

import com.google.gson.JsonObject;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;

/** Puts broadcasts into the server under test through one of its ingest paths. */
sealed interface Publisher extends AutoCloseable permits Publisher.Redis, Publisher.Http, Publisher.Action {
    /** The path name used in options and tables: redis, http or action. */
    String path();

    /** Broadcasts {@code data} (JSON text) on {@code stream}; returns once the server has been handed it. */
    void publish(String stream, String data);

    @Override
    void close();

    /** The publication format of docs/broadcasting.md §1. */
    static String publication(String stream, String data) {
        JsonObject publication = new JsonObject();
        publication.addProperty("stream", stream);
        publication.addProperty("data", data);
        return publication.toString();
    }

    /** {@code PUBLISH <channel> <publication>} on one connection, shared safely between threads. */
    final class Redis implements Publisher {
        private final Jedis jedis;
        private final String channel;
        private final ReentrantLock lock = new ReentrantLock();

        Redis(URI url, String channel) {
            this.jedis = new Jedis(url.getHost(), url.getPort() < 0 ? 6379 : url.getPort(),
                    DefaultJedisClientConfig.builder().connectionTimeoutMillis(2000).socketTimeoutMillis(10_000)
                            .autoNegotiateProtocol(false).build());
            this.channel = channel;
        }

        @Override
        public String path() {
            return "redis";
        }

        @Override
        public void publish(String stream, String data) {
            send(publication(stream, data));
        }

        /** Publishes a ready-made publication (the fake app's broadcasts). */
        void send(String publication) {
            lock.lock();
            try {
                jedis.publish(channel, publication);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close() {
            lock.lock();
            try {
                jedis.close();
            } finally {
                lock.unlock();
            }
        }
    }

    /** {@code POST} of the publication to the server's HTTP broadcast endpoint (answers 201). */
    final class Http implements Publisher {
        private static final Duration TIMEOUT = Duration.ofSeconds(10);

        private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(TIMEOUT).build();
        private final URI url;

        Http(URI url) {
            this.url = url;
        }

        @Override
        public String path() {
            return "http";
        }

        @Override
        public void publish(String stream, String data) {
            HttpRequest request = HttpRequest.newBuilder(url).timeout(TIMEOUT)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(publication(stream, data))).build();
            try {
                int status = client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status / 100 != 2) {
                    throw new IllegalStateException("POST " + url + " answered " + status);
                }
            } catch (IOException e) {
                throw new IllegalStateException("POST " + url + " failed: " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while publishing", e);
            }
        }

        @Override
        public void close() {
            client.close();
        }
    }

    /**
     * A connected client performs {@code broadcast} and the application publishes the data to {@code all}
     * (the BenchmarkChannel of websocket-bench): the path that works against any Action Cable server.
     */
    final class Action implements Publisher {
        private final LoadClient client;

        Action(LoadClient client) {
            this.client = client;
        }

        @Override
        public String path() {
            return "action";
        }

        @Override
        public void publish(String stream, String data) {
            if (!stream.equals("all")) {
                throw new IllegalArgumentException("the broadcast action only publishes to 'all', not " + stream);
            }
            client.perform(data);
        }

        @Override
        public void close() {
            // the client belongs to the load generator
        }
    }
}
