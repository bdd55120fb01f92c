package dev.ssekit.benchmarks.fanout;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One load-generating process, started by {@link LoadDriver} (one process holds at most about
 * 19,900 sockets under the 20,000 open-files limit, so large runs use several). It opens its
 * connections, spread round robin over {@code --ports} (one port per node) and over
 * {@code --selectors} selector threads ({@code auto}: {@link ClientPool#defaultSelectors}), prints
 * {@code READY <json>}, then obeys commands on standard input, one a line: {@code RESET} starts
 * a measurement window and prints {@code RESET {"open":n}}, {@code REPORT} prints
 * {@code REPORT <json>} for the window, {@code QUIT} closes every connection and exits.
 */
public final class LoadWorker {
  private LoadWorker() {}

  /** Runs the worker; see the class comment for its protocol. */
  public static void main(String[] args) throws Exception {
    Flags flags = Flags.parse(args, Map.of(
        "host", "127.0.0.1", "ports", "8090", "path", "/sse", "clients", "1000", "stalled", "0",
        "sources", "127.0.0.2", "max-pending", "64", "connect-timeout", "10s", "selectors", "auto"));
    List<InetSocketAddress> sources = new ArrayList<>();
    for (String s : flags.get("sources").split(",")) sources.add(new InetSocketAddress(s.trim(), 0));
    // Several ports: the nodes of one scenario; connections go to them in turn.
    List<InetSocketAddress> targets = new ArrayList<>();
    for (String p : flags.get("ports").split(",")) targets.add(new InetSocketAddress(flags.get("host"), Integer.parseInt(p.trim())));

    int clients = flags.getInt("clients");
    int selectors = flags.get("selectors").equals("auto") ? ClientPool.defaultSelectors(clients) : flags.getInt("selectors");
    try (ClientPool pool = new ClientPool(targets, flags.get("path"), sources, clients,
        flags.getInt("stalled"), flags.getInt("max-pending"), flags.getDuration("connect-timeout").toMillis(), selectors)) {
      pool.ramped().join();
      System.out.println("READY " + pool.report());
      BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      for (String command; (command = commands.readLine()) != null; ) {
        switch (command.trim()) {
          case "RESET" -> System.out.println("RESET " + pool.resetWindow());
          case "REPORT" -> System.out.println("REPORT " + pool.report());
          case "QUIT" -> {
            return;
          }
          default -> System.err.println("load-worker: unknown command " + command);
        }
      }
    }
  }
}
