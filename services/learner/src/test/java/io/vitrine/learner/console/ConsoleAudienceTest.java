package io.vitrine.learner.console;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

class ConsoleAudienceTest {

    /** A clock the test moves. */
    private static final class Hand extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void usedUntilIdleForTheGivenTimeAndUsedAgainOnTheNextUse() {
        Hand clock = new Hand();
        ConsoleAudience audience = new ConsoleAudience(clock);
        Duration idleAfter = Duration.ofMinutes(5);
        assertFalse(audience.usedWithin(idleAfter), "never used");
        audience.used();
        clock.now = clock.now.plus(idleAfter);
        assertTrue(audience.usedWithin(idleAfter), "used exactly idleAfter ago");
        clock.now = clock.now.plusMillis(1);
        assertFalse(audience.usedWithin(idleAfter), "idle");
        audience.used();
        assertTrue(audience.usedWithin(idleAfter));
    }
}
