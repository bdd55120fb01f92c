package dev.ssekit.testing;

import dev.ssekit.protocol.ServerSentEvent;
import dev.ssekit.protocol.SseComment;
import dev.ssekit.protocol.SseEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a {@link ScriptedSseServer} does with one connection: the response's status and headers,
 * then, step by step, what it writes (events, comments, {@code retry:}, raw bytes), waits for,
 * and how the connection ends (held open, ended cleanly, or cut, mid-event if you like).
 *
 * <pre>{@code
 * SseScript first = SseScript.stream()
 *     .retry(Duration.ofMillis(10))
 *     .event(ServerSentEvent.of("order", "{\"id\":1}", "1"))
 *     .comment("still there")
 *     .cutAfter(12)                                  // 12 bytes into the next event, then cut
 *     .event(ServerSentEvent.of("order", "{\"id\":2}", "2"));
 * SseScript busy = SseScript.status(503).header("Retry-After", "1");
 * SseScript done = SseScript.noContent();             // 204: a client must not reconnect
 * }</pre>
 *
 * <p>A body is sent with chunked transfer encoding, as servers in front of SSE streams usually do,
 * so a cut shows a client a body that ended before its last chunk, not a clean end. After its last
 * step a stream stays open, writing nothing, until the client or the server closes it; end it
 * with {@link #end()} or {@link #cut()}.
 *
 * <p>Immutable: each method returns a new script, so one can be a prefix of several.
 */
public final class SseScript {
  /** One thing the server does on the connection, in order. */
  sealed interface Step {}

  /** Writes bytes of the body. */
  record Write(byte[] bytes) implements Step {}

  /** Waits before the next step. */
  record Pause(Duration duration) implements Step {}

  /** Cuts the connection once {@code bytes} more body bytes were written. */
  record CutAfter(long bytes) implements Step {}

  /** Ends the response cleanly. */
  record End() implements Step {}

  /** Holds the connection open, writing nothing more. */
  record Stall() implements Step {}

  private final int status;
  private final List<String[]> headers;
  private final boolean hasBody;
  private final List<Step> steps;

  private SseScript(int status, List<String[]> headers, boolean hasBody, List<Step> steps) {
    this.status = status;
    this.headers = List.copyOf(headers);
    this.hasBody = hasBody;
    this.steps = List.copyOf(steps);
  }

  /**
   * Returns the start of an event stream: {@code 200}, {@code Content-Type: text/event-stream;
   * charset=utf-8}, {@code Cache-Control: no-cache}, and a body that the steps write.
   *
   * @return the script
   */
  public static SseScript stream() {
    List<String[]> headers = new ArrayList<>();
    headers.add(new String[] {"Content-Type", "text/event-stream; charset=utf-8"});
    headers.add(new String[] {"Cache-Control", "no-cache"});
    return new SseScript(200, headers, true, List.of());
  }

  /**
   * Returns a response with {@code status} and an empty body (unless steps write one), e.g.
   * {@code status(503).header("Retry-After", "2")}, or {@code status(404)}.
   *
   * @param status the HTTP status, 200 to 599
   * @return the script
   * @throws IllegalArgumentException if {@code status} is outside 200 to 599
   */
  public static SseScript status(int status) {
    if (status < 200 || status > 599) throw new IllegalArgumentException("status must be from 200 to 599: " + status);
    return new SseScript(status, List.of(), status != 204 && status != 304, List.of());
  }

  /**
   * Returns a {@code 204 No Content} response, which tells an SSE client to stop reconnecting.
   *
   * @return the script
   */
  public static SseScript noContent() {
    return status(204);
  }

  /**
   * Returns this script with a response header added.
   *
   * @param name the header's name
   * @param value its value
   * @return the new script
   * @throws IllegalArgumentException if either contains CR or LF
   */
  public SseScript header(String name, String value) {
    checkHeader(name, value);
    List<String[]> more = new ArrayList<>(headers);
    more.add(new String[] {name, value});
    return new SseScript(status, more, hasBody, steps);
  }

  /**
   * Returns this script with its {@code Content-Type} replaced, e.g. by {@code text/html} to see a
   * client refuse what is not an event stream.
   *
   * @param contentType the media type
   * @return the new script
   */
  public SseScript contentType(String contentType) {
    checkHeader("Content-Type", contentType);
    List<String[]> others = new ArrayList<>();
    for (String[] header : headers) if (!header[0].equalsIgnoreCase("Content-Type")) others.add(header);
    others.add(new String[] {"Content-Type", contentType});
    return new SseScript(status, others, hasBody, steps);
  }

  /**
   * Returns this script writing an event's frame next.
   *
   * @param event the event, with its id and retry if it has them
   * @return the new script
   */
  public SseScript event(ServerSentEvent event) {
    return write(SseEncoder.encode(event));
  }

  /**
   * Returns this script writing an id-only block next: it sets the client's last event id without
   * dispatching an event.
   *
   * @param id the id
   * @return the new script
   */
  public SseScript id(String id) {
    return write(new SseEncoder().id(id).toByteArray());
  }

  /**
   * Returns this script writing a {@code retry:} block next, which sets the client's reconnection time.
   *
   * @param retry the reconnection time
   * @return the new script
   */
  public SseScript retry(Duration retry) {
    return write(new SseEncoder().retry(retry).toByteArray());
  }

  /**
   * Returns this script writing a comment next ({@code : text}, one line per line of text).
   *
   * @param text the comment's text; {@code ""} for the usual keep-alive
   * @return the new script
   */
  public SseScript comment(String text) {
    return write(new SseEncoder().comment(new SseComment(text)).toByteArray());
  }

  /**
   * Returns this script writing text as it is next, in UTF-8: a half event, a field a client must
   * ignore, CR line ends.
   *
   * @param text the text
   * @return the new script
   */
  public SseScript raw(String text) {
    return write(text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Returns this script writing bytes as they are next: malformed UTF-8, a byte-order mark, garbage.
   *
   * @param bytes the bytes; copied
   * @return the new script
   */
  public SseScript raw(byte[] bytes) {
    return write(bytes.clone());
  }

  /**
   * Returns this script waiting before its next step, e.g. to let a client's read timeout or a
   * keep-alive check fire while the connection stays open.
   *
   * @param duration how long to wait
   * @return the new script
   */
  public SseScript pause(Duration duration) {
    if (Objects.requireNonNull(duration, "duration").isNegative()) throw new IllegalArgumentException("negative pause: " + duration);
    return then(new Pause(duration));
  }

  /**
   * Returns this script cutting the connection once {@code bytes} more body bytes were written:
   * in the middle of whatever the following steps write then (their frames' bytes count as they
   * are, before chunk framing). If they write less, the connection is cut after them.
   *
   * @param bytes how many bytes of what follows go out before the cut; 0 cuts at once
   * @return the new script
   */
  public SseScript cutAfter(long bytes) {
    if (bytes < 0) throw new IllegalArgumentException("negative byte count: " + bytes);
    return then(new CutAfter(bytes));
  }

  /**
   * Returns this script cutting the connection here: no clean end, as when a server dies.
   *
   * @return the new script
   */
  public SseScript cut() {
    return cutAfter(0);
  }

  /**
   * Returns this script ending the response cleanly here; an SSE client then reconnects.
   *
   * @return the new script
   */
  public SseScript end() {
    return then(new End());
  }

  /**
   * Returns this script holding the connection open here, writing nothing more, until the client
   * goes away or the server closes: a stalled server, for a client's read timeout to notice. A
   * stream does this after its last step anyway; later steps never run.
   *
   * @return the new script
   */
  public SseScript stall() {
    return then(new Stall());
  }

  int status() {
    return status;
  }

  List<String[]> headers() {
    return headers;
  }

  boolean hasBody() {
    return hasBody || steps.stream().anyMatch(step -> step instanceof Write);
  }

  List<Step> steps() {
    return steps;
  }

  private SseScript write(byte[] bytes) {
    if (status == 204 || status == 304) throw new IllegalStateException("a " + status + " response has no body");
    return then(new Write(bytes));
  }

  private SseScript then(Step step) {
    List<Step> more = new ArrayList<>(steps);
    more.add(step);
    return new SseScript(status, headers, hasBody, more);
  }

  private static void checkHeader(String name, String value) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
    if (name.isEmpty() || (name + value).chars().anyMatch(c -> c == '\r' || c == '\n')) {
      throw new IllegalArgumentException("a header name and value must not contain CR or LF, and the name not be empty: " + name);
    }
  }

  @Override
  public String toString() {
    return "SseScript{" + status + ", " + steps.size() + " steps}";
  }
}
