package io.vitrine.cli.report;

import io.vitrine.cli.sim.Progress;
import java.io.PrintStream;
import java.util.Locale;

/**
 * The live progress line: rewritten in place with {@code \r} on a terminal, one line every few
 * seconds otherwise (a log file or CI output should not fill up with carriage returns).
 */
public final class ConsoleProgress implements Progress.Listener {

    private static final double PLAIN_EVERY_SECONDS = 5;

    private final PrintStream err;
    private final boolean terminal;
    private double lastPrinted = Double.NEGATIVE_INFINITY;
    private int lastLength;

    public ConsoleProgress(PrintStream err, boolean terminal) {
        this.err = err;
        this.terminal = terminal;
    }

    /** Decides from {@link System#console()} whether stderr is a terminal. */
    public static ConsoleProgress onStderr() {
        return new ConsoleProgress(System.err, System.console() != null);
    }

    @Override
    public void update(Progress progress) {
        String line = line(progress);
        if (terminal) {
            err.print('\r' + pad(line));
            err.flush();
        } else if (progress.elapsedSeconds() - lastPrinted >= PLAIN_EVERY_SECONDS) {
            err.println(line);
            lastPrinted = progress.elapsedSeconds();
        }
    }

    @Override
    public void finish(Progress progress) {
        String line = line(progress);
        if (terminal) {
            err.println('\r' + pad(line));
        } else {
            err.println(line);
        }
    }

    /** Pads with spaces over the rest of a longer previous line. */
    private String pad(String line) {
        String padded = line.length() < lastLength ? line + " ".repeat(lastLength - line.length()) : line;
        lastLength = line.length();
        return padded;
    }

    static String line(Progress p) {
        return String.format(Locale.ROOT,
                "%5.0fs  %,d/%,d decisions  %,.0f/s  CTR %.3f (recent %.3f)  uniform %.3f  oracle %.3f  p99 %.1f ms"
                        + "  posterior v%d  errors %d",
                p.elapsedSeconds(), p.done(), p.requested(), p.decisionsPerSecond(), p.overall().expectedCtr(),
                p.recent().expectedCtr(), p.overall().uniformCtr(), p.overall().oracleCtr(), p.p99Millis(),
                p.posteriorVersion(), p.errors());
    }
}
