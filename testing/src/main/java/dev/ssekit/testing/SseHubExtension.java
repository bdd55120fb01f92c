package dev.ssekit.testing;

import dev.ssekit.server.SseHub;
import dev.ssekit.server.SseHubConfig;
import dev.ssekit.server.SsePlugin;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import java.net.URI;
import java.util.Objects;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit 5 extension that serves a real {@link SseHub} over HTTP on a free loopback port while a
 * test runs, for testing a producer (the code that publishes) or a consumer (the code that
 * subscribes) against the real server. It needs {@code ssekit-server} on the test classpath.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final SseHubExtension sse = SseHubExtension.create(hub -> hub.retry = Duration.ofMillis(100));
 *
 * @Test
 * void deliversOrders(SseHub hub, URI url) { ... hub.publish("order", order); ... subscribe to url ... }
 * }</pre>
 *
 * <p>In a {@code static} field it serves one hub to every test of the class; in an instance field,
 * a fresh hub to each test method; with {@code @ExtendWith(SseHubExtension.class)}, one hub with
 * default settings per class. Test methods and constructors may declare parameters of type
 * {@link SseHub} (the hub, to publish) and {@link URI} (the stream's URL), or use {@link #hub()}
 * and {@link #url()}. After the class or method it stops the server and closes the hub; no
 * thread of either is left running.
 */
public final class SseHubExtension
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback, ParameterResolver {
  private final Consumer<SseHubConfig> hubConfig;
  private final String path;
  private final Consumer<JavalinConfig> javalinConfig;

  private SseHub hub;
  private Javalin app;
  private boolean perClass;

  /** Creates the extension with default settings, serving at {@code /sse}; for {@code @ExtendWith}. */
  public SseHubExtension() {
    this(config -> {}, "/sse", javalin -> {});
  }

  private SseHubExtension(Consumer<SseHubConfig> hubConfig, String path, Consumer<JavalinConfig> javalinConfig) {
    this.hubConfig = Objects.requireNonNull(hubConfig, "hubConfig");
    this.path = Objects.requireNonNull(path, "path");
    this.javalinConfig = Objects.requireNonNull(javalinConfig, "javalinConfig");
  }

  /**
   * Returns an extension that serves a hub with default settings at {@code /sse}.
   *
   * @return the extension
   */
  public static SseHubExtension create() {
    return new SseHubExtension();
  }

  /**
   * Returns an extension that serves a hub configured by {@code hubConfig} at {@code /sse}.
   *
   * @param hubConfig sets the hub's settings, as {@link SseHub#create(Consumer)} takes them; run for each hub started
   * @return the extension
   */
  public static SseHubExtension create(Consumer<SseHubConfig> hubConfig) {
    return new SseHubExtension(hubConfig, "/sse", javalin -> {});
  }

  /**
   * Returns a copy of this extension that serves the stream at another path.
   *
   * @param path the path, e.g. {@code /events}
   * @return the new extension
   */
  public SseHubExtension withPath(String path) {
    if (!path.startsWith("/")) throw new IllegalArgumentException("a path starts with /: " + path);
    return new SseHubExtension(hubConfig, path, javalinConfig);
  }

  /**
   * Returns a copy of this extension that also configures the Javalin app serving the hub, e.g.
   * to add your own routes beside the stream or set its {@code jsonMapper}.
   *
   * @param javalinConfig configures the app, after the extension registered the stream's plugin
   * @return the new extension
   */
  public SseHubExtension withJavalin(Consumer<JavalinConfig> javalinConfig) {
    return new SseHubExtension(hubConfig, path, javalinConfig);
  }

  /**
   * Returns the hub being served now.
   *
   * @return the hub
   * @throws IllegalStateException outside a test the extension serves
   */
  public SseHub hub() {
    if (hub == null) throw new IllegalStateException("the hub is served only while a test runs");
    return hub;
  }

  /**
   * Returns the URL of the stream being served now.
   *
   * @return {@code http://127.0.0.1:PORT/sse} (or the path set)
   * @throws IllegalStateException outside a test the extension serves
   */
  public URI url() {
    return URI.create(baseUrl() + path.substring(1));
  }

  /**
   * Returns the URL of the app serving the hub, for its other routes.
   *
   * @return {@code http://127.0.0.1:PORT/}
   * @throws IllegalStateException outside a test the extension serves
   */
  public URI baseUrl() {
    if (app == null) throw new IllegalStateException("the hub is served only while a test runs");
    return URI.create("http://127.0.0.1:" + app.port() + "/");
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    perClass = true;
    start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    stop();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    if (!perClass) start();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (!perClass) stop();
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == SseHub.class || type == URI.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    if (hub == null) start(); // a test-instance constructor runs before beforeEach
    return parameter.getParameter().getType() == SseHub.class ? hub() : url();
  }

  private synchronized void start() {
    if (hub != null) return;
    SseHub started = SseHub.create(hubConfig);
    try {
      app = Javalin.create(javalin -> {
        javalin.startup.showJavalinBanner = false;
        javalin.jetty.host = "127.0.0.1";
        javalin.jetty.port = 0;
        javalin.registerPlugin(new SsePlugin(started, sse -> sse.path = path));
        javalinConfig.accept(javalin);
      }).start();
    } catch (RuntimeException e) {
      started.close();
      throw e;
    }
    hub = started;
  }

  private synchronized void stop() {
    if (hub == null) return;
    try {
      app.stop(); // ends the streams cleanly, then Jetty and its threads
    } finally {
      hub.close();
      hub = null;
      app = null;
    }
  }
}
