package io.vitrine.cli.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vitrine.cli.http.PosteriorSummary;
import io.vitrine.cli.sim.SimulationReport;
import io.vitrine.cli.sim.WindowStats;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/** Prints the summary table of a run and writes its JSON record. */
public final class ReportPrinter {

    private final PrintStream out;

    public ReportPrinter(PrintStream out) {
        this.out = out;
    }

    public void summary(RunRecord run) {
        SimulationReport r = run.report();
        SimulationReport.Latency l = r.latencyMillis();
        out.println();
        out.printf(Locale.ROOT, "%,d decisions in %.1f s (%,.0f/s), %d failed requests (%.2f%%), %d failed events%n",
                r.decisionsMade(), r.durationSeconds(), r.decisionsPerSecond(), r.errors(), 100 * r.errorRate(),
                r.eventFailures());
        out.printf(Locale.ROOT, "latency ms: p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f%n",
                l.p50(), l.p90(), l.p99(), l.p999(), l.max());
        out.println();
        out.println("click-through rate   decisions  Vitrine (expected)  Vitrine (clicks)  uniform  oracle"
                + "  best choice  gap closed");
        row("whole run", r.total());
        row("last half", r.lastHalf());
        out.println();
        out.println("learning over time (expected CTR of each slice of the run)");
        for (SimulationReport.Bucket b : r.buckets()) {
            row(String.format(Locale.ROOT, "%,d-%,d", b.from(), b.to()), b.stats(),
                    "  posterior v" + b.posteriorVersionMax());
        }
        out.println();
        out.println("per slot");
        for (SimulationReport.SlotReport s : r.slots()) {
            row(s.slot(), s.stats(), "  " + choices(s.choices(), s.stats().decisions()));
        }
        if (!run.posteriors().isEmpty()) {
            out.println();
            out.println("learner posteriors");
            for (PosteriorSummary p : run.posteriors()) {
                out.printf(Locale.ROOT, "  %-40s version %,d  n %,.0f%n", p.scope(), p.version(), p.n());
            }
        }
        for (String error : r.errorSamples()) {
            out.println("error: " + error);
        }
        if (r.abortReason() != null) {
            out.println("stopped early: " + r.abortReason());
        }
        out.println();
        out.println("'expected' is the mean hidden click probability of Vitrine's choices (clicks without the coin flips);"
                + " 'gap closed' is (Vitrine - uniform) / (oracle - uniform).");
    }

    private void row(String label, WindowStats s) {
        row(label, s, "");
    }

    private void row(String label, WindowStats s, String suffix) {
        out.printf(Locale.ROOT, "  %-18s %9d  %18.4f  %16.4f  %7.4f  %6.4f  %10.1f%%  %9.1f%%%s%n",
                label, s.decisions(), s.expectedCtr(), s.realizedCtr(), s.uniformCtr(), s.oracleCtr(),
                100 * s.bestShare(), 100 * s.gapClosed(), suffix);
    }

    private static String choices(Map<String, Long> choices, long total) {
        StringBuilder text = new StringBuilder("chosen:");
        choices.forEach((id, count) -> text.append(String.format(Locale.ROOT, " %s %.0f%%", id,
                total == 0 ? 0.0 : 100.0 * count / total)));
        return text.toString();
    }

    /** Writes the record as indented JSON, creating parent directories. */
    public static Path write(RunRecord run, Path file) throws IOException {
        Path absolute = file.toAbsolutePath();
        if (absolute.getParent() != null) {
            Files.createDirectories(absolute.getParent());
        }
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(absolute.toFile(), run);
        return absolute;
    }

    /** Figures compared in one line, for the end of a run. */
    public static String verdict(SimulationReport r) {
        WindowStats h = r.lastHalf();
        return String.format(Locale.ROOT,
                "last half: Vitrine %.4f vs uniform %.4f (%+.0f%%) and oracle %.4f; %.0f%% of the gap closed",
                h.expectedCtr(), h.uniformCtr(), h.uniformCtr() > 0 ? 100 * (h.expectedCtr() / h.uniformCtr() - 1) : 0,
                h.oracleCtr(), 100 * h.gapClosed());
    }
}
