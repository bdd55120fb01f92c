package dev.ssekit.redis;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Where a {@link RedisEventLog} lives, read from {@code redis://[user:password@]host[:port]/stream[?db=N]}
 * ({@code rediss://} for TLS). The path names the stream, not a database as in plain Redis URIs:
 * that goes in {@code ?db=}.
 */
record RedisUri(boolean tls, String host, int port, String user, String password, int database, String stream) {
  private static final Pattern STREAM = Pattern.compile("[A-Za-z0-9._:-]{1,200}");

  /** Reads {@code text}; throws {@link IllegalArgumentException} saying what is expected. */
  static RedisUri parse(String text) {
    String expected = "expected redis://[user:password@]host[:port]/STREAM[?db=N] or rediss://…";
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("'" + text + "' is not a URI (" + e.getReason() + "); " + expected);
    }
    String scheme = uri.getScheme();
    if (!"redis".equals(scheme) && !"rediss".equals(scheme)) {
      throw new IllegalArgumentException("'" + text + "' is not a redis:// or rediss:// URI; " + expected);
    }
    String host = uri.getHost();
    if (host == null || host.isEmpty()) throw new IllegalArgumentException("'" + text + "' names no host; " + expected);
    if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
    int port = uri.getPort() == -1 ? 6379 : uri.getPort();
    String path = uri.getPath() == null ? "" : uri.getPath();
    String stream = path.startsWith("/") ? path.substring(1) : path;
    if (!STREAM.matcher(stream).matches()) {
      throw new IllegalArgumentException("'" + text + "' needs a stream name of [A-Za-z0-9._:-] after the host; " + expected);
    }
    String user = null;
    String password = null;
    String userInfo = uri.getRawUserInfo();
    if (userInfo != null) {
      int colon = userInfo.indexOf(':');
      if (colon < 0) {
        password = decode(userInfo); // redis://secret@host, as redis-cli reads it
      } else {
        user = colon == 0 ? null : decode(userInfo.substring(0, colon));
        password = decode(userInfo.substring(colon + 1));
      }
    }
    int database = 0;
    String query = uri.getRawQuery();
    if (query != null && !query.isEmpty()) {
      for (String pair : query.split("&")) {
        if (pair.startsWith("db=") && pair.substring(3).matches("\\d{1,5}")) {
          database = Integer.parseInt(pair.substring(3));
        } else {
          throw new IllegalArgumentException("'" + text + "': unknown or bad query parameter '" + pair + "' (only db=N)");
        }
      }
    }
    return new RedisUri("rediss".equals(scheme), host, port, user, password, database, stream);
  }

  /** Returns the URI without its password, for messages and logs. */
  @Override
  public String toString() {
    String auth = user == null && password == null ? "" : (user == null ? "" : user) + (password == null ? "" : ":***") + "@";
    return (tls ? "rediss" : "redis") + "://" + auth + host + ":" + port + "/" + stream + (database == 0 ? "" : "?db=" + database);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }
}
