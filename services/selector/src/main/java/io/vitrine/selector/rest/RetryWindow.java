package io.vitrine.selector.rest;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Makes retries idempotent on one instance: within the window, a request id seen with the same body gets the
 * first answer again (or waits for it while it is being made), without a second decision or log record; with a
 * different body it is a {@link RequestIdConflictException}. Failed attempts are forgotten, so a retry after a 503
 * tries again. Bounded in time and in entries (Caffeine evicts the oldest first under the size bound).
 *
 * <p>Across instances the window is the request id's owner's: the other instances forward the id's requests there
 * ({@link OwnerForwarding}). See docs/api.md, "Retries".
 */
public final class RetryWindow<T> {

    private record Entry<T>(String fingerprint, CompletableFuture<T> answer) {
    }

    private final Cache<String, Entry<T>> entries;

    public RetryWindow(Duration window, long maxEntries) {
        this.entries = Caffeine.newBuilder().expireAfterWrite(window).maximumSize(maxEntries).build();
    }

    /** Outcome of {@link #once}: the answer, and whether it is the answer of an earlier request. */
    public record Answer<T>(CompletionStage<T> answer, boolean replayed) {
    }

    /**
     * The answer to {@code requestId} with a body whose fingerprint is {@code fingerprint}: an earlier one within
     * the window, or the one {@code decide} makes now (remembered once it succeeds).
     */
    public Answer<T> once(String requestId, String fingerprint, Supplier<CompletionStage<T>> decide) {
        Entry<T> mine = new Entry<>(fingerprint, new CompletableFuture<>());
        Entry<T> earlier = entries.asMap().putIfAbsent(requestId, mine);
        if (earlier != null) {
            if (!earlier.fingerprint().equals(fingerprint)) {
                throw new RequestIdConflictException(requestId);
            }
            return new Answer<>(earlier.answer(), true);
        }
        CompletionStage<T> made;
        try {
            made = decide.get();
        } catch (RuntimeException e) {
            forget(requestId, mine, e);
            throw e;
        }
        made.whenComplete((value, error) -> {
            if (error != null) {
                forget(requestId, mine, error);
            } else {
                mine.answer().complete(value);
            }
        });
        return new Answer<>(mine.answer(), false);
    }

    /**
     * The answer already given (or being made) to {@code requestId} with this body, without deciding anything;
     * empty when the window does not hold the id.
     *
     * @throws RequestIdConflictException when the window holds the id with another body
     */
    public Optional<Answer<T>> remembered(String requestId, String fingerprint) {
        Entry<T> earlier = entries.getIfPresent(requestId);
        if (earlier == null) {
            return Optional.empty();
        }
        if (!earlier.fingerprint().equals(fingerprint)) {
            throw new RequestIdConflictException(requestId);
        }
        return Optional.of(new Answer<>(earlier.answer(), true));
    }

    /** Entries held now (for tests and metrics). */
    public long size() {
        entries.cleanUp();
        return entries.estimatedSize();
    }

    private void forget(String requestId, Entry<T> entry, Throwable error) {
        entries.asMap().remove(requestId, entry);
        entry.answer().completeExceptionally(error);
    }
}
