package io.vitrine.evaluation;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.statistics.HistogramDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/**
 * A self-contained HTML page of an evaluation, for a person to read in a browser: the estimates with their
 * intervals per policy, each policy's running estimate over the log, the histogram of logged propensities, and
 * the tables. Plots are PNGs drawn with JFreeChart and embedded as data URLs, so the page is one file. A small
 * script marks the page {@code data-images="ok"} when it has loaded with every plot decoded, which the browser
 * test checks.
 */
public final class HtmlReport {

    private static final int WIDTH = 1000;
    private static final int HEIGHT = 480;
    private static final Color[] PALETTE = {new Color(0, 114, 178), new Color(213, 94, 0), new Color(0, 158, 115),
        new Color(204, 121, 167), new Color(230, 159, 0), new Color(86, 180, 233)};

    private HtmlReport() {
    }

    /** Writes the page for {@code log} and the reports of its target policies. */
    public static void write(Path file, String source, List<LoggedRound> log, List<ScoredRound[]> scored,
                             List<Evaluator.PolicyReport> reports, List<Slices.PageReport> page,
                             List<Slices.SliceReport> slices) throws IOException {
        System.setProperty("java.awt.headless", "true");
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
            .append("<title>Vitrine offline evaluation</title><style>")
            .append("body{font-family:sans-serif;max-width:1060px;margin:2em auto;color:#222}")
            .append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 10px;")
            .append("text-align:right}th:first-child,td:first-child{text-align:left}img{max-width:100%}")
            .append("</style></head><body data-images=\"pending\">\n");
        html.append("<h1>Offline evaluation</h1>\n<p>Log: <code>").append(escape(source)).append("</code>, ")
            .append(String.format(Locale.ROOT, "%,d rounds", log.size())).append(". Estimates of each target "
                + "policy's expected reward per round, with bootstrap intervals (studentized; replay of rewards in "
                + "[0, 1]: Wilson's score interval).</p>\n");
        html.append("<h2>Estimates</h2>\n").append(image(estimatesChart(reports), "estimates with intervals"));
        for (Evaluator.PolicyReport report : reports) {
            Diagnostics d = report.diagnostics();
            html.append("<h3>").append(escape(report.policy())).append("</h3>\n<table><tr><th>estimator</th>")
                .append("<th>estimate</th><th>interval</th></tr>\n");
            for (Evaluator.Estimate e : report.estimates()) {
                html.append(e.untrusted() == null
                        ? String.format(Locale.ROOT, "<tr><td>%s</td><td>%.5f</td><td>[%.5f, %.5f]</td></tr>%n",
                                escape(e.estimator()), e.value(), e.low(), e.high())
                        : String.format(Locale.ROOT, "<tr class=\"untrusted\"><td>%s</td><td>%.5f</td><td>no interval "
                                + "to trust: %s</td></tr>%n", escape(e.estimator()), e.value(), escape(e.untrusted())));
            }
            html.append(String.format(Locale.ROOT, "</table><p>Effective sample size %,.0f of %,d rounds; smallest "
                            + "propensity %.4g; largest weight %.4g; %.1f%% of weights above the clip; replay kept "
                            + "%,d rounds.</p>%n", d.effectiveSize(), d.rounds(), d.smallestPropensity(),
                    d.largestWeight(), 100 * d.shareClipped(), d.replayMatches()));
        }
        if (!page.isEmpty()) {
            html.append("<h2>Whole page</h2>\n<p>Expected reward per page: the sum of the estimates at each position "
                    + "(position as part of the context); the interval is the sum of the positions' ends.</p>\n");
            for (Slices.PageReport report : page) {
                html.append("<h3>").append(escape(report.policy())).append(", ").append(report.positions())
                    .append(" positions</h3>\n");
                estimatesTable(html, report.estimates());
            }
        }
        java.util.LinkedHashMap<String, List<Slices.SliceReport>> byDimension = new java.util.LinkedHashMap<>();
        for (Slices.SliceReport slice : slices) {
            byDimension.computeIfAbsent(slice.dimension(), k -> new java.util.ArrayList<>()).add(slice);
        }
        for (var dimension : byDimension.entrySet()) {
            html.append("<h2 class=\"slice\">By ").append(escape(dimension.getKey())).append("</h2>\n<p>Where each "
                    + "target wins and where it loses: doubly robust's estimate and interval on each slice (every "
                    + "estimator in the table).</p>\n")
                .append(image(sliceChart(dimension.getKey(), dimension.getValue()), "estimates by "
                    + dimension.getKey()));
            html.append("<table><tr><th>").append(escape(dimension.getKey())).append("</th><th>rounds</th>"
                    + "<th>target</th><th>estimator</th><th>estimate</th><th>interval</th></tr>\n");
            for (Slices.SliceReport slice : dimension.getValue()) {
                for (Evaluator.PolicyReport report : slice.policies()) {
                    for (Evaluator.Estimate e : report.estimates()) {
                        html.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%,d</td><td>%s</td><td>%s</td>"
                                + "<td>%.5f</td><td>%s</td></tr>%n", escape(slice.value()), slice.rounds(),
                                escape(report.policy()), escape(e.estimator()), e.value(), interval(e)));
                    }
                }
            }
            html.append("</table>\n");
        }
        html.append("<h2>Over the log</h2>\n<p>The logged policy's mean reward so far, and each target's "
                + "self-normalised estimate on the rounds so far.</p>\n")
            .append(image(runningChart(log, scored, reports), "running estimates"));
        html.append("<h2>Logged propensities</h2>\n<p>Small propensities make large importance weights.</p>\n")
            .append(image(propensityChart(log), "histogram of propensities"));
        html.append("<script>window.addEventListener('load', () => document.body.dataset.images = ")
            .append("[...document.images].every(i => i.complete && i.naturalWidth > 0) ? 'ok' : 'broken');")
            .append("</script>\n");
        html.append("</body></html>\n");
        Files.writeString(file, html.toString());
    }

    private static void estimatesTable(StringBuilder html, List<Evaluator.Estimate> estimates) {
        html.append("<table><tr><th>estimator</th><th>estimate</th><th>interval</th></tr>\n");
        for (Evaluator.Estimate e : estimates) {
            html.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%.5f</td><td>%s</td></tr>%n",
                    escape(e.estimator()), e.value(), interval(e)));
        }
        html.append("</table>\n");
    }

    private static String interval(Evaluator.Estimate e) {
        return e.untrusted() == null ? String.format(Locale.ROOT, "[%.5f, %.5f]", e.low(), e.high())
                : "no interval to trust: " + escape(e.untrusted());
    }

    /** Doubly robust's estimate and interval of every target on every slice of one dimension. */
    private static JFreeChart sliceChart(String dimension, List<Slices.SliceReport> slices) {
        YIntervalSeriesCollection data = new YIntervalSeriesCollection();
        int policies = slices.get(0).policies().size();
        for (int p = 0; p < policies; p++) {
            YIntervalSeries series = new YIntervalSeries(slices.get(0).policies().get(p).policy());
            double offset = (p - (policies - 1) / 2.0) * 0.12;
            for (int v = 0; v < slices.size(); v++) {
                Evaluator.Estimate estimate = slices.get(v).policies().get(p).estimates().stream()
                        .filter(e -> e.estimator().equals("doubly robust")).findFirst()
                        .orElse(slices.get(v).policies().get(p).estimates().get(0));
                if (Double.isFinite(estimate.value())) {
                    boolean bar = estimate.untrusted() == null;
                    series.add(v + offset, estimate.value(), bar ? finiteOr(estimate.low(), estimate.value())
                            : estimate.value(), bar ? finiteOr(estimate.high(), estimate.value()) : estimate.value());
                }
            }
            data.addSeries(series);
        }
        XYErrorRenderer renderer = new XYErrorRenderer();
        renderer.setDrawXError(false);
        renderer.setErrorStroke(new BasicStroke(2f));
        XYPlot plot = new XYPlot(data, new SymbolAxis(dimension, slices.stream().map(Slices.SliceReport::value)
                .toArray(String[]::new)), new NumberAxis("estimated reward per round (doubly robust)"), renderer);
        ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        return chart("Estimates by " + dimension, plot, data.getSeriesCount(), renderer);
    }

    private static JFreeChart estimatesChart(List<Evaluator.PolicyReport> reports) {
        YIntervalSeriesCollection data = new YIntervalSeriesCollection();
        List<String> estimators = reports.get(0).estimates().stream().map(Evaluator.Estimate::estimator).toList();
        for (int p = 0; p < reports.size(); p++) {
            YIntervalSeries series = new YIntervalSeries(reports.get(p).policy());
            double offset = (p - (reports.size() - 1) / 2.0) * 0.12;
            for (int e = 0; e < estimators.size(); e++) {
                Evaluator.Estimate estimate = reports.get(p).estimates().get(e);
                if (Double.isFinite(estimate.value()) && estimate.untrusted() != null) {
                    series.add(e + offset, estimate.value(), estimate.value(), estimate.value()); // no bar to trust
                } else if (Double.isFinite(estimate.value())) {
                    series.add(e + offset, estimate.value(), finiteOr(estimate.low(), estimate.value()),
                            finiteOr(estimate.high(), estimate.value()));
                }
            }
            data.addSeries(series);
        }
        XYErrorRenderer renderer = new XYErrorRenderer();
        renderer.setDrawXError(false);
        renderer.setErrorStroke(new BasicStroke(2f));
        XYPlot plot = new XYPlot(data, new SymbolAxis("estimator", estimators.toArray(new String[0])),
                new NumberAxis("estimated reward per round"), renderer);
        ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        return chart("Estimates and intervals by policy", plot, data.getSeriesCount(), renderer);
    }

    private static JFreeChart runningChart(List<LoggedRound> log, List<ScoredRound[]> targets,
                                           List<Evaluator.PolicyReport> reports) {
        XYSeriesCollection data = new XYSeriesCollection();
        int every = Math.max(1, log.size() / 200);
        XYSeries logged = new XYSeries("logged policy (mean reward)");
        double rewards = 0;
        for (int t = 0; t < log.size(); t++) {
            rewards += log.get(t).reward();
            if ((t + 1) % every == 0 || t == log.size() - 1) {
                logged.add(t + 1, rewards / (t + 1));
            }
        }
        data.addSeries(logged);
        for (int p = 0; p < targets.size(); p++) {
            ScoredRound[] scored = targets.get(p);
            XYSeries series = new XYSeries(reports.get(p).policy() + " (SNIPS)");
            double weighted = 0;
            double weights = 0;
            for (int t = 0; t < scored.length; t++) {
                weighted += scored[t].weight() * scored[t].round().reward();
                weights += scored[t].weight();
                if (((t + 1) % every == 0 || t == scored.length - 1) && weights > 0) {
                    series.add(t + 1, weighted / weights);
                }
            }
            data.addSeries(series);
        }
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        XYPlot plot = new XYPlot(data, new NumberAxis("rounds of the log"), new NumberAxis("reward per round"),
                renderer);
        ((NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        return chart("Running estimates over the log", plot, data.getSeriesCount(), renderer);
    }

    private static JFreeChart propensityChart(List<LoggedRound> log) {
        HistogramDataset data = new HistogramDataset();
        data.addSeries("logged propensities", log.stream().mapToDouble(LoggedRound::propensity).toArray(), 25);
        XYBarRenderer renderer = new XYBarRenderer(0.05);
        renderer.setShadowVisible(false);
        renderer.setBarPainter(new org.jfree.chart.renderer.xy.StandardXYBarPainter());
        XYPlot plot = new XYPlot(data, new NumberAxis("propensity of the logged action"), new NumberAxis("rounds"),
                renderer);
        return chart("Logged propensities", plot, 1, renderer);
    }

    private static JFreeChart chart(String title, XYPlot plot, int series,
                                    org.jfree.chart.renderer.xy.AbstractXYItemRenderer renderer) {
        for (int s = 0; s < series; s++) {
            renderer.setSeriesPaint(s, PALETTE[s % PALETTE.length]);
            renderer.setSeriesStroke(s, new BasicStroke(2f));
        }
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(220, 220, 220));
        plot.setRangeGridlinePaint(new Color(220, 220, 220));
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }

    private static String image(JFreeChart chart, String alt) throws IOException {
        BufferedImage image = chart.createBufferedImage(WIDTH, HEIGHT);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(image, "png", png);
        return "<p><img alt=\"" + escape(alt) + "\" src=\"data:image/png;base64,"
                + Base64.getEncoder().encodeToString(png.toByteArray()) + "\"></p>\n";
    }

    private static double finiteOr(double value, double fallback) {
        return Double.isFinite(value) ? value : fallback;
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
