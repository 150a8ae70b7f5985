package io.vitrine.benchmarks.growth;

import io.vitrine.benchmarks.growth.JmhResults.Result;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The decision's growth with K and d, from the JSON of one JMH run of {@code DecisionBenchmark.decision} and
 * {@code PosteriorBenchmark} over {@code -p K=... -p d=...}: a Markdown table on standard output (fastest, median
 * and p99 per operation, and the time per unit of the cost model, which stays flat where the time grows as the
 * model says) and a log-log plot of decision time against K for each d, with K d reference lines.
 */
@Command(name = "decision-growth-report", mixinStandardHelpOptions = true,
        description = "Turns JMH's JSON (-rf json) of the K and d runs into a Markdown table and a PNG plot.")
public final class DecisionGrowthReport implements Callable<Integer> {

    private static final Color[] COLORS = {new Color(0, 114, 178), new Color(213, 94, 0), new Color(0, 158, 115),
            new Color(204, 121, 167), new Color(86, 180, 233)};

    @Parameters(index = "0", paramLabel = "JSON", description = "JMH's results, written with -rf json")
    Path json;

    @Option(names = "--plot", paramLabel = "PNG", description = "where to write the plot (none if not given)")
    Path plot;

    @Option(names = "--subtitle", description = "a line under the plot's title, e.g. the machine and the date",
            defaultValue = "")
    String subtitle;

    public static void main(String[] args) {
        System.exit(new CommandLine(new DecisionGrowthReport()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        List<Result> results;
        try {
            results = JmhResults.read(json);
        } catch (IOException e) {
            System.err.println(e.getMessage());
            return 1;
        }
        List<Result> decisions = decisions(results);
        if (decisions.isEmpty()) {
            System.err.println(json + " holds no DecisionBenchmark.decision result with parameters K, d and M");
            return 1;
        }
        System.out.print(table(results));
        if (plot != null) {
            writePlot(decisions, plot, subtitle);
            System.err.println("plot written to " + plot);
        }
        return 0;
    }

    /** The whole decisions (encoder, choice, propensities) with their K, d and M, by M, d, K. */
    static List<Result> decisions(List<Result> results) {
        return results.stream()
                .filter(r -> r.benchmark().endsWith("DecisionBenchmark.decision") && r.hasParam("K")
                        && r.hasParam("d") && r.hasParam("M"))
                .sorted(Comparator.<Result>comparingInt(r -> r.intParam("M")).thenComparingInt(r -> r.intParam("d"))
                        .thenComparingInt(r -> r.intParam("K")))
                .toList();
    }

    /**
     * Two Markdown tables: the decisions with their median per K d in nanoseconds, then the posterior update (per
     * d^2) and snapshot (per d^3) against d.
     */
    static String table(List<Result> results) {
        StringBuilder out = new StringBuilder();
        out.append("| decision | M | K | d | fastest us | median us | p99 us | fastest / (K d), ns |"
                + " median / (K d), ns |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Result r : decisions(results)) {
            int K = r.intParam("K");
            int d = r.intParam("d");
            out.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %s | %s | %s | %.2f | %.2f |%n",
                    r.intParam("M") == 0 ? "choice only" : "as served", r.intParam("M"), K, d,
                    micros(r.fastest(), r.unit()), micros(r.median(), r.unit()), micros(r.p99(), r.unit()),
                    nanos(r.fastest(), r.unit()) / ((double) K * d), nanos(r.median(), r.unit()) / ((double) K * d)));
        }
        List<Result> posterior = results.stream()
                .filter(r -> r.benchmark().contains("PosteriorBenchmark") && r.hasParam("d"))
                .sorted(Comparator.comparing(Result::method).reversed().thenComparingInt(r -> r.intParam("d")))
                .toList();
        if (!posterior.isEmpty()) {
            out.append("\n| posterior | d | fastest us | median us | p99 us | median / model, ns |\n");
            out.append("|---|---:|---:|---:|---:|---:|\n");
            for (Result r : posterior) {
                int d = r.intParam("d");
                boolean update = r.method().equals("update");
                double model = update ? (double) d * d : (double) d * d * d;
                out.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %.3f (per %s) |%n", r.method(), d,
                        micros(r.fastest(), r.unit()), micros(r.median(), r.unit()), micros(r.p99(), r.unit()), nanos(r.median(), r.unit()) / model,
                        update ? "d^2" : "d^3"));
            }
        }
        return out.toString();
    }

    /**
     * Decision time as served (the most draws in the results) against K, log-log, one colour per d: the median
     * solid, the fastest operation dashed, and dotted a line proportional to K d through the fastest at the smallest
     * K and d.
     */
    static void writePlot(List<Result> decisions, Path file, String subtitle) throws IOException {
        System.setProperty("java.awt.headless", "true");
        int served = decisions.stream().mapToInt(r -> r.intParam("M")).max().orElseThrow();
        List<Result> asServed = decisions.stream().filter(r -> r.intParam("M") == served).toList();
        TreeSet<Integer> dims = new TreeSet<>();
        TreeSet<Integer> ks = new TreeSet<>();
        asServed.forEach(r -> {
            dims.add(r.intParam("d"));
            ks.add(r.intParam("K"));
        });
        Result anchor = asServed.stream()
                .min(Comparator.<Result>comparingInt(r -> r.intParam("d")).thenComparingInt(r -> r.intParam("K")))
                .orElseThrow();
        double anchorPerKd = micros(anchor.fastest(), anchor) / ((double) anchor.intParam("K") * anchor.intParam("d"));

        XYSeriesCollection data = new XYSeriesCollection();
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        int series = 0;
        int colour = 0;
        for (int d : dims) {
            Color color = COLORS[colour++ % COLORS.length];
            XYSeries median = new XYSeries("d = " + d + ", median");
            XYSeries fastest = new XYSeries("d = " + d + ", fastest");
            asServed.stream().filter(r -> r.intParam("d") == d).forEach(r -> {
                median.add(r.intParam("K"), micros(r.median(), r));
                fastest.add(r.intParam("K"), micros(r.fastest(), r));
            });
            XYSeries reference = new XYSeries("d = " + d + ", proportional to K d");
            for (int K : ks) {
                reference.add(K, anchorPerKd * K * d);
            }
            data.addSeries(median);
            renderer.setSeriesPaint(series, color);
            renderer.setSeriesStroke(series++, new BasicStroke(2.2f));
            data.addSeries(fastest);
            renderer.setSeriesPaint(series, color);
            renderer.setSeriesStroke(series++, dashed(1.6f, 6f, 4f));
            data.addSeries(reference);
            renderer.setSeriesPaint(series, color);
            renderer.setSeriesStroke(series, dashed(1f, 1.5f, 3f));
            renderer.setSeriesShapesVisible(series++, false);
        }
        LogAxis kAxis = new LogAxis("K, candidates per request");
        kAxis.setBase(10);
        kAxis.setNumberFormatOverride(new java.text.DecimalFormat("#,##0"));
        LogAxis timeAxis = new LogAxis("one decision (us)");
        timeAxis.setBase(10);
        timeAxis.setNumberFormatOverride(new java.text.DecimalFormat("#,##0.#"));
        XYPlot plot = new XYPlot(data, kAxis, timeAxis, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        JFreeChart chart = new JFreeChart("One decision as served (encoder, choice, M = " + served
                + " propensity draws) against K and d", new Font(Font.SANS_SERIF, Font.BOLD, 17), plot, true);
        if (!subtitle.isBlank()) {
            chart.addSubtitle(new TextTitle(subtitle, new Font(Font.SANS_SERIF, Font.PLAIN, 13)));
        }
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, 1100, 750);
    }

    private static BasicStroke dashed(float width, float on, float off) {
        return new BasicStroke(width, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[] {on, off}, 0f);
    }

    private static double micros(double value, Result r) {
        return nanos(value, r.unit()) / 1_000;
    }

    private static String micros(double value, String unit) {
        double us = nanos(value, unit) / 1_000;
        return String.format(Locale.ROOT, us >= 100 ? "%,.0f" : "%.2f", us);
    }

    static double nanos(double value, String unit) {
        return switch (unit) {
            case "ns/op" -> value;
            case "us/op" -> value * 1e3;
            case "ms/op" -> value * 1e6;
            case "s/op" -> value * 1e9;
            default -> throw new IllegalArgumentException("unit '" + unit + "': expected ns/op, us/op, ms/op or s/op");
        };
    }
}
