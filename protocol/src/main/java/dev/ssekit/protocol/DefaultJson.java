package dev.ssekit.protocol;

/**
 * Finds the default {@link JsonCodec}, Jackson 3, if it is on the classpath. Jackson is an
 * optional dependency: only {@link Jackson3Json} names its types, and it is loaded only after
 * this class saw Jackson is there, so a process without Jackson never touches them.
 */
final class DefaultJson {
  static final String MISSING = "no JSON codec: add Jackson 3 (tools.jackson.core:jackson-databind) to the classpath,"
      + " or give PayloadMapper.Builder.json(...) a JsonCodec over your own JSON library";

  /** Jackson 3 with its default settings, or null if it is not on the classpath. */
  static final JsonCodec CODEC = load();

  private DefaultJson() {}

  private static JsonCodec load() {
    try {
      Class.forName("tools.jackson.databind.json.JsonMapper", false, DefaultJson.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError absent) {
      return null;
    }
    return new Jackson3Json();
  }
}
