package dev.ssekit.server.app;

import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Set;

/**
 * Who may use the server's endpoints: bearer tokens compared in constant time (never logged), and
 * which other origins' pages may call them (CORS).
 */
final class Access {
  private final Set<String> corsOrigins;

  Access(List<String> corsOrigins) {
    this.corsOrigins = Set.copyOf(corsOrigins);
  }

  /** Returns whether the request carries {@code Authorization: Bearer <token>} (or, if {@code queryAllowed}, {@code ?access_token=}). */
  static boolean presents(Context ctx, String token, boolean queryAllowed) {
    String header = ctx.header("Authorization");
    String presented = null;
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) presented = header.substring(7).trim();
    if (presented == null && queryAllowed) presented = ctx.queryParam("access_token");
    return presented != null && sameSecret(token, presented);
  }

  /** Compares through digests, so that neither the content nor the length of the token leaks through timing. */
  private static boolean sameSecret(String expected, String presented) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] a = sha.digest(expected.getBytes(StandardCharsets.UTF_8));
      byte[] b = sha.digest(presented.getBytes(StandardCharsets.UTF_8));
      return MessageDigest.isEqual(a, b);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  /** Adds the CORS response headers when the request comes from an allowed origin; returns whether it did. */
  boolean allowOrigin(Context ctx) {
    ctx.header("Vary", "Origin");
    String origin = ctx.header("Origin");
    if (origin == null || !corsOrigins.contains(origin)) return false;
    ctx.header("Access-Control-Allow-Origin", origin);
    return true;
  }

  /**
   * Answers {@code OPTIONS}: 204 with {@code Allow: allow}, and for an allowed origin the CORS
   * allowances for {@code corsMethods} (HEAD is CORS-safelisted: it needs no allowance).
   */
  void preflight(Context ctx, String corsMethods, String allow) {
    if (allowOrigin(ctx)) {
      ctx.header("Access-Control-Allow-Methods", corsMethods);
      ctx.header("Access-Control-Allow-Headers", "Authorization, Content-Type, Idempotency-Key, Last-Event-ID");
      ctx.header("Access-Control-Max-Age", "600");
    }
    ctx.header("Allow", allow);
    ctx.status(204);
  }
}
