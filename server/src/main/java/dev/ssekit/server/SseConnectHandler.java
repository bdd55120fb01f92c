package dev.ssekit.server;

import io.javalin.http.Context;

/**
 * Decides, before any byte of the stream is sent, whether a client may connect and what it
 * subscribes to; set on {@link SsePlugin.Config#onConnect}. It runs on the request thread with
 * the Javalin {@link Context}, so it can read headers, cookies and query parameters:
 *
 * <pre>{@code
 * config.onConnect = ctx -> {
 *   String user = sessions.user(ctx.header("Authorization"));
 *   if (user == null) {
 *     ctx.header("WWW-Authenticate", "Bearer");
 *     throw new UnauthorizedResponse("a bearer token is required");
 *   }
 *   return Subscription.to("user:" + user, "news").with("user", user);
 * };
 * }</pre>
 *
 * <p>To refuse, throw any Javalin {@link io.javalin.http.HttpResponseException} (such as
 * {@code UnauthorizedResponse} or {@code ForbiddenResponse}): the client gets its status and
 * message as a short text body, with the headers the handler set, and nothing is streamed.
 */
@FunctionalInterface
public interface SseConnectHandler {
  /**
   * Returns the subscription of the client making {@code ctx}'s request.
   *
   * @param ctx the request, before the response is committed
   * @return the topics and attributes for the client; never null
   * @throws Exception an {@link io.javalin.http.HttpResponseException} to refuse the client; any
   *     other exception fails the request as Javalin's exception handlers decide
   */
  Subscription onConnect(Context ctx) throws Exception;
}
