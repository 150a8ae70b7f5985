package io.vitrine.cli.train;

import java.io.PrintWriter;
import java.util.function.Supplier;

/**
 * Progress of a long read or training on stderr, at most one line every few seconds: plain lines rather than a
 * rewritten one, so a log file or CI output reads the same as a terminal.
 */
final class ProgressLine {

    private static final long EVERY_NANOS = 2_000_000_000L;

    private final PrintWriter err;
    private long last = System.nanoTime();

    ProgressLine(PrintWriter err) {
        this.err = err;
    }

    /** Prints the line when the last one is a few seconds old; the supplier avoids formatting the others. */
    void maybe(Supplier<String> line) {
        long now = System.nanoTime();
        if (now - last >= EVERY_NANOS) {
            last = now;
            err.println(line.get());
            err.flush();
        }
    }

    void always(String line) {
        last = System.nanoTime();
        err.println(line);
        err.flush();
    }
}
