package dev.ssekit.benchmarks.topics;

import dev.ssekit.server.Publication;
import dev.ssekit.server.SseConnection;
import dev.ssekit.server.SseHub;
import dev.ssekit.server.SseSink;
import dev.ssekit.server.Subscription;
import dev.ssekit.protocol.ServerSentEvent;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * What topics cost a hub, in one process, without sockets (100,000 connections are over this
 * machine's open-files limit): clients are sinks that take every write at once and count it, so
 * the numbers are the hub's own work — the log append, the topic index, the queues and the writer
 * threads — and nothing of the network.
 *
 * <ol>
 *   <li><b>100,000 topics</b>: 100,000 clients, each subscribed to its own topic {@code user:i}
 *       and one shared topic. Heap per client after a full GC; the cost of a publish to one
 *       user's topic (until its client has it) and of a publish to the shared topic (until all
 *       100,000 have it).</li>
 *   <li><b>1% of 10,000</b>: 10,000 clients of which 100 subscribe to topic {@code t}: the cost of
 *       a publish to {@code t} until its 100 clients have it, against a publish every client
 *       receives.</li>
 * </ol>
 *
 * <pre>java -Xmx2g -cp benchmarks/target/benchmarks.jar dev.ssekit.benchmarks.topics.TopicBenchmark</pre>
 */
public final class TopicBenchmark {
  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

  private TopicBenchmark() {}

  /** A client that takes every write at once and counts what it got. */
  static final class CountingSink implements SseSink {
    final AtomicLong writes = new AtomicLong();
    volatile SseConnection connection;

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void write(java.nio.ByteBuffer frames) {
      frames.position(frames.limit());
      writes.incrementAndGet();
    }

    @Override
    public void flush() {}

    @Override
    public void complete() {}

    @Override
    public void abort() {}
  }

  /** Runs both measurements and prints a Markdown table. */
  public static void main(String[] args) {
    int repeat = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    System.out.println("| measurement | run | result |");
    System.out.println("| --- | --- | --- |");
    for (int run = 1; run <= repeat; run++) {
      hundredThousandTopics(run);
      onePercentOfTenThousand(run);
    }
  }

  private static SseHub hub(int clients) {
    return SseHub.create(c -> {
      c.maxClients = clients + 10;
      c.history = 1000;
    });
  }

  private static CountingSink connect(SseHub hub, Subscription subscription) {
    CountingSink sink = new CountingSink();
    sink.connection = hub.connect(sink, null, subscription);
    sink.connection.writePossible(); // writes its id-only block
    return sink;
  }

  private static void hundredThousandTopics(int run) {
    int clients = 100_000;
    long before = heapAfterGc();
    SseHub hub = hub(clients);
    List<CountingSink> sinks = new ArrayList<>(clients);
    for (int i = 0; i < clients; i++) sinks.add(connect(hub, Subscription.to("user:" + i, "all")));
    awaitWrites(sinks, 1);
    long after = heapAfterGc();
    row("100,000 clients, a topic each + 1 shared: heap per client", run, String.format(Locale.ROOT, "%,d bytes", (after - before) / clients));

    // A publish to one user's topic, timed until that client has it.
    int publishes = 100_000;
    ServerSentEvent event = ServerSentEvent.of("n", "x".repeat(64));
    long start = System.nanoTime();
    for (int i = 0; i < publishes; i++) {
      int user = ThreadLocalRandom.current().nextInt(clients);
      CountingSink sink = sinks.get(user);
      long had = sink.writes.get();
      hub.publish(Publication.of(event).toTopic("user:" + user));
      while (sink.writes.get() == had) Thread.onSpinWait();
    }
    long perUser = (System.nanoTime() - start) / publishes;
    row("publish to one of 100,000 user topics, until its client has it", run, String.format(Locale.ROOT, "%,d ns", perUser));

    // A publish to the shared topic, timed until all 100,000 have it.
    int broadcasts = 20;
    long[] expected = new long[clients];
    for (int i = 0; i < clients; i++) expected[i] = sinks.get(i).writes.get();
    start = System.nanoTime();
    for (int b = 1; b <= broadcasts; b++) {
      hub.publish(Publication.of(event).toTopic("all"));
      for (int i = 0; i < clients; i++) {
        CountingSink sink = sinks.get(i);
        while (sink.writes.get() < expected[i] + 1) LockSupport.parkNanos(10_000);
        expected[i] = sink.writes.get();
      }
    }
    long perBroadcast = (System.nanoTime() - start) / broadcasts;
    row("publish to the topic all 100,000 share, until all have it", run,
        String.format(Locale.ROOT, "%,.1f ms (%,d ns per client)", perBroadcast / 1e6, perBroadcast / clients));
    hub.close();
  }

  private static void onePercentOfTenThousand(int run) {
    int clients = 10_000;
    SseHub hub = hub(clients);
    List<CountingSink> subscribers = new ArrayList<>();
    List<CountingSink> all = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      boolean onT = i % 100 == 0;
      CountingSink sink = connect(hub, onT ? Subscription.to("t", "everyone") : Subscription.to("everyone"));
      all.add(sink);
      if (onT) subscribers.add(sink);
    }
    awaitWrites(all, 1);
    ServerSentEvent event = ServerSentEvent.of("n", "x".repeat(64));
    row("10,000 clients, 100 on topic t: publish to t, until its 100 have it", run,
        String.format(Locale.ROOT, "%,d ns", timeEach(hub, "t", event, subscribers, 5_000)));
    row("the same 10,000: publish to a topic all of them have, until all have it", run,
        String.format(Locale.ROOT, "%,d ns", timeEach(hub, "everyone", event, all, 200)));
    hub.close();
  }

  /** Returns the mean nanoseconds from a publish to {@code topic} until every one of {@code sinks} has it. */
  private static long timeEach(SseHub hub, String topic, ServerSentEvent event, List<CountingSink> sinks, int publishes) {
    long[] expected = sinks.stream().mapToLong(s -> s.writes.get()).toArray();
    long start = System.nanoTime();
    for (int p = 0; p < publishes; p++) {
      hub.publish(Publication.of(event).toTopic(topic));
      for (int i = 0; i < sinks.size(); i++) {
        CountingSink sink = sinks.get(i);
        while (sink.writes.get() < expected[i] + 1) Thread.onSpinWait();
        expected[i] = sink.writes.get();
      }
    }
    return (System.nanoTime() - start) / publishes;
  }

  private static void awaitWrites(List<CountingSink> sinks, long atLeast) {
    for (CountingSink sink : sinks) {
      while (sink.writes.get() < atLeast) LockSupport.parkNanos(100_000);
    }
  }

  private static long heapAfterGc() {
    for (int i = 0; i < 3; i++) System.gc();
    return MEMORY.getHeapMemoryUsage().getUsed();
  }

  private static void row(String what, int run, String result) {
    System.out.println("| " + what + " | " + run + " | " + result + " |");
  }
}
