package dev.ssekit.server;

import dev.ssekit.protocol.JsonCodec;
import io.javalin.config.JavalinState;
import io.javalin.json.JavalinJackson;
import io.javalin.json.JsonMapper;
import java.lang.reflect.Type;

/**
 * The JSON of the Javalin app that serves a hub ({@code config.jsonMapper(...)}), as a
 * {@link JsonCodec}, so that an app's events serialise exactly as its REST responses do.
 */
final class AppJson implements JsonCodec {
  private final JsonMapper mapper;

  private AppJson(JsonMapper mapper) {
    this.mapper = mapper;
  }

  /**
   * Returns the app's JSON, or null where it cannot work: Javalin's own default mapper is over
   * Jackson 2, which Javalin leaves to the app, so without Jackson 2 on the classpath the hub
   * keeps ssekit's default (Jackson 3).
   */
  static JsonCodec of(JavalinState state) {
    JsonMapper mapper = state.jsonMapper.getValue();
    if (mapper instanceof JavalinJackson && !present("com.fasterxml.jackson.databind.ObjectMapper")) return null;
    return new AppJson(mapper);
  }

  private static boolean present(String className) {
    try {
      Class.forName(className, false, AppJson.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError absent) {
      return false;
    }
  }

  @Override
  public String toJson(Object value, Type type) {
    return mapper.toJsonString(value, type);
  }

  @Override
  public Object fromJson(String json, Type type) {
    return mapper.<Object>fromJsonString(json, type);
  }

  @Override
  public String toString() {
    return "the Javalin app's " + mapper.getClass().getSimpleName();
  }
}
