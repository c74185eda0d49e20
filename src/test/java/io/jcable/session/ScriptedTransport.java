package io.jcable.session;

import io.jcable.protocol.DisconnectReason;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A {@link Transport} for unit tests: records the frames (and which went together), pings and give-ups it gets;
 * answers {@code checkWrite} from a script (true while its write is "in progress").
 */
final class ScriptedTransport implements Transport {
    final Deque<Boolean> answers = new ArrayDeque<>();
    final List<Long> checkedAt = new ArrayList<>();
    final List<String> frames = new ArrayList<>();
    /** The frames of each {@link #sendAll}, also in {@link #frames}. */
    final List<List<String>> batches = new ArrayList<>();
    final List<DisconnectReason> abandoned = new ArrayList<>();
    int pings;
    /** What {@link #batchesInOneWrite} answers. */
    boolean oneWriteBatches;

    ScriptedTransport(Boolean... answers) {
        this.answers.addAll(List.of(answers));
    }

    @Override
    public void send(String frame) {
        frames.add(frame);
    }

    @Override
    public void sendAll(List<String> batch) {
        batches.add(List.copyOf(batch));
        frames.addAll(batch);
    }

    @Override
    public boolean batchesInOneWrite() {
        return oneWriteBatches;
    }

    @Override
    public void close(int code, String reason) {
    }

    @Override
    public void ping() {
        pings++;
    }

    @Override
    public void abandon(DisconnectReason reason) {
        abandoned.add(reason);
    }

    @Override
    public CompletionStage<Void> whenClosed() {
        return new CompletableFuture<>();
    }

    @Override
    public boolean checkWrite(long nowNanos) {
        checkedAt.add(nowNanos);
        return answers.removeFirst();
    }
}
