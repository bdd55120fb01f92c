package dev.ssekit.server.app;

import dev.ssekit.protocol.ServerSentEvent;
import dev.ssekit.server.EventId;
import dev.ssekit.server.EventLogException;
import dev.ssekit.server.HubClosedException;
import dev.ssekit.server.Publication;
import dev.ssekit.server.SseHub;
import io.javalin.http.ContentType;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.TokenStreamContext;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /publish}: an operator's way to put events into the stream. The body is JSON
 * ({@code {"topic":"orders","type":"order","data":"…"}}; a {@code data} that is not a string is
 * sent as its JSON text) or the same fields form-encoded; {@code type} defaults to
 * {@code message}. A key given twice is refused in either form, never resolved by picking one.
 * An {@code Idempotency-Key} header makes a retried publish a no-op. Answers
 * {@code 200 {"id":"…"}}, or one line of JSON {@code {"error":"…"}} with 400, 401, 413, 415 or
 * 503, and then nothing was published.
 */
final class PublishEndpoint {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  /** Fails on a key repeated in any object: by default the last one would silently win. */
  private static final JsonMapper STRICT_JSON = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
  private static final String JSON_TYPE = "application/json";
  private static final String FORM_TYPE = "application/x-www-form-urlencoded";
  /** A token of RFC 9110 (section 5.6.2): the type, subtype and parameter names of a media type. */
  private static final String TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
  private static final Pattern MEDIA_TYPE = Pattern.compile("[ \\t]*(" + TOKEN + ")/(" + TOKEN + ")[ \\t]*");
  private static final Pattern PARAMETER =
      Pattern.compile("[ \\t]*(" + TOKEN + ")=(?:(" + TOKEN + ")|\"((?:[^\"\\\\]|\\\\.)*)\")[ \\t]*|[ \\t]*");

  private final SseHub hub;
  private final String token;
  private final int maxBytes;
  private final Access access;

  PublishEndpoint(SseHub hub, String token, int maxBytes, Access access) {
    this.hub = hub;
    this.token = token;
    this.maxBytes = maxBytes;
    this.access = access;
  }

  void handle(Context ctx) {
    access.allowOrigin(ctx);
    if (!Access.presents(ctx, token, false)) {
      ctx.header("WWW-Authenticate", "Bearer realm=\"publish\"");
      error(ctx, 401, "a valid Authorization: Bearer token is required");
      return;
    }
    // The headers decide a 415 before any of the body is read.
    String mediaType;
    try {
      mediaType = mediaType(ctx.contentType());
    } catch (IllegalArgumentException e) {
      error(ctx, 415, e.getMessage());
      return;
    }
    if (!mediaType.equals(JSON_TYPE) && !mediaType.equals(FORM_TYPE)) {
      error(ctx, 415, "send " + JSON_TYPE + " or " + FORM_TYPE);
      return;
    }
    byte[] body;
    try {
      body = readAtMost(ctx, maxBytes);
    } catch (IOException e) {
      error(ctx, 400, "the request body could not be read: " + e.getMessage());
      return;
    }
    if (body == null) {
      error(ctx, 413, "the body is larger than " + maxBytes + " bytes (--max-event-size)");
      return;
    }
    Map<String, String> fields;
    try {
      fields = mediaType.equals(JSON_TYPE) ? json(body) : form(body);
    } catch (IllegalArgumentException e) {
      error(ctx, 400, e.getMessage());
      return;
    }
    Publication publication;
    try {
      String topic = fields.get("topic");
      if (topic == null) throw new IllegalArgumentException("the field 'topic' is required");
      String data = fields.get("data");
      if (data == null) throw new IllegalArgumentException("the field 'data' is required");
      String type = fields.getOrDefault("type", ServerSentEvent.DEFAULT_TYPE);
      publication = Publication.of(ServerSentEvent.of(type, data)).toTopic(topic)
          .withIdempotencyKey(ctx.header("Idempotency-Key"));
    } catch (IllegalArgumentException e) {
      error(ctx, 400, e.getMessage());
      return;
    }
    EventId id;
    try {
      id = hub.publish(publication);
    } catch (EventLogException | HubClosedException e) {
      ctx.header("Retry-After", "1");
      error(ctx, 503, e.getMessage());
      return;
    }
    ctx.contentType(ContentType.JSON).result(JSON.writeValueAsString(Map.of("id", id.toString())));
  }

  /** Returns the body, or null if it is longer than {@code max} bytes, reading no more than that. */
  private static byte[] readAtMost(Context ctx, int max) throws IOException {
    long declared = ctx.req().getContentLengthLong();
    if (declared > max) return null;
    try (InputStream in = ctx.req().getInputStream()) {
      byte[] bytes = in.readNBytes(max + 1);
      return bytes.length > max ? null : bytes;
    }
  }

  /**
   * Returns the type/subtype of a {@code Content-Type} header in lower case (both are
   * case-insensitive), checking its parameters' syntax. A {@code charset} must name UTF-8 (or
   * ASCII, a part of it), which is how the body is read: decoding text sent in another charset as
   * UTF-8 would change it unnoticed. Throws IllegalArgumentException, with the reason, otherwise.
   */
  private static String mediaType(String header) {
    String expected = "send " + JSON_TYPE + " or " + FORM_TYPE;
    if (header == null || header.isBlank()) throw new IllegalArgumentException("no Content-Type; " + expected);
    String[] parts = splitParameters(header);
    Matcher type = MEDIA_TYPE.matcher(parts[0]);
    if (!type.matches()) throw new IllegalArgumentException("the Content-Type is not a media type; " + expected);
    for (int i = 1; i < parts.length; i++) {
      Matcher parameter = PARAMETER.matcher(parts[i]);
      if (!parameter.matches()) throw new IllegalArgumentException("the Content-Type has a malformed parameter; " + expected);
      if (parameter.group(1) == null || !parameter.group(1).equalsIgnoreCase("charset")) continue;
      String charset = parameter.group(2) != null ? parameter.group(2) : parameter.group(3).replaceAll("\\\\(.)", "$1");
      if (!isUtf8(charset)) throw new IllegalArgumentException("the charset '" + charset + "' is not supported; send UTF-8");
    }
    return (type.group(1) + "/" + type.group(2)).toLowerCase(Locale.ROOT);
  }

  /** Splits a header at the semicolons that are not inside a quoted string. */
  private static String[] splitParameters(String header) {
    List<String> parts = new ArrayList<>();
    boolean quoted = false;
    int start = 0;
    for (int i = 0; i < header.length(); i++) {
      char c = header.charAt(i);
      if (quoted && c == '\\') {
        i++;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (c == ';' && !quoted) {
        parts.add(header.substring(start, i));
        start = i + 1;
      }
    }
    parts.add(header.substring(start));
    return parts.toArray(String[]::new);
  }

  private static boolean isUtf8(String charset) {
    try {
      Charset named = Charset.forName(charset);
      return named.equals(StandardCharsets.UTF_8) || named.equals(StandardCharsets.US_ASCII);
    } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
      return false;
    }
  }

  private static Map<String, String> json(byte[] body) {
    JsonNode root;
    try {
      root = STRICT_JSON.readTree(body);
    } catch (StreamReadException e) {
      throw new IllegalArgumentException(duplicateKey(e, body));
    } catch (JacksonException e) {
      throw new IllegalArgumentException("the body is not JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) throw new IllegalArgumentException("the body must be a JSON object");
    Map<String, String> fields = new LinkedHashMap<>();
    for (String name : new String[] {"topic", "type", "data"}) {
      JsonNode value = root.get(name);
      if (value == null || value.isNull()) continue;
      if (!name.equals("data") && !value.isString()) throw new IllegalArgumentException("the field '" + name + "' must be a string");
      fields.put(name, value.isString() ? value.asString() : JSON.writeValueAsString(value));
    }
    return fields;
  }

  /**
   * Returns the message for a body the strict parser refused: if only the strict check failed, it
   * names the key given twice (the parser's context is then the object that repeats it).
   */
  private static String duplicateKey(StreamReadException e, byte[] body) {
    try {
      JSON.readTree(body);
    } catch (JacksonException notJson) {
      return "the body is not JSON: " + notJson.getOriginalMessage();
    }
    JsonParser parser = e.processor();
    TokenStreamContext object = parser == null ? null : parser.streamReadContext();
    String name = object == null ? null : object.currentName();
    if (name == null) return "the body gives a key twice in one object: " + e.getOriginalMessage();
    boolean topLevel = object.getParent() != null && object.getParent().inRoot();
    return topLevel ? "the field '" + name + "' is given twice" : "the key '" + name + "' is given twice in one object of the body";
  }

  private static Map<String, String> form(byte[] body) {
    Map<String, String> fields = new LinkedHashMap<>();
    String text = new String(body, StandardCharsets.UTF_8);
    if (text.isEmpty()) return fields;
    for (String pair : text.split("&")) {
      int eq = pair.indexOf('=');
      String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      if (fields.putIfAbsent(name, value) != null) throw new IllegalArgumentException("the field '" + name + "' is given twice");
    }
    return fields;
  }

  private static void error(Context ctx, int status, String message) {
    ctx.status(status).contentType(ContentType.JSON).result(JSON.writeValueAsString(Map.of("error", message)) + "\n");
  }
}
