package io.vitrine.benchmarks.growth;

import io.vitrine.benchmarks.growth.ScopeGrowth.Run;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.ToDoubleFunction;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The scope growth runs as a picture, log-log against the number of scopes: sizes above (learner state, changelog,
 * the most posterior bytes published in one second, selector heap), times below (learner ready with and without
 * a restore, counted from its first HTTP answer; selector ready from its launch), with a
 * dotted line proportional to the scopes through each size's first point.
 */
@Command(name = "scope-growth-plot", mixinStandardHelpOptions = true,
        description = "Draws the results of scope-growth (its --out JSON) as a PNG.")
public final class ScopeGrowthPlot implements Callable<Integer> {

    private static final Color[] COLORS = {new Color(0, 114, 178), new Color(213, 94, 0), new Color(0, 158, 115),
            new Color(204, 121, 167), new Color(86, 180, 233)};

    @Parameters(index = "0", paramLabel = "JSON", description = "scope-growth's results")
    Path json;

    @Option(names = "--plot", required = true, paramLabel = "PNG")
    Path plot;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ScopeGrowthPlot()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        write(ScopeGrowth.readRuns(json), plot);
        return 0;
    }

    static void write(List<Run> runs, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        int dimension = runs.stream().mapToInt(Run::dimension).max().orElse(0);
        List<Run> shown = runs.stream().filter(r -> r.dimension() == dimension).toList();

        XYSeriesCollection sizes = new XYSeriesCollection();
        add(sizes, shown, "learner state directory (MB)", r -> r.learnerStateBytes() / 1e6);
        add(sizes, shown, "statistics changelog topic (MB)", r -> r.changelogBytes() / 1e6);
        add(sizes, shown, "posteriors published in one second, peak (MB)", r -> r.peakPublishBytesPerSecond() / 1e6);
        add(sizes, shown, "selector heap after a full GC (MB)", r -> r.selectorHeapUsedBytes() / 1e6);
        int measured = sizes.getSeriesCount();
        for (int i = 0; i < measured; i++) {
            XYSeries series = sizes.getSeries(i);
            XYSeries linear = new XYSeries("proportional to scopes, " + series.getKey().toString().split(" \\(")[0]);
            double perScope = series.getY(0).doubleValue() / series.getX(0).doubleValue();
            for (Run r : shown) {
                linear.add(r.scopes(), perScope * r.scopes());
            }
            sizes.addSeries(linear);
        }
        XYPlot sizePlot = plot(sizes, "MB", measured);

        XYSeriesCollection times = new XYSeriesCollection();
        add(times, shown, "learner on an empty state directory, HTTP up to ready (s)", Run::learnerRestoreStartSeconds);
        add(times, shown, "learner on its own state directory, HTTP up to ready (s)", Run::learnerWarmStartSeconds);
        add(times, shown, "selector, launch to ready with every posterior loaded (s)", Run::selectorReadySeconds);
        XYPlot timePlot = plot(times, "seconds", times.getSeriesCount());

        LogAxis scopes = new LogAxis("scopes (one posterior each), d = " + dimension);
        scopes.setBase(10);
        scopes.setNumberFormatOverride(new java.text.DecimalFormat("#,##0"));
        CombinedDomainXYPlot combined = new CombinedDomainXYPlot(scopes);
        combined.add(sizePlot, 3);
        combined.add(timePlot, 2);
        combined.setGap(12);
        JFreeChart chart = new JFreeChart("Learner and selector cost against the number of scopes",
                new Font(Font.SANS_SERIF, Font.BOLD, 18), combined, true);
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, 1100, 900);
    }

    private static void add(XYSeriesCollection data, List<Run> runs, String name, ToDoubleFunction<Run> value) {
        XYSeries series = new XYSeries(name);
        runs.forEach(r -> series.add(r.scopes(), value.applyAsDouble(r)));
        data.addSeries(series);
    }

    /** The first {@code measured} series solid with points, the rest dotted in the same colours. */
    private static XYPlot plot(XYSeriesCollection data, String label, int measured) {
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            renderer.setSeriesPaint(i, COLORS[(i % measured) % COLORS.length]);
            if (i >= measured) {
                renderer.setSeriesStroke(i, new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f,
                        new float[] {1.5f, 3f}, 0f));
                renderer.setSeriesShapesVisible(i, false);
                renderer.setSeriesVisibleInLegend(i, i == measured);
            } else {
                renderer.setSeriesStroke(i, new BasicStroke(2.2f));
            }
        }
        LogAxis axis = new LogAxis(label);
        axis.setBase(10);
        axis.setNumberFormatOverride(new java.text.DecimalFormat("#,##0.##"));
        XYPlot plot = new XYPlot(data, null, axis, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        return plot;
    }
}
