package io.vitrine.learner.console;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

/**
 * When the console was last used: each page snapshot, event and decision lookup marks it. The topic feeds behind the
 * console read only while it was used within {@code vitrine.console.idle-after} (with {@code follow=when-watched}).
 */
public final class ConsoleAudience {

    private final Clock clock;
    private final AtomicReference<Instant> lastUsed = new AtomicReference<>();

    public ConsoleAudience(Clock clock) {
        this.clock = clock;
    }

    /** Someone uses the console now. */
    public void used() {
        lastUsed.set(clock.instant());
    }

    /** Whether the console was used within {@code idleAfter} of now. */
    public boolean usedWithin(Duration idleAfter) {
        Instant last = lastUsed.get();
        return last != null && !last.plus(idleAfter).isBefore(clock.instant());
    }
}
