package dev.ssekit.client.cli;

import dev.ssekit.client.ReconnectPolicy;
import dev.ssekit.client.SseClient;
import dev.ssekit.client.SseException;
import dev.ssekit.protocol.EventsLost;
import dev.ssekit.protocol.ServerSentEvent;
import dev.ssekit.protocol.internal.Durations;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.json.JsonMapper;

/** The client jar's entry point: {@code java -jar ssekit-client.jar [options] URL}; see {@code --help}. */
public final class ClientMain {
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** One line of {@code --format json}. */
  private record JsonLine(String type, String id, String data) {}

  private ClientMain() {}

  /** Subscribes and prints until done; exits with 0 (done), 1 (failed) or 2 (usage). */
  public static void main(String[] args) {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
    System.exit(run(args, out, err, Clock.systemUTC()));
  }

  /** Runs the subscriber with {@code args}, printing to {@code out} and {@code err}; returns the exit status. */
  static int run(String[] args, PrintStream out, PrintStream err, Clock clock) {
    ClientFlags flags;
    try {
      flags = ClientFlags.parse(args);
    } catch (ClientFlags.UsageException e) {
      err.println("ssekit-client: " + e.getMessage());
      return 2;
    }
    if (flags.help()) {
      out.print(ClientFlags.USAGE);
      return 0;
    }

    CountDownLatch closed = new CountDownLatch(1);
    AtomicInteger status = new AtomicInteger(0);
    AtomicLong printed = new AtomicLong();
    SseClient[] self = new SseClient[1];
    SseClient.Builder builder;
    try {
      builder = SseClient.builder().url(flags.url());
    } catch (IllegalArgumentException e) {
      err.println("ssekit-client: " + e.getMessage());
      return 2;
    }
    flags.headers().forEach(h -> builder.header(h[0], h[1]));
    if (!flags.lastEventId().isEmpty()) builder.lastEventId(flags.lastEventId());
    if (flags.readTimeout() != null) builder.readTimeout(flags.readTimeout());
    if (!flags.reconnect()) builder.reconnectPolicy(ReconnectPolicy.NEVER);
    builder.onEvent(event -> {
      if (printed.get() >= flags.maxEvents()) return;
      out.println(flags.json() ? json(event) : text(event, clock.instant()));
      if (printed.incrementAndGet() >= flags.maxEvents()) self[0].close();
    });
    builder.listener(new SseClient.Listener() {
      @Override
      public void onEventsLost(EventsLost lost) {
        err.println("ssekit-client: the server no longer has the events after id " + lost.lastEventId()
            + (lost.firstAvailableId() == null ? "" : "; resuming at id " + lost.firstAvailableId()));
      }

      @Override
      public void onError(SseException error) {
        if (error.isFatal()) {
          status.set(1);
          err.println("ssekit-client: " + error.getMessage());
        } else if (error.retryIn() != null) {
          err.println("ssekit-client: " + error.getMessage() + "; reconnecting in " + Durations.format(error.retryIn()));
        } else {
          err.println("ssekit-client: " + error.getMessage());
        }
      }

      @Override
      public void onClosed() {
        closed.countDown();
      }
    });
    try (SseClient client = builder.build()) {
      self[0] = client;
      client.start();
      closed.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
    return status.get();
  }

  private static String json(ServerSentEvent event) {
    return JSON.writeValueAsString(new JsonLine(event.type(), event.id() == null ? "" : event.id(), event.data()));
  }

  private static String text(ServerSentEvent event, Instant now) {
    String data = event.data().replace("\n", "\n" + " ".repeat(4));
    return now.truncatedTo(ChronoUnit.MILLIS) + "  " + event.type() + "  id=" + (event.id() == null ? "" : event.id()) + "  " + data;
  }
}
