package io.vitrine.e2e.soak;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The soak as a picture (PNG, drawn headless with JFreeChart): events and decisions per second above, decision
 * latency (median and 99th percentile per 2 s) below, and every kill as a vertical line named after its victim.
 */
final class SoakPlot {

    private static final int WIDTH = 1400;
    private static final int HEIGHT = 800;
    private static final long LATENCY_BUCKET_MILLIS = 2_000;
    private static final Color BLUE = new Color(0, 114, 178);
    private static final Color ORANGE = new Color(213, 94, 0);
    private static final Color GREEN = new Color(0, 158, 115);
    private static final Color RED = new Color(204, 0, 0);
    private static final Color PURPLE = new Color(120, 60, 160);

    private SoakPlot() {
    }

    static void write(Path file, String subtitle, List<Long> eventAcks, List<Traffic.Sample> samples,
                      List<Chaos.Kill> kills) throws IOException {
        System.setProperty("java.awt.headless", "true");
        long seconds = 1 + Math.max(eventAcks.stream().mapToLong(Long::longValue).max().orElse(0),
                samples.stream().mapToLong(Traffic.Sample::sentAtMillis).max().orElse(0)) / 1_000;

        XYSeries eventsPerSecond = new XYSeries("events acknowledged / s");
        XYSeries answeredPerSecond = new XYSeries("decisions answered 200 / s");
        XYSeries failedPerSecond = new XYSeries("decision requests failed / s");
        long[] events = new long[(int) seconds + 1];
        long[] answered = new long[events.length];
        long[] failed = new long[events.length];
        eventAcks.forEach(at -> events[(int) (at / 1_000)]++);
        for (Traffic.Sample sample : samples) {
            (sample.ok() ? answered : failed)[(int) (sample.sentAtMillis() / 1_000)]++;
        }
        for (int s = 0; s < seconds; s++) {
            eventsPerSecond.add(s, events[s]);
            answeredPerSecond.add(s, answered[s]);
            failedPerSecond.add(s, failed[s]);
        }
        XYSeriesCollection rates = new XYSeriesCollection();
        rates.addSeries(eventsPerSecond);
        rates.addSeries(answeredPerSecond);
        rates.addSeries(failedPerSecond);
        XYPlot throughput = plot(rates, new NumberAxis("per second"), BLUE, GREEN, RED);

        XYSeries p50 = new XYSeries("decision latency p50 (ms)");
        XYSeries p99 = new XYSeries("decision latency p99 (ms)");
        List<List<Long>> buckets = new ArrayList<>();
        for (long b = 0; b <= seconds * 1_000 / LATENCY_BUCKET_MILLIS; b++) {
            buckets.add(new ArrayList<>());
        }
        for (Traffic.Sample sample : samples) {
            if (sample.ok()) {
                buckets.get((int) (sample.sentAtMillis() / LATENCY_BUCKET_MILLIS)).add(sample.latencyMicros());
            }
        }
        for (int b = 0; b < buckets.size(); b++) {
            long[] sorted = buckets.get(b).stream().mapToLong(Long::longValue).sorted().toArray();
            if (sorted.length > 0) {
                double x = (b + 0.5) * LATENCY_BUCKET_MILLIS / 1_000.0;
                p50.add(x, quantile(sorted, 0.5) / 1_000.0);
                p99.add(x, quantile(sorted, 0.99) / 1_000.0);
            }
        }
        XYSeriesCollection latencies = new XYSeriesCollection();
        latencies.addSeries(p50);
        latencies.addSeries(p99);
        LogAxis logAxis = new LogAxis("ms");
        logAxis.setBase(10);
        logAxis.setSmallestValue(0.1);
        logAxis.setNumberFormatOverride(new java.text.DecimalFormat("#,##0.#"));
        XYPlot latency = plot(latencies, logAxis, PURPLE, ORANGE);

        for (Chaos.Kill kill : kills) {
            for (XYPlot plot : List.of(throughput, latency)) {
                ValueMarker marker = new ValueMarker(kill.atMillis() / 1_000.0, Color.DARK_GRAY,
                        new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[] {4f, 3f}, 0f));
                if (plot == throughput) {
                    marker.setLabel(kill.victim());
                    marker.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
                    marker.setLabelAnchor(RectangleAnchor.TOP_LEFT);
                    marker.setLabelTextAnchor(TextAnchor.TOP_RIGHT);
                }
                plot.addDomainMarker(marker);
            }
        }

        NumberAxis time = new NumberAxis("seconds since the traffic started (dashed: a SIGKILL, named by its victim)");
        CombinedDomainXYPlot combined = new CombinedDomainXYPlot(time);
        combined.add(throughput, 1);
        combined.add(latency, 1);
        combined.setGap(12);
        JFreeChart chart = new JFreeChart("Soak: steady traffic while service instances are killed",
                new Font(Font.SANS_SERIF, Font.BOLD, 20), combined, true);
        chart.addSubtitle(new TextTitle(subtitle, new Font(Font.SANS_SERIF, Font.PLAIN, 14)));
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
    }

    private static XYPlot plot(XYSeriesCollection data, org.jfree.chart.axis.ValueAxis axis, Color... colors) {
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        for (int i = 0; i < colors.length; i++) {
            renderer.setSeriesPaint(i, colors[i]);
            renderer.setSeriesStroke(i, new BasicStroke(1.5f));
        }
        XYPlot plot = new XYPlot(data, null, axis, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(210, 210, 210));
        plot.setRangeGridlinePaint(new Color(210, 210, 210));
        return plot;
    }

    private static double quantile(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

    static double quantileOf(List<Long> values, double q) {
        long[] sorted = values.stream().mapToLong(Long::longValue).sorted().toArray();
        return sorted.length == 0 ? Double.NaN : quantile(sorted, q);
    }
}
