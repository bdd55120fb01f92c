package dev.ssekit.server.app;

import dev.ssekit.server.EventLogException;
import java.io.PrintStream;
import java.util.Map;

/** The server jar's entry point: {@code java -jar ssekit-server.jar [options]}; see {@code --help}. */
public final class ServerMain {
  private ServerMain() {}

  /**
   * Starts the server, which runs until the process is told to stop (SIGTERM, Ctrl-C).
   *
   * @param args the command line; see {@code --help}
   */
  public static void main(String[] args) {
    int status = run(args, System.getenv(), System.out, System.err);
    if (status != 0) System.exit(status);
  }

  /** Parses {@code args} and starts the server; returns a non-zero exit status if it cannot. */
  static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    ServerFlags.Parsed parsed;
    try {
      parsed = ServerFlags.parse(args, env);
    } catch (ServerFlags.BadFlagException e) {
      err.println("ssekit-server: " + e.getMessage());
      return 2;
    }
    if (parsed.help()) {
      out.print(ServerFlags.USAGE);
      return 0;
    }
    SseServer server;
    try {
      server = SseServer.start(parsed.config());
    } catch (EventLogException e) {
      err.println("ssekit-server: --log: " + e.getMessage());
      return 2;
    } catch (RuntimeException e) {
      err.println("ssekit-server: cannot start: " + e.getMessage());
      return 1;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "ssekit-shutdown"));
    out.println("ssekit server on http://localhost:" + server.port()
        + "  (stream: /sse, demo: /, health: /health; log: " + server.hub().log() + "; Ctrl-C stops)");
    return 0;
  }
}
