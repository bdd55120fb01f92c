package dev.ssekit.server;

import dev.ssekit.protocol.Sse;
import dev.ssekit.protocol.SseComment;
import dev.ssekit.protocol.SseEncoder;
import io.javalin.config.JavalinState;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.javalin.plugin.Plugin;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a {@link SseHub} as an event stream at one path of a Javalin app:
 *
 * <pre>{@code
 * Javalin.create(config -> config.registerPlugin(new SsePlugin("/sse", hub)));
 * // or, deciding per client who may connect and to which topics:
 * Javalin.create(config -> config.registerPlugin(new SsePlugin(hub, sse -> {
 *   sse.path = "/events";
 *   sse.onConnect = ctx -> Subscription.to("user:" + userOf(ctx));
 * })));
 * }</pre>
 *
 * <p>Before anything is streamed, {@link Config#onConnect} decides whether the client may
 * connect and what it subscribes to (by default: {@link Publication#DEFAULT_TOPIC}); see
 * {@link SseConnectHandler}.
 *
 * <p>{@code HEAD path} asks the connect hook too, and answers its refusal or the stream's status
 * and headers, without connecting.
 *
 * <p>{@code GET path} answers {@code 200 text/event-stream; charset=utf-8} whatever the request's
 * {@code Accept} (so {@code curl -N} works), flushes the headers at once and streams. The id to
 * resume after comes from the {@code Last-Event-ID} header or, for clients that cannot set
 * headers, the {@code lastEventId} query parameter (a header value sent as UTF-8 is read as
 * UTF-8). A full or closed hub, or one whose log cannot be reached for a resuming client's
 * replay, asks the client to come back later: {@code 503} with {@code Retry-After}, or, for a
 * client that accepts {@code text/event-stream} (every {@code EventSource}, which would give up
 * on a 503 for good), a {@code 200} stream that sends only {@code retry:} and ends. When the app stops, its streams end cleanly before Jetty stops.
 *
 * <p>Javalin's own {@code sse} route is not used: it refuses requests without an {@code Accept:
 * text/event-stream}, has no {@code retry} or {@code Last-Event-ID} support and writes with
 * blocking calls, so one stalled client would hold a thread.
 */
public final class SsePlugin extends Plugin<SsePlugin.Config> {
  private static final Logger LOG = LoggerFactory.getLogger(SsePlugin.class);

  /** The plugin's settings, set in the lambda given to {@link SsePlugin#SsePlugin(SseHub, Consumer)} and read once. */
  public static final class Config {
    /** The path the stream is served at; default {@code /sse}. */
    public String path = "/sse";

    /** Decides who may connect and to which topics; by default everyone, to {@link Publication#DEFAULT_TOPIC}. */
    public SseConnectHandler onConnect = ctx -> Subscription.defaults();

    /**
     * Whether the app's connectors also speak HTTP/2 cleartext (h2c, with prior knowledge or by
     * {@code Upgrade: h2c}) beside HTTP/1.1, on the same port; default false. Over HTTP/2 many
     * streams share one connection, and a slow client is cut off by resetting its own stream only.
     *
     * <p>Off by default because it changes every route of the app, not only this one: behind a
     * proxy that forwards {@code Upgrade} headers (as WebSocket setups do) and enforces path rules,
     * an h2c upgrade lets a client send requests the proxy never inspects ("h2c smuggling"). Turn
     * it on where clients or a proxy speak h2c to the app directly. Browsers use HTTP/2 only over
     * TLS, which Jetty's own connectors configure.
     */
    public boolean http2;

    /** Creates the default settings. */
    public Config() {}
  }

  private final String path;
  private final SseConnectHandler onConnect;
  private final boolean http2;
  private final SseHub hub;
  private final Set<ServletSink> open = ConcurrentHashMap.newKeySet();
  private volatile boolean stopping;

  /**
   * Serves {@code hub} at {@code path} to every client, on {@link Publication#DEFAULT_TOPIC}.
   *
   * @param path the path, e.g. {@code /sse}
   * @param hub the hub to serve
   */
  public SsePlugin(String path, SseHub hub) {
    this(hub, config -> config.path = path);
  }

  /**
   * Serves {@code hub} as {@code config} says.
   *
   * @param hub the hub to serve
   * @param config sets the settings that differ from the defaults; read once, here
   */
  public SsePlugin(SseHub hub, Consumer<Config> config) {
    super(config, new Config());
    this.hub = Objects.requireNonNull(hub, "hub");
    this.path = Objects.requireNonNull(pluginConfig.path, "path");
    this.onConnect = Objects.requireNonNull(pluginConfig.onConnect, "onConnect");
    this.http2 = pluginConfig.http2;
  }

  @Override
  public void onStart(JavalinState state) {
    hub.useAppJson(AppJson.of(state));
    state.routes.get(path, this::handle);
    // Without its own route, Javalin answers HEAD of a GET route with 200 and runs no handler: the
    // connect hook (a token check, say) would not be asked.
    state.routes.head(path, this::head);
    state.events.serverStopping(this::endStreams);
    if (http2) state.events.serverStarting(() -> addHttp2(state.jettyInternal.server));
  }

  /** Adds h2c to every HTTP/1.1 connector that lacks it (Javalin's default one included), once they all exist. */
  private static void addHttp2(Server server) {
    for (Connector connector : server.getConnectors()) {
      if (!(connector instanceof ServerConnector c) || c.getConnectionFactory(HTTP2CServerConnectionFactory.class) != null) continue;
      HttpConnectionFactory http1 = c.getConnectionFactory(HttpConnectionFactory.class);
      if (http1 != null) c.addConnectionFactory(new HTTP2CServerConnectionFactory(http1.getHttpConfiguration()));
    }
  }

  @Override
  public boolean repeatable() {
    return true;
  }

  /**
   * Ends this route's streams before Jetty stops, and waits (within the hub's shutdown timeout)
   * until their final bytes are out, so clients see a clean end rather than a reset.
   */
  private void endStreams() {
    stopping = true;
    hub.endClients(channel -> channel.owner() == this);
    CompletableFuture<?>[] completions = open.stream().map(ServletSink::completed).toArray(CompletableFuture[]::new);
    try {
      CompletableFuture.allOf(completions).get(hub.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      // Jetty's stop closes whatever is left.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void handle(Context ctx) throws Exception {
    String lastEventId = utf8(ctx.header(Sse.LAST_EVENT_ID_HEADER));
    // The header wins: a browser sends it on reconnection with a newer id than the page's query.
    if (lastEventId == null || lastEventId.isEmpty()) lastEventId = ctx.queryParam(Sse.LAST_EVENT_ID_PARAMETER);

    Subscription subscription = admit(ctx);
    if (subscription == null) return;

    ServletSink sink = new ServletSink(ctx.req());
    SseConnection channel;
    try {
      if (stopping) throw new HubClosedException();
      channel = hub.connect(sink, lastEventId, subscription, this);
    } catch (EventLogException e) {
      LOG.warn("Refused a resuming client: {}", e.getMessage());
      refuse(ctx, "The event log is unreachable; retry later.\n");
      return;
    } catch (HubClosedException | HubFullException e) {
      refuse(ctx, "This event stream is not accepting clients now; retry later.\n");
      return;
    } catch (IllegalArgumentException tooManyTopics) {
      ctx.status(400).contentType("text/plain; charset=utf-8").result(tooManyTopics.getMessage() + "\n");
      return;
    }
    try {
      HttpServletResponse res = ctx.res();
      streamHeaders(res);
      // Chunked even if the connection is not to be reused: the sink then frames the chunks itself.
      if (sink.mayWriteDirectly()) res.setHeader("Transfer-Encoding", "chunked");
      AsyncContext async = ctx.req().startAsync();
      async.setTimeout(0);
      async.addListener(sink);
      open.add(sink);
      sink.completed().whenComplete((ok, failure) -> open.remove(sink));
      sink.start(channel, res.getOutputStream());
      ctx.future(sink::finished);
    } catch (IOException | RuntimeException e) {
      channel.abort();
      throw e;
    }
  }

  /**
   * Asks the connect hook whether {@code ctx} may connect: returns its subscription, or null when
   * it refused, after answering with the refusal's status and message.
   */
  private Subscription admit(Context ctx) throws Exception {
    Subscription subscription;
    try {
      subscription = onConnect.onConnect(ctx);
    } catch (HttpResponseException refused) {
      // The handler's own headers (WWW-Authenticate, say) stay; nothing of the stream is sent.
      ctx.status(refused.getStatus()).contentType("text/plain; charset=utf-8").result(refused.getMessage() + "\n");
      return null;
    }
    if (subscription == null) throw new IllegalStateException("the onConnect handler of " + path + " returned null");
    return subscription;
  }

  /**
   * {@code HEAD path}: what a {@code GET} would answer before its first byte of stream, as far as
   * the connect hook decides (its refusal, or the stream's status and headers), without
   * connecting to the hub or streaming anything.
   */
  private void head(Context ctx) throws Exception {
    if (admit(ctx) == null) return;
    if (stopping) {
      refuse(ctx, "This event stream is not accepting clients now; retry later.\n");
      return;
    }
    streamHeaders(ctx.res());
  }

  private static void streamHeaders(HttpServletResponse res) {
    res.setStatus(200);
    res.setContentType(Sse.MEDIA_TYPE + "; charset=utf-8");
    res.setHeader("Cache-Control", "no-cache");
    res.setHeader("X-Accel-Buffering", "no"); // tells nginx not to buffer the stream
  }

  /**
   * Asks the client to come back later. An {@code EventSource} treats any status but 200 as the
   * end for good (it does not read {@code Retry-After}), so a client that accepts an event stream
   * gets a 200 stream that says {@code retry:} and ends at once, and reconnects after that delay;
   * other clients get {@code 503} with {@code Retry-After}.
   */
  private void refuse(Context ctx, String why) {
    long seconds = hub.retryAfterSeconds();
    String accept = ctx.header("Accept");
    if (accept != null && accept.toLowerCase(Locale.ROOT).contains(Sse.MEDIA_TYPE)) {
      byte[] frames = new SseEncoder().retry(Duration.ofSeconds(seconds)).comment(new SseComment(why.strip())).toByteArray();
      ctx.status(200).contentType(Sse.MEDIA_TYPE + "; charset=utf-8").header("Cache-Control", "no-cache").result(frames);
      return;
    }
    ctx.status(HttpStatus.SERVICE_UNAVAILABLE)
        .header("Retry-After", Long.toString(seconds))
        .result(why);
  }

  /**
   * Returns a header value as the UTF-8 text the client sent: browsers send an event id that is
   * not ASCII as UTF-8 bytes, which the servlet API hands over one char per byte. Bytes that are
   * not UTF-8 are kept as they came.
   */
  private static String utf8(String header) {
    if (header == null) return null;
    boolean ascii = true;
    for (int i = 0; i < header.length() && ascii; i++) {
      char c = header.charAt(i);
      if (c > 0xFF) return header; // already decoded by someone
      ascii = c < 0x80;
    }
    if (ascii) return header;
    byte[] bytes = header.getBytes(StandardCharsets.ISO_8859_1);
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException notUtf8) {
      return header;
    }
  }
}
