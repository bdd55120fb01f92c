package dev.ssekit.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PayloadTypeTest {
  record Order(long id, String item) {}

  private final PayloadMapper mapper = PayloadMapper.defaults();

  @Test
  void genericTypesDecodeToTheirElementTypes() {
    ServerSentEvent batch = ServerSentEvent.of("orders", "[{\"id\":1,\"item\":\"tea\"},{\"id\":2,\"item\":\"cake\"}]", "9");
    List<Order> orders = mapper.decode(batch, new PayloadType<List<Order>>() {});
    assertEquals(List.of(new Order(1, "tea"), new Order(2, "cake")), orders);
    assertSame(Order.class, orders.get(0).getClass(), "records, not maps");

    Map<String, List<Integer>> nested = mapper.decode(ServerSentEvent.of("m", "{\"a\":[1,2]}"),
        new PayloadType<Map<String, List<Integer>>>() {});
    assertEquals(Map.of("a", List.of(1, 2)), nested);
  }

  @Test
  void aPlainClassDecodesExactlyAsWithTheClass() {
    ServerSentEvent beat = ServerSentEvent.heartbeat(5);
    assertEquals(Heartbeat.ofEpochMilli(5), mapper.decode(beat, PayloadType.of(Heartbeat.class)), "through its codec");
    assertEquals("5", mapper.decode(beat, PayloadType.of(String.class)), "the data itself");
    assertEquals(mapper.decode(beat, Heartbeat.class), mapper.decode(beat, new PayloadType<Heartbeat>() {}));
  }

  @Test
  void undecodableDataNamesTheEventAndTheGenericType() {
    ServerSentEvent bad = ServerSentEvent.of("orders", "{\"id\":1}", "3");
    PayloadException e = assertThrows(PayloadException.class, () -> mapper.decode(bad, new PayloadType<List<Order>>() {}));
    assertTrue(e.getMessage().startsWith("cannot decode 'orders' event (id 3) as java.util.List<" + Order.class.getName() + ">: "),
        e.getMessage());
    assertSame(List.class, e.javaType());
    assertEquals("3", e.eventId());
    assertThrows(PayloadException.class, () -> mapper.decode(ServerSentEvent.of("orders", "null"), new PayloadType<List<Order>>() {}));
  }

  @Test
  void typesAreEqualWhenTheyStandForTheSameType() {
    assertEquals(new PayloadType<List<Order>>() {}, new PayloadType<List<Order>>() {});
    assertEquals(new PayloadType<List<Order>>() {}.hashCode(), new PayloadType<List<Order>>() {}.hashCode());
    assertEquals(PayloadType.of(Order.class), new PayloadType<Order>() {});
    assertNotEquals(new PayloadType<List<Order>>() {}, new PayloadType<List<String>>() {});
    assertEquals("PayloadType<java.util.List<java.lang.String>>", new PayloadType<List<String>>() {}.toString());
  }

  @Test
  void typesThatCannotBeHonouredAreRejected() {
    assertThrows(IllegalArgumentException.class, PayloadTypeTest::listOfTypeVariable, "erased at run time");
    assertThrows(IllegalArgumentException.class, () -> PayloadType.of(int.class));
    assertThrows(NullPointerException.class, () -> PayloadType.of(null));
    @SuppressWarnings("rawtypes")
    class Raw extends PayloadType {}
    assertThrows(IllegalStateException.class, Raw::new);
  }

  private static <T> PayloadType<List<T>> listOfTypeVariable() {
    return new PayloadType<List<T>>() {};
  }

  @Test
  void typedEventsCarryTheMetadataOfTheirEvent() {
    ServerSentEvent event = ServerSentEvent.of("order", "{}", "7").withRetry(Duration.ofMillis(500));
    TypedEvent<Order> typed = TypedEvent.of(event, new Order(7, "tea"));
    assertEquals("order", typed.type());
    assertEquals("7", typed.id());
    assertEquals(Duration.ofMillis(500), typed.retry());
    assertEquals(new Order(7, "tea"), typed.data());
    assertEquals(typed, TypedEvent.of(event, new Order(7, "tea")));
    assertNotEquals(typed, TypedEvent.of(event.withId("8"), new Order(7, "tea")));
    assertEquals("TypedEvent{type=order, id=7, retry=500ms, data=Order[id=7, item=tea]}", typed.toString());
    assertThrows(NullPointerException.class, () -> TypedEvent.of(event, null));
  }
}
