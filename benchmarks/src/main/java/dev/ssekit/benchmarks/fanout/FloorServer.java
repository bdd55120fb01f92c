package dev.ssekit.benchmarks.fanout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The floor ({@code BenchServer --impl floor}): the least work a Java server can do to fan an event
 * out to N HTTP/1.1 clients, against which ssekit and the Javalin baseline are measured in the same
 * run. Plain NIO, no HTTP library: an acceptor thread ({@code floor-acceptor}) deals the sockets
 * out to one {@link FloorShard} per core; each answers {@code GET /sse} with a minimal head
 * ({@code 200}, {@code text/event-stream}, chunked) and, at each event, writes one chunk to each
 * of its streams, non-blocking, losing nothing.
 *
 * <p>The events are those of the ssekit server, byte for byte in shape and length: the same
 * {@link Publisher} (scheduled epoch millisecond first in the data, so lateness shows as latency),
 * the id {@code <offset>.<tag>} (offsets 1, 2, 3, …, a random 6-character tag each), the type, and
 * the padding; e.g. {@code id: 4.gXdOfO\nevent: heartbeat\ndata: 1796124192007\n\n}, 51 bytes,
 * sent as one 57-byte chunk. Each event is encoded once, on the publisher thread; what is left per
 * client is one {@code write} system call.
 *
 * <p>{@code GET /health} answers {@code {"clients":n,"published":n,"slowClientsDisconnected":n,
 * "publishFailed":0}} as the other servers do, and {@code GET /publish-durations} how long each
 * publish (encoding it and handing it to the shards) took.
 */
final class FloorServer implements AutoCloseable {
  private static final char[] TAG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
  private static final int TAG_LENGTH = 6; // as ssekit's EventId.TAG_LENGTH

  private final ServerSocketChannel listener;
  private final FloorShard[] shards;
  private final Thread acceptor;
  private final AtomicLong clients = new AtomicLong();
  private final AtomicLong published = new AtomicLong();
  private final AtomicLong slowCut = new AtomicLong();
  private final Publisher publisher;
  private final String type;
  private final String padding;
  private long offset; // publisher thread only

  private FloorServer(InetSocketAddress address, int threads, double rate, String type, String padding) throws IOException {
    this.type = type;
    this.padding = padding;
    this.shards = new FloorShard[threads];
    for (int i = 0; i < threads; i++) shards[i] = new FloorShard(this, i);
    this.listener = ServerSocketChannel.open();
    listener.bind(address, 4096); // net.core.somaxconn here: ramps of 64 connections at a time never overflow it
    for (FloorShard shard : shards) shard.start();
    this.acceptor = new Thread(this::acceptLoop, "floor-acceptor");
    acceptor.start();
    this.publisher = rate > 0 ? new Publisher(rate, this::publish) : null;
  }

  /** Starts the floor server on {@code host:port} with {@code threads} writer threads, publishing {@code rate} events/s. */
  static FloorServer start(String host, int port, int threads, double rate, String type, String padding) throws IOException {
    if (threads < 1) throw new IllegalArgumentException("--threads must be at least 1: " + threads);
    return new FloorServer(new InetSocketAddress(host, port), threads, rate, type, padding);
  }

  private void acceptLoop() {
    int next = 0;
    while (true) {
      SocketChannel channel;
      try {
        channel = listener.accept();
      } catch (ClosedChannelException e) {
        return; // stopped
      } catch (IOException e) {
        // e.g. out of file descriptors: keep serving the streams already open
        System.err.println("floor-acceptor: " + e);
        sleepQuietly();
        continue;
      }
      try {
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true); // as Jetty's connector: no Nagle delay on small chunks
      } catch (IOException e) {
        closeQuietly(channel);
        continue;
      }
      shards[next].accept(channel);
      next = (next + 1) % shards.length;
    }
  }

  /** Encodes the event scheduled for {@code epochMillis} once and hands its chunk to every shard. Publisher thread. */
  private void publish(long epochMillis) {
    String id = ++offset + "." + newTag();
    byte[] frame = ("id: " + id + "\nevent: " + type + "\ndata: " + epochMillis + padding + "\n\n").getBytes(StandardCharsets.UTF_8);
    byte[] size = (Integer.toHexString(frame.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    byte[] chunk = new byte[size.length + frame.length + 2];
    System.arraycopy(size, 0, chunk, 0, size.length);
    System.arraycopy(frame, 0, chunk, size.length, frame.length);
    chunk[chunk.length - 2] = '\r';
    chunk[chunk.length - 1] = '\n';
    for (FloorShard shard : shards) shard.publish(chunk);
    published.incrementAndGet();
  }

  private static String newTag() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    char[] tag = new char[TAG_LENGTH];
    for (int i = 0; i < tag.length; i++) tag[i] = TAG_ALPHABET[random.nextInt(TAG_ALPHABET.length)];
    return new String(tag);
  }

  void streamOpened() {
    clients.incrementAndGet();
  }

  void streamClosed() {
    clients.decrementAndGet();
  }

  void slowStreamCut() {
    slowCut.incrementAndGet();
  }

  /** The body of {@code GET /health}. */
  String health() {
    return "{\"clients\":" + clients.get() + ",\"published\":" + published.get() + ",\"slowClientsDisconnected\":"
        + slowCut.get() + ",\"publishFailed\":" + (publisher == null ? 0 : publisher.failed()) + "}";
  }

  /** The body of {@code GET /publish-durations}. */
  String publishDurations() {
    return publisher == null ? "" : publisher.durationsSinceLastCall();
  }

  private static void sleepQuietly() {
    try {
      TimeUnit.MILLISECONDS.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void closeQuietly(SocketChannel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // gone either way
    }
  }

  /** Stops publishing, stops accepting, and closes every connection. */
  @Override
  public void close() throws IOException {
    if (publisher != null) publisher.close();
    listener.close();
    try {
      acceptor.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (FloorShard shard : shards) shard.close();
  }
}
