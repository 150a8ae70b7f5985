package io.vitrine.learner.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The deadline store's keys: their byte order must be the deadlines' time order. */
class DeadlineKeyTest {

    @Test
    void zeroPaddedToNineteenDigitsWithNegativeTimesAtZero() {
        assertEquals("0000000000000000000/w/r1/c", AttributionProcessor.deadlineKey(0, "w", "r1/c"));
        assertEquals("0000000000000000000/w/r1/c", AttributionProcessor.deadlineKey(-5, "w", "r1/c"));
        assertEquals("0000001767225600000/i/r2", AttributionProcessor.deadlineKey(1_767_225_600_000L, "i", "r2"));
        assertEquals("9223372036854775807//", AttributionProcessor.deadlineKey(Long.MAX_VALUE, "", ""));
    }

    @Test
    void keysSortAsTheirTimes() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 10_000; i++) {
            long a = random.nextLong(0, Long.MAX_VALUE >> random.nextInt(0, 60));
            long b = random.nextLong(0, Long.MAX_VALUE >> random.nextInt(0, 60));
            int byKey = Integer.signum(AttributionProcessor.deadlineKey(a, "w", "x")
                    .compareTo(AttributionProcessor.deadlineKey(b, "w", "x")));
            assertEquals(Long.signum(Long.compare(a, b)), byKey, a + " against " + b);
        }
        assertTrue(AttributionProcessor.deadlineKey(999, "~", "").compareTo(AttributionProcessor.deadlineKey(1000, "", "")) < 0);
    }
}
