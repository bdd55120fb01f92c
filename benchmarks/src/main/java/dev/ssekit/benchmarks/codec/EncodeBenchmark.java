package dev.ssekit.benchmarks.codec;

import dev.ssekit.protocol.ServerSentEvent;
import dev.ssekit.protocol.SseEncoder;
import io.javalin.http.sse.Emitter;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
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
 * Encoding: one operation is one event. {@code ssekitEncode} is the hub's per-publish work (one
 * frame into a reused encoder, copied out once); {@code ssekitEncodeOnceWrite100} adds writing
 * that frame to 100 clients; {@code javalinEmitterWrite100} is what Javalin's {@code SseClient}
 * does for the same 100 clients: its {@code Emitter} formats the event again for every client.
 * Client connections are byte counters, so only encoding and copying are measured.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar Encode -prof gc</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class EncodeBenchmark {
  /** Clients each event is written to in the fan-out benchmarks. */
  public static final int CLIENTS = 100;

  @Param
  public Shape shape;

  private ServerSentEvent[] events;
  private int next;
  private final SseEncoder encoder = new SseEncoder();
  private final CountingOutputStream[] sockets = new CountingOutputStream[CLIENTS];
  private final CountingResponse[] responses = new CountingResponse[CLIENTS];
  private final Emitter[] emitters = new Emitter[CLIENTS];

  /** Builds the events and the client sinks. */
  @Setup(Level.Trial)
  public void setUp() {
    Corpus corpus = shape.corpus();
    List<ServerSentEvent> list = corpus.events();
    events = list.toArray(new ServerSentEvent[0]);
    for (int i = 0; i < CLIENTS; i++) {
      sockets[i] = new CountingOutputStream();
      responses[i] = new CountingResponse();
      emitters[i] = new Emitter(responses[i]);
    }
    checkSameFrames();
  }

  /** Both encoders must produce the same bytes, or they would not be doing the same work. */
  private void checkSameFrames() {
    for (ServerSentEvent event : events) {
      CountingResponse response = new CountingResponse(true);
      new Emitter(response).emit(event.type(), new ByteArrayInputStream(event.data().getBytes(StandardCharsets.UTF_8)), event.id());
      byte[] ssekit = SseEncoder.encode(event);
      if (!Arrays.equals(response.body().captured(), ssekit)) {
        throw new IllegalStateException("Javalin and ssekit wrote different frames for " + event + ":\n"
            + new String(response.body().captured(), StandardCharsets.UTF_8) + "\nvs\n" + new String(ssekit, StandardCharsets.UTF_8));
      }
    }
  }

  private int nextIndex() {
    int i = next;
    next = i + 1 == events.length ? 0 : i + 1;
    return i;
  }

  /** One event encoded by ssekit into a frame of its own, as the hub does once per publish. */
  @Benchmark
  public byte[] ssekitEncode() {
    return encoder.reset().event(events[nextIndex()]).toByteArray();
  }

  /** One event encoded once by ssekit and the same frame written to {@value #CLIENTS} clients. */
  @Benchmark
  public void ssekitEncodeOnceWrite100(Blackhole blackhole) throws Exception {
    byte[] frame = encoder.reset().event(events[nextIndex()]).toByteArray();
    for (CountingOutputStream socket : sockets) socket.write(frame, 0, frame.length);
    blackhole.consume(sockets[CLIENTS - 1].checksum());
  }

  /**
   * One event sent to {@value #CLIENTS} clients the way Javalin's {@code SseClient.sendEvent(type,
   * data, id)} does for a String: UTF-8 bytes of the data, then {@code Emitter.emit} per client.
   */
  @Benchmark
  public void javalinEmitterWrite100(Blackhole blackhole) {
    int i = nextIndex();
    ServerSentEvent event = events[i];
    for (Emitter emitter : emitters) {
      emitter.emit(event.type(), new ByteArrayInputStream(event.data().getBytes(StandardCharsets.UTF_8)), event.id());
    }
    blackhole.consume(responses[CLIENTS - 1].body().checksum());
  }
}
