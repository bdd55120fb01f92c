package dev.ssekit.benchmarks.fanout;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Stroke;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Draws heartbeat delivery latency (p50 and p99, log scale) against the number of clients held,
 * one colour per server, from the heartbeat-only scenarios of a {@link Summary}; headless Java2D.
 */
final class LatencyChart {
  private static final int WIDTH = 960;
  private static final int HEIGHT = 600;
  private static final int LEFT = 90;
  private static final int RIGHT = 220;
  private static final int TOP = 60;
  private static final int BOTTOM = 70;
  private static final Map<String, Color> COLOURS = Map.of(
      "ssekit", new Color(0x1f77b4), "javalin", new Color(0xd62728), "ssekit-jar", new Color(0x2ca02c),
      "ssekit-patched", new Color(0x9467bd), Summary.FLOOR, new Color(0x555555));
  /** The target for p99 delivery latency, drawn as a reference line. */
  private static final double TARGET_P99_MS = 50;

  private LatencyChart() {}

  /** Writes the chart to {@code file}, unless the summary has no heartbeat-only scenario to plot. */
  static void write(Summary summary, Path file) throws IOException {
    System.setProperty("java.awt.headless", "true");
    Map<String, List<Summary.Row>> series = new LinkedHashMap<>();
    for (Summary.Row row : summary.rows()) {
      Scenario s = row.scenario();
      if (s.rate() == 1 && s.payloadBytes() == 0 && s.stalled() == 0 && row.held() > 0 && row.p99() >= 0) {
        series.computeIfAbsent(s.impl(), k -> new ArrayList<>()).add(row);
      }
    }
    if (series.isEmpty()) return; // no heartbeat-only scenario: nothing to plot
    for (List<Summary.Row> rows : series.values()) rows.sort((a, b) -> Double.compare(a.held(), b.held()));

    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, WIDTH, HEIGHT);
      draw(g, series);
    } finally {
      g.dispose();
    }
    ImageIO.write(image, "png", file.toFile());
  }

  private static void draw(Graphics2D g, Map<String, List<Summary.Row>> series) {
    double minClients = 1000;
    double maxClients = 1000;
    double maxMs = 10;
    for (List<Summary.Row> rows : series.values()) {
      for (Summary.Row r : rows) {
        minClients = Math.min(minClients, r.held());
        maxClients = Math.max(maxClients, r.held());
        maxMs = Math.max(maxMs, r.p99());
      }
    }
    double xMin = Math.log10(minClients / 1.6);
    double xMax = Math.log10(maxClients * 1.6);
    double yMin = 0; // log10(1 ms); 0 ms is drawn at 1 ms (resolution of the timestamps)
    double yMax = Math.ceil(Math.log10(maxMs * 2));
    Axis x = new Axis(xMin, xMax, LEFT, WIDTH - RIGHT);
    Axis y = new Axis(yMin, yMax, HEIGHT - BOTTOM, TOP);

    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 17));
    g.drawString("SSE heartbeat delivery latency vs. concurrent clients", LEFT, 28);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    g.drawString("1 s heartbeat, loopback, server and load driver on the same 2 cores; publish-to-receipt, median of runs", LEFT, 46);

    // Grid and axis labels.
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    for (int decade = (int) yMin; decade <= yMax; decade++) {
      int py = y.at(decade);
      g.setColor(new Color(0xdddddd));
      g.drawLine(LEFT, py, WIDTH - RIGHT, py);
      g.setColor(Color.DARK_GRAY);
      String label = decade == 0 ? "≤1 ms" : String.format("%,d ms", (long) Math.pow(10, decade));
      g.drawString(label, LEFT - 8 - g.getFontMetrics().stringWidth(label), py + 4);
    }
    for (int clients : new int[] {100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000}) {
      double lx = Math.log10(clients);
      if (lx < xMin || lx > xMax) continue;
      int px = x.at(lx);
      g.setColor(new Color(0xdddddd));
      g.drawLine(px, TOP, px, HEIGHT - BOTTOM);
      g.setColor(Color.DARK_GRAY);
      String label = String.format("%,d", clients);
      g.drawString(label, px - g.getFontMetrics().stringWidth(label) / 2, HEIGHT - BOTTOM + 18);
    }
    int target = y.at(Math.log10(TARGET_P99_MS));
    g.setColor(Color.GRAY);
    g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {3f, 4f}, 0f));
    g.drawLine(LEFT, target, WIDTH - RIGHT, target);
    g.setStroke(new BasicStroke(1f));
    g.drawString("target p99 50 ms", LEFT + 6, target - 5);
    g.setColor(Color.BLACK);
    g.drawRect(LEFT, TOP, WIDTH - RIGHT - LEFT, HEIGHT - BOTTOM - TOP);
    g.drawString("concurrent clients held (log scale)", LEFT + (WIDTH - RIGHT - LEFT) / 2 - 100, HEIGHT - 25);
    Graphics2D rotated = (Graphics2D) g.create();
    rotated.rotate(-Math.PI / 2);
    rotated.drawString("latency (log scale)", -(TOP + (HEIGHT - BOTTOM - TOP) / 2) - 50, 22);
    rotated.dispose();

    Stroke solid = new BasicStroke(2.5f);
    Stroke dashed = new BasicStroke(2.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {8f, 6f}, 0f);
    int legendY = TOP + 10;
    for (Map.Entry<String, List<Summary.Row>> e : series.entrySet()) {
      Color colour = COLOURS.getOrDefault(e.getKey(), Color.GRAY);
      plot(g, e.getValue(), x, y, colour, solid, true);
      plot(g, e.getValue(), x, y, colour, dashed, false);
      legendY = legend(g, e.getKey(), colour, solid, dashed, legendY);
    }
  }

  private static void plot(Graphics2D g, List<Summary.Row> rows, Axis x, Axis y, Color colour, Stroke stroke, boolean median) {
    g.setColor(colour);
    g.setStroke(stroke);
    int[] px = new int[rows.size()];
    int[] py = new int[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      Summary.Row r = rows.get(i);
      double ms = Math.max(1, median ? r.p50() : r.p99());
      px[i] = x.at(Math.log10(r.held()));
      py[i] = y.at(Math.log10(ms));
    }
    g.drawPolyline(px, py, px.length);
    g.setStroke(new BasicStroke(1f));
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    for (int i = 0; i < rows.size(); i++) {
      g.fillOval(px[i] - 4, py[i] - 4, 8, 8);
      long value = (long) (median ? rows.get(i).p50() : rows.get(i).p99());
      g.drawString(String.format("%,d ms", value), px[i] + 7, py[i] + (median ? 14 : -6));
    }
  }

  private static int legend(Graphics2D g, String impl, Color colour, Stroke solid, Stroke dashed, int top) {
    int x0 = WIDTH - RIGHT + 20;
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    g.setColor(colour);
    g.setStroke(solid);
    g.drawLine(x0, top, x0 + 30, top);
    g.setStroke(dashed);
    g.drawLine(x0, top + 20, x0 + 30, top + 20);
    g.setStroke(new BasicStroke(1f));
    g.setColor(Color.BLACK);
    g.drawString(impl + " p50", x0 + 38, top + 5);
    g.drawString(impl + " p99", x0 + 38, top + 25);
    return top + 50;
  }

  /** Maps a value in [min, max] to pixels in [from, to]. */
  private record Axis(double min, double max, int from, int to) {
    int at(double value) {
      return (int) Math.round(from + (value - min) / (max - min) * (to - from));
    }
  }
}
