package dev.ssekit.benchmarks.fanout;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code --name value} command-line flags over defaults; an unknown flag is an error. Shared by every benchmark main class. */
public final class Flags {
  private final Map<String, String> values;

  private Flags(Map<String, String> values) {
    this.values = values;
  }

  /** Parses {@code args} over {@code defaults}; {@code --help} prints the defaults and exits. */
  public static Flags parse(String[] args, Map<String, String> defaults) {
    Map<String, String> values = new LinkedHashMap<>(defaults);
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--help") || arg.equals("-h")) {
        StringBuilder help = new StringBuilder("options, with their defaults (see BENCHMARKS.md):\n");
        defaults.forEach((name, value) -> help.append("  --").append(name).append(' ').append(value).append('\n'));
        System.out.print(help);
        System.exit(0);
      }
      if (!arg.startsWith("--")) throw new IllegalArgumentException("unexpected argument: " + arg);
      String name = arg.substring(2);
      String value;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else {
        if (i + 1 >= args.length) throw new IllegalArgumentException("--" + name + ": missing value");
        value = args[++i];
      }
      if (!values.containsKey(name)) throw new IllegalArgumentException("unknown option --" + name + "; known: " + defaults.keySet());
      values.put(name, value);
    }
    return new Flags(values);
  }

  /** Returns the flag's value as given. */
  public String get(String name) {
    return values.get(name);
  }

  /** Returns the flag's value as an int. */
  public int getInt(String name) {
    return Integer.parseInt(values.get(name).trim());
  }

  /** Returns the flag's value as a double. */
  public double getDouble(String name) {
    return Double.parseDouble(values.get(name).trim());
  }

  /** Parses {@code 500ms}, {@code 20s} or {@code 2m}. */
  public Duration getDuration(String name) {
    String v = values.get(name).trim();
    if (v.endsWith("ms")) return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
    if (v.endsWith("s")) return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
    if (v.endsWith("m")) return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
    throw new IllegalArgumentException("--" + name + ": not a duration like 500ms, 20s or 2m: " + v);
  }
}
