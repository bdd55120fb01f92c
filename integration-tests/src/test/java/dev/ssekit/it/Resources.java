package dev.ssekit.it;

import dev.ssekit.server.SseHub;
import dev.ssekit.server.SsePlugin;
import dev.ssekit.server.app.ServerConfig;
import dev.ssekit.server.app.SseServer;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** What a test started, closed in reverse order after it; and the ways tests start servers. */
final class Resources implements AutoCloseable {
  private final List<AutoCloseable> open = new ArrayList<>();

  /** Closes {@code resource} after the test, before everything added earlier. */
  <T extends AutoCloseable> T add(T resource) {
    open.add(resource);
    return resource;
  }

  /** Starts the runnable server on loopback with {@code config} applied to its defaults. */
  SseServer server(Consumer<ServerConfig> config) {
    return add(SseServer.start(c -> {
      c.port = 0;
      c.host = "127.0.0.1";
      config.accept(c);
    }));
  }

  /** Serves {@code hub} at {@code /sse} from a Javalin app on loopback, with {@code more} routes or settings. */
  Javalin app(SseHub hub, int port, Consumer<JavalinConfig> more) {
    Javalin app = Javalin.create(c -> {
      c.startup.showJavalinBanner = false;
      c.jetty.host = "127.0.0.1";
      c.jetty.port = port;
      c.registerPlugin(new SsePlugin("/sse", hub));
      more.accept(c);
    }).start();
    add(app::stop);
    return app;
  }

  @Override
  public void close() throws Exception {
    Exception first = null;
    for (int i = open.size() - 1; i >= 0; i--) {
      try {
        open.get(i).close();
      } catch (Exception e) {
        if (first == null) first = e;
      }
    }
    open.clear();
    if (first != null) throw first;
  }
}
