package dev.ssekit.benchmarks.codec;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Decodes the same ~1 MiB stream with ssekit, okhttp-sse and LaunchDarkly's okhttp-eventsource.
 * One operation is one whole stream; {@code CodecReport} turns the scores into MB/s, events/s and,
 * with {@code -prof gc}, bytes allocated per event. {@code stringsOnly} is the floor: it only
 * creates each event's data and id strings, which any decoder must hand over.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar Decode -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class DecodeBenchmark {
  @Param
  public Shape shape;

  private Corpus corpus;
  private EventSink sink;
  private final SsekitDecoder ssekit = new SsekitDecoder();
  private final OkHttpSseDecoder okhttpSse = new OkHttpSseDecoder();
  private final LaunchDarklyDecoder launchDarkly = new LaunchDarklyDecoder();

  /** Builds the stream and checks that every library decodes it to the very same events. */
  @Setup(Level.Trial)
  public void setUp(Blackhole blackhole) throws Exception {
    corpus = shape.corpus();
    sink = (type, data, id) -> {
      blackhole.consume(type);
      blackhole.consume(data);
      blackhole.consume(id);
    };
    DecodeCheck.verify(corpus, ssekit, "ssekit");
    DecodeCheck.verify(corpus, okhttpSse, "okhttp-sse");
    DecodeCheck.verify(corpus, launchDarkly, "okhttp-eventsource");
  }

  /** ssekit's SseDecoder. */
  @Benchmark
  public int ssekit() throws Exception {
    return ssekit.decode(corpus.stream(), sink);
  }

  /** okhttp-sse's EventSources.processResponse. */
  @Benchmark
  public int okhttpSse() throws Exception {
    return okhttpSse.decode(corpus.stream(), sink);
  }

  /** LaunchDarkly's okhttp-eventsource EventSource.readMessage. */
  @Benchmark
  public int okhttpEventsource() throws Exception {
    return launchDarkly.decode(corpus.stream(), sink);
  }

  /** The reference floor: only the data and id strings of every event, decoded from UTF-8. */
  @Benchmark
  public int stringsOnly() {
    byte[][] data = corpus.dataUtf8();
    byte[][] ids = corpus.idUtf8();
    for (int i = 0; i < data.length; i++) {
      sink.event(null, new String(data[i], StandardCharsets.UTF_8), new String(ids[i], StandardCharsets.UTF_8));
    }
    return data.length;
  }
}
