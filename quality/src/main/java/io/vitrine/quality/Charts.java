package io.vitrine.quality;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.geom.Ellipse2D;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** PNG line charts for the report, drawn headless with JFreeChart. */
public final class Charts {

    static final int WIDTH = 1100;
    static final int HEIGHT = 650;

    /** Distinct colours that stay apart in print and for common colour blindness (Okabe-Ito, yellow darkened). */
    private static final Color[] PALETTE = {
        new Color(0, 114, 178), new Color(213, 94, 0), new Color(0, 158, 115), new Color(204, 121, 167),
        new Color(230, 159, 0), new Color(86, 180, 233), new Color(0, 0, 0), new Color(150, 150, 150),
        new Color(128, 128, 0), new Color(120, 60, 20), new Color(100, 100, 200)
    };

    private Charts() {
    }

    /**
     * One line per series.
     *
     * @param series name -> {x[], y[]}, in legend order
     * @param logY   logarithmic y axis (for values spanning decades)
     */
    public static void line(Path file, String title, String subtitle, String xLabel, String yLabel,
                     Map<String, double[][]> series, boolean logY, boolean shapes) throws IOException {
        System.setProperty("java.awt.headless", "true");
        XYSeriesCollection data = new XYSeriesCollection();
        for (Map.Entry<String, double[][]> entry : series.entrySet()) {
            XYSeries line = new XYSeries(entry.getKey(), false, true);
            double[] x = entry.getValue()[0];
            double[] y = entry.getValue()[1];
            for (int i = 0; i < x.length; i++) {
                // A log axis cannot show zero or NaN: leave the point out.
                if (Double.isFinite(y[i]) && (!logY || y[i] > 0)) {
                    line.add(x[i], y[i]);
                }
            }
            data.addSeries(line);
        }
        NumberAxis xAxis = new NumberAxis(xLabel);
        xAxis.setAutoRangeIncludesZero(false);
        ValueAxis yAxis;
        if (logY) {
            LogAxis log = new LogAxis(yLabel);
            log.setBase(10);
            // Four decimals: close ticks of small values (0.032, 0.034) must not print alike.
            log.setNumberFormatOverride(new java.text.DecimalFormat("#,##0.####"));
            log.setSmallestValue(1e-3);
            yAxis = log;
        } else {
            NumberAxis linear = new NumberAxis(yLabel);
            linear.setAutoRangeIncludesZero(true);
            yAxis = linear;
        }
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, shapes);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            renderer.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
            renderer.setSeriesStroke(i, new BasicStroke(2.5f));
            renderer.setSeriesShape(i, new Ellipse2D.Double(-4, -4, 8, 8));
        }
        XYPlot plot = new XYPlot(data, xAxis, yAxis, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(210, 210, 210));
        plot.setRangeGridlinePaint(new Color(210, 210, 210));
        Font axisFont = new Font(Font.SANS_SERIF, Font.PLAIN, 16);
        Font tickFont = new Font(Font.SANS_SERIF, Font.PLAIN, 14);
        for (ValueAxis axis : List.of(xAxis, yAxis)) {
            axis.setLabelFont(axisFont);
            axis.setTickLabelFont(tickFont);
        }
        JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 20), plot, true);
        if (subtitle != null) {
            chart.addSubtitle(new TextTitle(subtitle, new Font(Font.SANS_SERIF, Font.PLAIN, 14)));
        }
        chart.getLegend().setItemFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
    }

}
