package io.vitrine.selector.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What an instance that does not own a request id asks its own window before forwarding the request. */
class RetryWindowTest {

    private final RetryWindow<String> window = new RetryWindow<>(Duration.ofMinutes(5), 100);

    @Test
    void anIdNeverSeenHereIsNotRemembered() {
        assertTrue(window.remembered("r-1", "body-a").isEmpty());
        assertEquals(0, window.size(), "asking remembers nothing");
    }

    @Test
    void anIdDecidedHereIsAnsweredAgainWithoutDecidingAndAnotherBodyIsAConflict() throws Exception {
        AtomicInteger decided = new AtomicInteger();
        window.once("r-1", "body-a", () -> CompletableFuture.completedFuture("decision-" + decided.incrementAndGet()));

        Optional<RetryWindow.Answer<String>> again = window.remembered("r-1", "body-a");

        assertTrue(again.isPresent());
        assertTrue(again.get().replayed());
        assertEquals("decision-1", again.get().answer().toCompletableFuture().get());
        assertEquals(1, decided.get());
        assertThrows(RequestIdConflictException.class, () -> window.remembered("r-1", "body-b"));
    }

    @Test
    void aFailedAttemptIsForgottenSoTheOwnerIsAskedAgain() {
        window.once("r-1", "body-a", () -> CompletableFuture.failedFuture(new IllegalStateException("not logged")));
        assertTrue(window.remembered("r-1", "body-a").isEmpty());
    }
}
