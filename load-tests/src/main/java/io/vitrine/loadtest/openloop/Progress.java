package io.vitrine.loadtest.openloop;

import java.io.PrintStream;
import java.util.Locale;

/** Progress of a running step, about once a second. */
public interface Progress {

    void update(String target, int rate, double elapsedSeconds, double totalSeconds, long ok, long errors);

    /** One line an update on {@code out}, the target's name padded to {@code width}. */
    static Progress printed(PrintStream out, int width) {
        String format = "  %-" + width + "s %,6d/s  %5.1f / %.0f s  ok %,d  errors %,d%n";
        return (target, rate, elapsed, total, ok, errors) -> out.printf(Locale.ROOT, format, target, rate, elapsed,
                total, ok, errors);
    }
}
