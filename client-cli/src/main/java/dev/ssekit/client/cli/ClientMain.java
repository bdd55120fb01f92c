package dev.ssekit.client.cli;

import dev.ssekit.client.ReconnectPolicy;
import dev.ssekit.client.SseClient;
import dev.ssekit.client.SseException;
import dev.ssekit.protocol.EventsLost;
import dev.ssekit.protocol.ServerSentEvent;
import dev.ssekit.protocol.SseComment;
import dev.ssekit.protocol.Durations;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.json.JsonMapper;

/** The client jar's entry point: {@code java -jar ssekit-client.jar [options] URL}; see {@code --help}. */
public final class ClientMain {
  /** Writes JSON straight to the output, so that a large event is never held twice more as text. */
  private static final ObjectWriter JSON = JsonMapper.builder().build().writer().without(StreamWriteFeature.AUTO_CLOSE_TARGET);

  /** One line of {@code --format json}. */
  private record JsonLine(String type, String id, String data) {}

  /** A comment's line of {@code --format json}. */
  private record JsonComment(String comment) {}

  private ClientMain() {}

  /**
   * Subscribes and prints until done; exits with 0 (done), 1 (failed) or 2 (usage).
   *
   * @param args the options and the URL, as {@code --help} lists them
   */
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
      builder = SseClient.builder().request(request(flags));
    } catch (IllegalArgumentException e) {
      err.println("ssekit-client: " + e.getMessage());
      return 2;
    }
    if (!flags.lastEventId().isEmpty()) builder.lastEventId(flags.lastEventId());
    if (flags.readTimeout() != null) builder.readTimeout(flags.readTimeout());
    if (!flags.reconnect()) builder.reconnectPolicy(ReconnectPolicy.NEVER);
    builder.onEvent(event -> {
      if (printed.get() >= flags.maxEvents()) return;
      if (flags.json()) {
        printJson(out, new JsonLine(event.type(), event.id() == null ? "" : event.id(), event.data()));
      } else {
        out.println(text(event, clock.instant()));
      }
      if (printed.incrementAndGet() >= flags.maxEvents()) self[0].close();
    });
    if (flags.comments()) {
      builder.onComment(comment -> {
        if (printed.get() >= flags.maxEvents()) return;
        if (flags.json()) {
          printJson(out, new JsonComment(comment.text()));
        } else {
          out.println(text(comment, clock.instant()));
        }
      });
    }
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

  /** Returns the request the flags describe; the body, if any, is sent again on every reconnection. */
  private static Request request(ClientFlags flags) {
    HttpUrl url = HttpUrl.parse(flags.url());
    if (url == null) throw new IllegalArgumentException("not an http or https URL: " + flags.url());
    Request.Builder request = new Request.Builder().url(url);
    String contentType = null;
    for (String[] header : flags.headers()) {
      request.addHeader(header[0], header[1]);
      if (header[0].equalsIgnoreCase("Content-Type")) contentType = header[1];
    }
    boolean bodiless = flags.method().equals("GET") || flags.method().equals("HEAD");
    byte[] body = flags.body() != null ? flags.body() : new byte[0]; // curl's -X POST sends an empty body too
    MediaType type = contentType == null ? null : MediaType.parse(contentType);
    return request.method(flags.method(), bodiless ? null : RequestBody.create(body, type)).build();
  }

  private static String text(SseComment comment, Instant now) {
    return now.truncatedTo(ChronoUnit.MILLIS) + "  : " + comment.text();
  }

  private static void printJson(PrintStream out, Object line) {
    JSON.writeValue(out, line);
    out.println();
  }

  private static String text(ServerSentEvent event, Instant now) {
    String data = event.data().replace("\n", "\n" + " ".repeat(4));
    return now.truncatedTo(ChronoUnit.MILLIS) + "  " + event.type() + "  id=" + (event.id() == null ? "" : event.id()) + "  " + data;
  }
}
