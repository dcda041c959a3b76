package io.twsbridge.bridge.gateway;

import io.twsbridge.protocol.message.ServerMessage;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Requests sent to the Gateway under request ids and not yet answered, each a future of its answer, kept the one
 * way every request with an id ends: its answer completes it; IB's refusal under its id fails it with a
 * {@link GatewayRequestException}; a lost link fails it; and so does the timeout, with a
 * {@link java.util.concurrent.TimeoutException}. However it ends, it is forgotten.
 *
 * <p>Requests open on any thread; answers, refusals and the link's loss come on the session's event loop.
 *
 * @param <T> the answer
 * @param <S> what a request gathers while its answer comes in parts (the matches of a contract lookup); use
 *            {@link Void} and null when there is nothing
 */
public final class OpenRequests<T, S> {

    /** One request: what it has gathered so far, and its answer. */
    public record Open<T, S>(S gathered, CompletableFuture<T> answer) {
    }

    private final Duration timeout;
    private final Map<Integer, Open<T, S>> byReqId = new ConcurrentHashMap<>();

    /** @param timeout how long a request may go unanswered before it fails */
    public OpenRequests(Duration timeout) {
        this.timeout = timeout;
    }

    /**
     * Opens {@code reqId}, then sends it: {@code sent} is whether the link took the request. Returns its answer,
     * failed at once when the link did not take it.
     */
    public CompletableFuture<T> open(int reqId, S gathered, java.util.function.BooleanSupplier sent) {
        CompletableFuture<T> answer = new CompletableFuture<T>().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        Open<T, S> open = new Open<>(gathered, answer);
        byReqId.put(reqId, open);
        answer.whenComplete((v, e) -> byReqId.remove(reqId, open));
        if (!sent.getAsBoolean()) {
            answer.completeExceptionally(new IllegalStateException("not connected to the Gateway"));
        }
        return answer;
    }

    /** The open request {@code reqId}, to gather a part of its answer into; empty when it is not open. */
    public Optional<Open<T, S>> get(int reqId) {
        return Optional.ofNullable(byReqId.get(reqId));
    }

    /** Completes {@code reqId} with its answer; false when it is not open. */
    public boolean complete(int reqId, T answer) {
        Open<T, S> open = byReqId.remove(reqId);
        return open != null && open.answer().complete(answer);
    }

    /**
     * Fails the request an error is about with IB's error, if it is a refusal of an open request; returns whether
     * it was. Connection notices (id -1), warnings and the like leave every request open.
     */
    public boolean refuse(ServerMessage.ErrorMessage e) {
        if (e.id() < 0 || IbErrorCodes.lookup(e.code()).category() != IbErrorCategory.REQUEST_FAILED) {
            return false;
        }
        Open<T, S> open = byReqId.remove(e.id());
        return open != null && open.answer().completeExceptionally(new GatewayRequestException(e.code(), e.message()));
    }

    /** The link is gone: every open request fails, since its answer will never come. */
    public void linkLost(String reason) {
        IllegalStateException lost = new IllegalStateException("the Gateway link was lost: " + reason);
        for (Integer reqId : List.copyOf(byReqId.keySet())) {
            Open<T, S> open = byReqId.remove(reqId);
            if (open != null) {
                open.answer().completeExceptionally(lost);
            }
        }
    }

    /** Requests sent and not yet answered. */
    public int size() {
        return byReqId.size();
    }
}
