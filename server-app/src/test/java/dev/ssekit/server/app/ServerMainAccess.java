package dev.ssekit.server.app;

import java.io.PrintStream;
import java.util.Map;

/** Lets tests in other packages run the command line without starting a JVM. */
public final class ServerMainAccess {
  private ServerMainAccess() {}

  public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    return ServerMain.run(args, env, out, err);
  }

  /** Returns the config the command line and environment make, or throws the one-line error as an IllegalArgumentException. */
  public static ServerConfig parse(Map<String, String> env, String... args) {
    try {
      return ServerFlags.parse(args, env).config();
    } catch (ServerFlags.BadFlagException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }
}
