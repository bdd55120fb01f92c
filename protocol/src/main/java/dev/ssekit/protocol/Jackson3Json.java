package dev.ssekit.protocol;

import java.lang.reflect.Type;
import tools.jackson.databind.json.JsonMapper;

/** Jackson 3 with its default settings: ssekit's default {@link JsonCodec}. Loaded only if Jackson is present. */
final class Jackson3Json implements JsonCodec {
  private final JsonMapper mapper = JsonMapper.builder().build();

  @Override
  public String toJson(Object value, Type type) {
    return mapper.writeValueAsString(value);
  }

  @Override
  public Object fromJson(String json, Type type) {
    return mapper.readValue(json, mapper.constructType(type));
  }
}
