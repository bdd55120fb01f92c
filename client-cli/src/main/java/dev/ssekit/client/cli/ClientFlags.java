package dev.ssekit.client.cli;

import dev.ssekit.client.SseClient;
import dev.ssekit.protocol.Durations;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import okhttp3.Headers;

/** The subscriber's command line, parsed; every error is one line naming the option. */
record ClientFlags(
    String url,
    boolean json,
    long maxEvents,
    boolean reconnect,
    String lastEventId,
    List<String[]> headers,
    Duration readTimeout,
    String method,
    byte[] body,
    boolean comments,
    boolean help) {

  static final String USAGE = """
      Usage: java -jar ssekit-client.jar [options] URL

      Prints the events of a Server-Sent Events stream as they arrive; reconnects and resumes
      with Last-Event-ID when the connection drops.

      Options:
        --format text|json       text (default): time, type, id, data per event;
                                 json: one {"type":…,"id":…,"data":…} object per line, where id is
                                 the last event id in effect ("" if none), as EventSource reports it
        --max-events N           exit after N events
        --no-reconnect           do not reconnect; exit when the stream ends
        --last-event-id ID       resume after ID (sent as Last-Event-ID)
        -H, --header 'Name: v'   add a request header; repeatable
        -X, --method M           the request method (default GET, or POST with --data)
        -d, --data BODY          send BODY (--data @FILE: the file's bytes) as the request body, on
                                 every connection; give its type with -H 'Content-Type: …'
        --comments               print comment lines too, in stream order: ': text', or
                                 {"comment":…} with --format json
        --read-timeout D         reconnect after D without data (default 45s; e.g. 500ms, 10s, 1m)
        --help                   print this help and exit

      Exit status: 0 when done (N events, a clean end with --no-reconnect, or HTTP 204),
      1 when the stream failed for good, 2 for a usage error. Errors go to stderr.
      """;

  /** A command line that cannot be run; its message is one line for the user. */
  static final class UsageException extends Exception {
    UsageException(String message) {
      super(message);
    }
  }

  static ClientFlags parse(String[] args) throws UsageException {
    String url = null;
    boolean json = false;
    long maxEvents = Long.MAX_VALUE;
    boolean reconnect = true;
    String lastEventId = "";
    List<String[]> headers = new ArrayList<>();
    Duration readTimeout = null;
    String method = null;
    byte[] body = null;
    boolean comments = false;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String name = arg;
      String inline = null;
      if (arg.startsWith("--") && arg.contains("=")) {
        name = arg.substring(0, arg.indexOf('='));
        inline = arg.substring(arg.indexOf('=') + 1);
      }
      switch (name) {
        case "--help", "-h" -> {
          return new ClientFlags(null, false, 0, true, "", List.of(), null, null, null, false, true);
        }
        case "--format" -> {
          String v = inline != null ? inline : value(args, ++i, name);
          if (!v.equals("text") && !v.equals("json")) throw new UsageException("--format: '" + v + "' is not text or json");
          json = v.equals("json");
        }
        case "--max-events" -> {
          String v = inline != null ? inline : value(args, ++i, name);
          try {
            maxEvents = Long.parseLong(v);
          } catch (NumberFormatException e) {
            maxEvents = -1;
          }
          if (maxEvents < 1) throw new UsageException("--max-events: '" + v + "' is not a positive whole number");
        }
        case "--no-reconnect" -> reconnect = false;
        case "--last-event-id" -> {
          lastEventId = inline != null ? inline : value(args, ++i, name);
          if (lastEventId.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
            throw new UsageException("--last-event-id: must not contain CR, LF or NUL");
          }
        }
        case "-H", "--header" -> {
          String v = inline != null ? inline : value(args, ++i, name);
          int colon = v.indexOf(':');
          if (colon <= 0) throw new UsageException(name + ": '" + v + "' is not 'Name: value'");
          String headerName = v.substring(0, colon).trim();
          String headerValue = v.substring(colon + 1).trim();
          if (!headerName.matches(TOKEN)) {
            throw new UsageException(name + ": '" + headerName + "' is not a valid header name");
          }
          if (headerName.equalsIgnoreCase("Last-Event-ID")) {
            throw new UsageException(name + ": Last-Event-ID is the client's to send (use --last-event-id)");
          }
          try {
            new Headers.Builder().add(headerName, headerValue); // what the client will send must pass OkHttp's rules
          } catch (IllegalArgumentException e) {
            throw new UsageException(name + ": the value of '" + headerName + "' must be printable ASCII (" + e.getMessage() + ")");
          }
          headers.add(new String[] {headerName, headerValue});
        }
        case "-X", "--method" -> {
          method = inline != null ? inline : value(args, ++i, name);
          if (!method.matches(TOKEN)) throw new UsageException(name + ": '" + method + "' is not an HTTP method");
        }
        case "-d", "--data" -> {
          if (body != null) throw new UsageException(name + ": given more than once");
          String v = inline != null ? inline : value(args, ++i, name);
          body = v.startsWith("@") ? read(name, v.substring(1)) : v.getBytes(StandardCharsets.UTF_8);
        }
        case "--comments" -> comments = true;
        case "--read-timeout" -> {
          String v = inline != null ? inline : value(args, ++i, name);
          try {
            readTimeout = Durations.parse(v);
          } catch (IllegalArgumentException e) {
            throw new UsageException("--read-timeout: " + e.getMessage());
          }
          try {
            SseClient.builder().readTimeout(readTimeout); // the library's range, checked now rather than at start
          } catch (IllegalArgumentException e) {
            throw new UsageException("--read-timeout: '" + v + "' is out of range (1ms to 24 days)");
          }
        }
        default -> {
          if (arg.startsWith("-")) throw new UsageException("unknown option '" + arg + "' (see --help)");
          if (url != null) throw new UsageException("more than one URL: '" + url + "' and '" + arg + "'");
          url = arg;
        }
      }
    }
    if (url == null) throw new UsageException("missing the URL to subscribe to (see --help)");
    if (method == null) method = body != null ? "POST" : "GET";
    if (body != null && (method.equals("GET") || method.equals("HEAD"))) {
      throw new UsageException("--data: a " + method + " request has no body (use e.g. -X POST)");
    }
    return new ClientFlags(url, json, maxEvents, reconnect, lastEventId, List.copyOf(headers), readTimeout, method, body,
        comments, false);
  }

  /** An HTTP token (RFC 9110): what method and header names are made of. */
  private static final String TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";

  private static byte[] read(String name, String file) throws UsageException {
    try {
      return Files.readAllBytes(Path.of(file));
    } catch (IOException | RuntimeException e) {
      throw new UsageException(name + ": cannot read '" + file + "' (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static String value(String[] args, int i, String name) throws UsageException {
    if (i >= args.length) throw new UsageException(name + ": missing value");
    return args[i];
  }
}
