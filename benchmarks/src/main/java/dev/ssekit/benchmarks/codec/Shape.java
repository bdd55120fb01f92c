package dev.ssekit.benchmarks.codec;

import dev.ssekit.protocol.ServerSentEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The event shapes the codec benchmarks measure. Each builds a deterministic list of distinct
 * events (ASCII text, like most JSON on the wire) whose encoded stream is about
 * {@link #TARGET_STREAM_BYTES}, so every benchmark invocation parses a realistic amount of data.
 */
public enum Shape {
  /** About 110 bytes on the wire: {@code id}, {@code event} and one short JSON {@code data} line. */
  SMALL {
    @Override
    ServerSentEvent event(int i, SplittableRandom random) {
      String data = String.format("{\"symbol\":\"%s\",\"venue\":\"XNAS\",\"bid\":%d.%02d,\"ask\":%d.%02d,\"ts\":%d}",
          SYMBOLS[i % SYMBOLS.length], 100 + random.nextInt(900), random.nextInt(100),
          100 + random.nextInt(900), random.nextInt(100), 1_764_123_456_789L + i);
      return ServerSentEvent.of("quote", data, Integer.toString(1_000_000 + i));
    }
  },
  /** What the ssekit server sends every second: {@code id}, {@code event: heartbeat}, epoch millis. */
  HEARTBEAT {
    @Override
    ServerSentEvent event(int i, SplittableRandom random) {
      return ServerSentEvent.heartbeat(1_764_123_456_789L + 1000L * i).withId(Integer.toString(1_000_000 + i));
    }
  },
  /** A 1 KB JSON object on one {@code data} line, with {@code id} and {@code event}. */
  JSON_1K {
    @Override
    ServerSentEvent event(int i, SplittableRandom random) {
      StringBuilder json = new StringBuilder(1100).append("{\"orderId\":").append(i).append(",\"lines\":[");
      for (int line = 0; json.length() < 980; line++) {
        if (line > 0) json.append(',');
        json.append("{\"sku\":\"SKU-").append(random.nextInt(1_000_000))
            .append("\",\"qty\":").append(1 + random.nextInt(9))
            .append(",\"price\":").append(random.nextInt(10_000)).append('}');
      }
      return ServerSentEvent.of("order", json.append("]}").toString(), Integer.toString(1_000_000 + i));
    }
  },
  /** Twenty {@code data} lines of about 40 characters each (a log excerpt), with {@code id} and {@code event}. */
  MULTILINE_20 {
    @Override
    ServerSentEvent event(int i, SplittableRandom random) {
      StringBuilder text = new StringBuilder(20 * 42);
      for (int line = 0; line < 20; line++) {
        if (line > 0) text.append('\n');
        text.append(String.format("%08d INFO worker-%d processed batch %06d", i * 20 + line,
            random.nextInt(16), random.nextInt(1_000_000)));
      }
      return ServerSentEvent.of("log", text.toString(), Integer.toString(1_000_000 + i));
    }
  },
  /** One 64 KiB {@code data} line (e.g. a large snapshot), with {@code id} and {@code event}. */
  LINE_64K {
    @Override
    ServerSentEvent event(int i, SplittableRandom random) {
      char[] chars = new char[64 * 1024];
      for (int c = 0; c < chars.length; c++) chars[c] = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
      return ServerSentEvent.of("snapshot", new String(chars), Integer.toString(1_000_000 + i));
    }
  };

  /** Each shape's stream is at least this long, so a benchmark invocation parses about 1 MiB. */
  public static final int TARGET_STREAM_BYTES = 1 << 20;

  private static final String[] SYMBOLS = {"ACME", "GLOBX", "INITECH", "UMBRL", "HOOLI", "STARK"};
  private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/";

  abstract ServerSentEvent event(int index, SplittableRandom random);

  /** Returns this shape's events and their encoded stream. */
  public Corpus corpus() {
    SplittableRandom random = new SplittableRandom(42);
    List<ServerSentEvent> events = new ArrayList<>();
    int bytes = 0;
    while (bytes < TARGET_STREAM_BYTES) {
      ServerSentEvent event = event(events.size(), random);
      events.add(event);
      bytes += dev.ssekit.protocol.SseEncoder.encode(event).length;
    }
    return Corpus.of(events);
  }
}
