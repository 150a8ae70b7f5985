package io.vitrine.learner.streams;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** How a mapped event writes its time ({@code vitrine.mapping.<kind>.time-format}). */
public enum TimeFormat {

    /** Milliseconds since the epoch: an integer, or a string of digits. */
    EPOCH_MILLIS("epoch milliseconds (an integer >= 0 or a string of digits)"),

    /** Seconds since the epoch, with an optional fraction: a number, or a string holding one. */
    EPOCH_SECONDS("epoch seconds (a number >= 0 or a string holding one)"),

    /** An ISO-8601 date-time with an offset, {@code 2026-12-07T05:10:00.250+01:00} or {@code ...Z}. */
    ISO_8601("an ISO-8601 date-time with an offset (e.g. 2026-12-07T05:10:00.250Z)");

    /** Seconds whose milliseconds still fit a long (about 292 million years). */
    private static final BigDecimal MAX_SECONDS = BigDecimal.valueOf(Long.MAX_VALUE / 1000);

    private final String description;

    TimeFormat(String description) {
        this.description = description;
    }

    /** What this format expects, for error messages. */
    public String description() {
        return description;
    }

    /**
     * The instant {@code node} holds in this format.
     *
     * @throws IllegalArgumentException naming what was found, when the node is not of this format
     */
    Instant parse(JsonNode node) {
        switch (this) {
            case EPOCH_MILLIS -> {
                BigDecimal millis = number(node);
                if (millis != null && millis.signum() >= 0 && millis.stripTrailingZeros().scale() <= 0) {
                    return Instant.ofEpochMilli(millis.longValueExact());
                }
            }
            case EPOCH_SECONDS -> {
                BigDecimal seconds = number(node);
                if (seconds != null && seconds.signum() >= 0 && seconds.compareTo(MAX_SECONDS) < 0) {
                    return Instant.ofEpochMilli(seconds.movePointRight(3).setScale(0, RoundingMode.HALF_UP)
                            .longValueExact());
                }
            }
            case ISO_8601 -> {
                if (node.isTextual()) {
                    try {
                        return OffsetDateTime.parse(node.asText()).toInstant();
                    } catch (DateTimeParseException e) {
                        // reported below with what was expected
                    }
                }
            }
        }
        throw new IllegalArgumentException("is not " + description + ": " + node);
    }

    /** The number a node holds, itself or as text; null when it holds none (or one beyond a long's range). */
    private static BigDecimal number(JsonNode node) {
        try {
            BigDecimal value = node.isNumber() ? node.decimalValue()
                    : node.isTextual() ? new BigDecimal(node.asText().trim()) : null;
            return value != null && value.abs().compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) <= 0 ? value : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
