package dev.ssekit.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A request a {@link ScriptedSseServer} received: what a client sent when it connected or
 * reconnected, to assert on. Immutable.
 */
public final class SseRequest {
  private final int connection;
  private final String method;
  private final String target;
  private final List<String[]> headers;
  private final String body;

  SseRequest(int connection, String method, String target, List<String[]> headers, String body) {
    this.connection = connection;
    this.method = method;
    this.target = target;
    this.headers = List.copyOf(headers);
    this.body = body;
  }

  /**
   * Returns which connection to the server this was.
   *
   * @return 0 for the first, 1 for the next (a reconnection), and so on
   */
  public int connection() {
    return connection;
  }

  /**
   * Returns the request method.
   *
   * @return e.g. {@code GET}, or {@code POST} for a client that streams a POST response
   */
  public String method() {
    return method;
  }

  /**
   * Returns the request target: the path and query as the client sent them.
   *
   * @return e.g. {@code /sse?topic=orders}
   */
  public String target() {
    return target;
  }

  /**
   * Returns the first value of a header.
   *
   * @param name the header's name, in any case
   * @return its value, or null if the request has none
   */
  public String header(String name) {
    Objects.requireNonNull(name, "name");
    for (String[] header : headers) if (header[0].equalsIgnoreCase(name)) return header[1];
    return null;
  }

  /**
   * Returns every value of a header, in the order sent.
   *
   * @param name the header's name, in any case
   * @return the values; empty if none
   */
  public List<String> headers(String name) {
    List<String> values = new ArrayList<>();
    for (String[] header : headers) if (header[0].equalsIgnoreCase(name)) values.add(header[1]);
    return values;
  }

  /**
   * Returns the {@code Last-Event-ID} the client resumed with.
   *
   * @return the id, or null if the request has none (a first connection)
   */
  public String lastEventId() {
    return header("Last-Event-ID");
  }

  /**
   * Returns the request body, decoded as UTF-8.
   *
   * @return the body; {@code ""} if none
   */
  public String body() {
    return body;
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder(method).append(' ').append(target).append(" (connection ").append(connection).append(")");
    for (String[] header : headers) s.append("\n").append(header[0]).append(": ").append(header[1]);
    if (!body.isEmpty()) s.append("\n\n").append(body);
    return s.toString();
  }
}
