package io.jcable.it;

import java.util.Map;

/**
 * Every {@link HistoryTest} case with {@code ANYCABLE_BROKER=redis} on one node without a pub/sub (the loop-back
 * path: stored where it enters, then delivered at that position): positions from the cluster's epoch and
 * counters in Redis, history read from there, the same refusals for bad positions.
 */
class RedisHistoryTest extends HistoryTest {

    @Override
    protected void configure(Map<String, String> options) {
        super.configure(options);
        options.put("broker", "redis");
        options.put("pubsub", "none");
    }
}
