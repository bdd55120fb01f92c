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
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /publish}: an operator's way to put events into the stream. The body is JSON
 * ({@code {"topic":"orders","type":"order","data":"…"}}; a {@code data} that is not a string is
 * sent as its JSON text) or the same fields form-encoded; {@code type} defaults to
 * {@code message}. An {@code Idempotency-Key} header makes a retried publish a no-op. Answers
 * {@code 200 {"id":"…"}}, or one line of JSON {@code {"error":"…"}} with 400, 401, 413, 415 or
 * 503, and then nothing was published.
 */
final class PublishEndpoint {
  private static final JsonMapper JSON = JsonMapper.builder().build();

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
    String contentType = String.valueOf(ctx.contentType()).toLowerCase(java.util.Locale.ROOT);
    try {
      if (contentType.startsWith("application/json")) {
        fields = json(body);
      } else if (contentType.startsWith("application/x-www-form-urlencoded")) {
        fields = form(body);
      } else {
        error(ctx, 415, "send application/json or application/x-www-form-urlencoded");
        return;
      }
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

  private static Map<String, String> json(byte[] body) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
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
