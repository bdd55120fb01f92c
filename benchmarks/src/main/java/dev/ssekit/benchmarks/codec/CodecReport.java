package dev.ssekit.benchmarks.codec;

import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns JMH result files ({@code -rf json}) of repeated runs into the markdown tables of
 * BENCHMARKS.md: the median over the runs of each benchmark's score and of its
 * {@code gc.alloc.rate.norm}, converted to MB/s, events/s and bytes allocated per event.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.ssekit.benchmarks.codec.CodecReport benchmarks/results/jmh-*.json</pre>
 */
public final class CodecReport {
  private static final String[] DECODERS = {"ssekit", "okhttpSse", "okhttpEventsource", "stringsOnly"};
  private static final Map<String, String> NAMES = Map.of(
      "ssekit", "ssekit", "okhttpSse", "okhttp-sse 5.5.1", "okhttpEventsource", "okhttp-eventsource 4.3.0",
      "stringsOnly", "strings only (floor)", "ssekitEncode", "ssekit: encode one frame",
      "ssekitEncodeOnceWrite100", "ssekit: encode once, write to 100", "javalinEmitterWrite100",
      "Javalin Emitter: write to 100");

  private CodecReport() {}

  /** Prints the decode and encode tables for the given JMH JSON files. */
  public static void main(String[] args) {
    JsonMapper json = JsonMapper.builder().build();
    // benchmark method -> shape -> scores and allocations over the runs
    Map<String, Map<Shape, List<double[]>>> results = new LinkedHashMap<>();
    for (String file : args) {
      for (JsonNode run : json.readTree(new File(file))) {
        String method = run.get("benchmark").asString().replaceAll(".*\\.", "");
        Shape shape = Shape.valueOf(run.get("params").get("shape").asString());
        double score = run.get("primaryMetric").get("score").asDouble();
        JsonNode alloc = run.path("secondaryMetrics").path("gc.alloc.rate.norm").path("score");
        results.computeIfAbsent(method, k -> new LinkedHashMap<>()).computeIfAbsent(shape, k -> new ArrayList<>())
            .add(new double[] {score, alloc.isMissingNode() ? Double.NaN : alloc.asDouble()});
      }
    }
    Map<Shape, Corpus> corpora = new LinkedHashMap<>();
    for (Shape shape : Shape.values()) corpora.put(shape, shape.corpus());
    System.out.println(decodeTable(results, corpora));
    System.out.println(encodeTable(results));
  }

  private static String decodeTable(Map<String, Map<Shape, List<double[]>>> results, Map<Shape, Corpus> corpora) {
    StringBuilder md = new StringBuilder("| shape | bytes/event | decoder | MB/s | events/s | allocated B/event | ssekit is | runs |\n");
    md.append("|---|---:|---|---:|---:|---:|---|---:|\n");
    for (Shape shape : Shape.values()) {
      Corpus corpus = corpora.get(shape);
      double bytesPerEvent = corpus.stream().length / (double) corpus.eventCount();
      double ssekit = median(results, "ssekit", shape, 0);
      for (String decoder : DECODERS) {
        List<double[]> runs = runs(results, decoder, shape);
        if (runs.isEmpty()) continue;
        double opsPerSecond = median(results, decoder, shape, 0);
        double allocPerEvent = median(results, decoder, shape, 1) / corpus.eventCount();
        String relative = decoder.equals("ssekit") || decoder.equals("stringsOnly") ? ""
            : String.format("%.2f×", ssekit / opsPerSecond);
        md.append(String.format("| %s | %.0f | %s | %,.0f | %,.0f | %,.0f | %s | %d |%n", shape, bytesPerEvent,
            NAMES.get(decoder), opsPerSecond * corpus.stream().length / 1e6, opsPerSecond * corpus.eventCount(),
            allocPerEvent, relative, runs.size()));
      }
    }
    return md.toString();
  }

  private static String encodeTable(Map<String, Map<Shape, List<double[]>>> results) {
    StringBuilder md = new StringBuilder("| shape | benchmark | events/s | allocated B/event | runs |\n");
    md.append("|---|---|---:|---:|---:|\n");
    for (Shape shape : Shape.values()) {
      for (String method : List.of("ssekitEncode", "ssekitEncodeOnceWrite100", "javalinEmitterWrite100")) {
        List<double[]> runs = runs(results, method, shape);
        if (runs.isEmpty()) continue;
        md.append(String.format("| %s | %s | %,.0f | %,.0f | %d |%n", shape, NAMES.get(method),
            median(results, method, shape, 0), median(results, method, shape, 1), runs.size()));
      }
    }
    return md.toString();
  }

  private static List<double[]> runs(Map<String, Map<Shape, List<double[]>>> results, String method, Shape shape) {
    return results.getOrDefault(method, Map.of()).getOrDefault(shape, List.of());
  }

  private static double median(Map<String, Map<Shape, List<double[]>>> results, String method, Shape shape, int column) {
    double[] values = runs(results, method, shape).stream().mapToDouble(r -> r[column]).toArray();
    if (values.length == 0) return Double.NaN;
    Arrays.sort(values);
    int n = values.length;
    return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  }
}
