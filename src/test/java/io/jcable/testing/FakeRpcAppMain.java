package io.jcable.testing;

import java.net.URI;
import redis.clients.jedis.Jedis;

/**
 * Runs the fake application as its own process, for checking a deployed WAR by hand:
 * {@code FakeRpcAppMain <grpc-port> [redis-url]}. It also serves HTTP RPC on a free port (printed). Its
 * broadcasts go to {@code __anycable__} on that Redis.
 */
public final class FakeRpcAppMain {
    private FakeRpcAppMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        URI redis = URI.create(args.length > 1 ? args[1] : "redis://127.0.0.1:6379");
        FakeRpcApp app = FakeRpcApp.start(Integer.parseInt(args[0]), payload -> {
            try (Jedis jedis = new Jedis(redis)) {
                jedis.publish("__anycable__", payload);
            }
        });
        if (Boolean.getBoolean("fake.verbose")) {
            app.onCall(call -> System.out.println(call));
        }
        System.out.println("FAKE RPC " + app.target());
        System.out.println("FAKE HTTP RPC " + app.httpTarget());
        System.out.flush();
        Thread.currentThread().join();
    }
}
