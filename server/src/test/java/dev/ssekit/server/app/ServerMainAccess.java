package dev.ssekit.server.app;

import java.io.PrintStream;
import java.util.Map;

/** Lets tests in other packages run the command line without starting a JVM. */
public final class ServerMainAccess {
  private ServerMainAccess() {}

  public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    return ServerMain.run(args, env, out, err);
  }
}
