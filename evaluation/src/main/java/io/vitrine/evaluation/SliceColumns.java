package io.vitrine.evaluation;

import java.util.List;
import java.util.Locale;

/**
 * The columns a flat log is sliced by, besides its position: segment columns (any column; each distinct value
 * is a slice) and a time bucket of the timestamp column.
 *
 * @param segments  columns whose values are slices
 * @param timestamp the timestamp column, read only with a bucket
 * @param bucket    {@code hour}, {@code day} or {@code week}, or null for no time slices
 */
public record SliceColumns(List<String> segments, String timestamp, String bucket) {

    public SliceColumns {
        segments = List.copyOf(segments);
        if (bucket != null && !List.of("hour", "day", "week").contains(bucket)) {
            throw new IllegalArgumentException("the time bucket is hour, day or week, got '" + bucket + "'");
        }
    }

    public static SliceColumns none() {
        return new SliceColumns(List.of(), "timestamp", null);
    }

    /** The dimensions' names, in order: the segment columns, then the time bucket. */
    List<String> dimensions() {
        List<String> names = new java.util.ArrayList<>(segments);
        if (bucket != null) {
            names.add(bucket);
        }
        return names;
    }

    /**
     * The bucket of a timestamp as pandas, Spark and ISO 8601 write it ({@code 2019-11-24 00:00:37},
     * {@code 2019-11-24T00:00:37.000Z}): its day, its hour, or the Monday of its week; null when the text is not
     * such a timestamp.
     */
    String bucketOf(String text) {
        if (text == null || text.length() < 10) {
            return null;
        }
        java.time.LocalDate date;
        try {
            date = java.time.LocalDate.parse(text.substring(0, 10));
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
        return switch (bucket) {
            case "day" -> date.toString();
            case "week" -> date.with(java.time.DayOfWeek.MONDAY).toString();
            default -> text.length() >= 13 && Character.isDigit(text.charAt(11)) && Character.isDigit(text.charAt(12))
                    ? String.format(Locale.ROOT, "%s %s:00", date, text.substring(11, 13)) : null;
        };
    }
}
