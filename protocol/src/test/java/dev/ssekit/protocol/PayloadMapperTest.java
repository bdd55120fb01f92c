package dev.ssekit.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PayloadMapperTest {
  record Address(String city, List<String> lines) {}

  record Order(long id, String customer, Address address, Map<String, Integer> items) {}

  private final PayloadMapper mapper = PayloadMapper.builder().register("order", Order.class).build();

  @Test
  void heartbeatIsRegisteredByDefaultWithTheEpochMillisWireForm() {
    PayloadMapper defaults = PayloadMapper.defaults();
    assertEquals(Optional.of(Heartbeat.class), defaults.javaType("heartbeat"));
    Heartbeat hb = defaults.decode(ServerSentEvent.heartbeat(1764123456789L), Heartbeat.class);
    assertEquals(Instant.ofEpochMilli(1764123456789L), hb.time());
    assertEquals(ServerSentEvent.heartbeat(1764123456789L), defaults.toEvent(hb));
    assertEquals(hb, defaults.decode(ServerSentEvent.heartbeat(1764123456789L)));
  }

  @Test
  void recordsTravelAsJson() {
    Order order = new Order(7, "Zoë 🎉", new Address("Zürich", List.of("line 1", "line\n2")), Map.of("tea", 2));
    ServerSentEvent e = mapper.toEvent(order);
    assertEquals("order", e.type());
    assertTrue(e.data().startsWith("{\"id\":7,"), e.data());
    assertEquals(order, mapper.decode(e, Order.class));
    assertEquals(order, mapper.decode(e));
  }

  @Test
  void stringsAreTheDataItself() {
    assertEquals("plain \"text\"", mapper.encode("plain \"text\""));
    assertEquals("x:y", mapper.decode(ServerSentEvent.of("anything", "x:y"), String.class));
    assertEquals("raw", mapper.decode(ServerSentEvent.of("unregistered", "raw")));
  }

  @Test
  void undecodablePayloadNamesTheEventTypeAndId() {
    ServerSentEvent bad = ServerSentEvent.of("heartbeat", "yesterday", "42");
    PayloadException e = assertThrows(PayloadException.class, () -> mapper.decode(bad, Heartbeat.class));
    assertEquals("heartbeat", e.eventType());
    assertEquals("42", e.eventId());
    assertSame(Heartbeat.class, e.javaType());
    assertTrue(e.getMessage().startsWith("cannot decode 'heartbeat' event (id 42) as Heartbeat:"), e.getMessage());

    PayloadException json = assertThrows(PayloadException.class,
        () -> mapper.decode(ServerSentEvent.of("order", "{not json"), Order.class));
    assertTrue(json.getMessage().startsWith("cannot decode 'order' event (no id) as Order:"), json.getMessage());
    assertThrows(PayloadException.class, () -> mapper.decode(ServerSentEvent.of("order", "null"), Order.class));
  }

  @Test
  void heartbeatCodecIsStrict() {
    for (String bad : new String[] {"", "+1", "--1", "1.5", " 1", "1 ", "1e3", "99999999999999999999"}) {
      assertThrows(PayloadException.class, () -> mapper.decode(ServerSentEvent.of("heartbeat", bad), Heartbeat.class), bad);
    }
  }

  @Test
  void everyHeartbeatTheEncoderWritesDecodesBack() {
    for (long millis : new long[] {0, -1, Long.MIN_VALUE, Long.MAX_VALUE, 1_764_123_456_789L}) {
      ServerSentEvent e = ServerSentEvent.heartbeat(millis);
      assertEquals(Heartbeat.ofEpochMilli(millis), mapper.decode(e, Heartbeat.class), e.data());
    }
    assertThrows(IllegalArgumentException.class, () -> new Heartbeat(java.time.Instant.MAX));
  }

  @Test
  void customCodec() {
    PayloadCodec<Integer> hex = new PayloadCodec<>() {
      @Override
      public String encode(Integer value) {
        return Integer.toHexString(value);
      }

      @Override
      public Integer decode(String data) {
        return Integer.parseInt(data, 16);
      }
    };
    PayloadMapper m = PayloadMapper.builder().register("n", Integer.class, hex).build();
    assertEquals(ServerSentEvent.of("n", "ff"), m.toEvent(255));
    assertEquals(255, m.decode(ServerSentEvent.of("n", "ff"), Integer.class));
  }

  @Test
  void eventsLostSignalIsRegistered() {
    EventsLost lost = new EventsLost("17", "120");
    ServerSentEvent e = PayloadMapper.defaults().toEvent(lost);
    assertEquals(EventsLost.TYPE, e.type());
    assertEquals("{\"lastEventId\":\"17\",\"firstAvailableId\":\"120\"}", e.data());
    assertEquals(lost, PayloadMapper.defaults().decode(e, EventsLost.class));
  }

  @Test
  void eventsLostCodecReadsWhatAJsonLibraryWouldWriteAndRejectsWhatIsNotJson() {
    PayloadCodec<EventsLost> codec = EventsLost.CODEC;
    assertEquals(new EventsLost("a\"b\\c\u00e9", null), codec.decode(codec.encode(new EventsLost("a\"b\\c\u00e9", null))));
    assertEquals("{\"lastEventId\":\"x\\u0001\",\"firstAvailableId\":null}", codec.encode(new EventsLost("x\u0001", null)));
    assertEquals(new EventsLost("1.a", "2.b"),
        codec.decode(" { \"firstAvailableId\" : \"2.b\", \"extra\": 3.5e2, \"flag\": true, \"lastEventId\":\"1.\\u0061\" } "));
    assertEquals(new EventsLost(null, null), codec.decode("{}"));
    for (String bad : new String[] {"", "{", "{\"lastEventId\":1x}", "{\"lastEventId\":\"a}", "{} x", "[]",
        "{\"lastEventId\":\"a\",}", "{\"lastEventId\":\"\\q\"}", "{\"nested\":{}}"}) {
      assertThrows(IllegalArgumentException.class, () -> codec.decode(bad), bad);
    }
  }

  @Test
  void anotherJsonLibraryPlugsInThroughJsonCodec() {
    com.fasterxml.jackson.databind.ObjectMapper jackson2 = new com.fasterxml.jackson.databind.ObjectMapper();
    List<String> calls = new java.util.concurrent.CopyOnWriteArrayList<>();
    JsonCodec codec = new JsonCodec() {
      @Override
      public String toJson(Object value, java.lang.reflect.Type type) throws Exception {
        calls.add("toJson " + type.getTypeName());
        return jackson2.writeValueAsString(value);
      }

      @Override
      public Object fromJson(String json, java.lang.reflect.Type type) throws Exception {
        calls.add("fromJson " + type.getTypeName());
        return jackson2.readValue(json, jackson2.constructType(type));
      }
    };
    PayloadMapper jackson2Mapper = PayloadMapper.builder().json(codec).register("address", Address.class).build();
    assertEquals(Optional.of(codec), jackson2Mapper.json());
    assertEquals(Optional.empty(), PayloadMapper.defaults().json(), "the default is not a chosen codec");

    Address address = new Address("Zürich", List.of("line 1"));
    ServerSentEvent e = jackson2Mapper.toEvent(address);
    assertEquals("{\"city\":\"Zürich\",\"lines\":[\"line 1\"]}", e.data());
    assertEquals(address, jackson2Mapper.decode(e, Address.class));
    assertEquals(List.of(address), jackson2Mapper.decode(ServerSentEvent.of("batch", "[" + e.data() + "]"),
        new PayloadType<List<Address>>() {}));
    assertEquals(List.of("toJson " + Address.class.getName(), "fromJson " + Address.class.getName(),
        "fromJson java.util.List<" + Address.class.getName() + ">"), calls);
    assertEquals(Heartbeat.ofEpochMilli(5), jackson2Mapper.decode(ServerSentEvent.heartbeat(5), Heartbeat.class),
        "own codecs never reach the JSON codec");
    assertEquals(3, calls.size());
    assertEquals(Optional.of(codec), jackson2Mapper.newBuilder().build().json(), "newBuilder keeps the codec");

    PayloadException broken = assertThrows(PayloadException.class,
        () -> jackson2Mapper.decode(ServerSentEvent.of("address", "{oops", "7"), Address.class));
    assertTrue(broken.getMessage().startsWith("cannot decode 'address' event (id 7) as Address:"), broken.getMessage());
  }

  @Test
  void unregisteredTypeNeedsAnExplicitEventType() {
    assertThrows(IllegalArgumentException.class, () -> mapper.toEvent(new Address("x", List.of())));
    assertEquals("addr", mapper.toEvent("addr", new Address("x", List.of())).type());
  }

  @Test
  void registrationValidatesTheEventType() {
    assertThrows(IllegalArgumentException.class, () -> PayloadMapper.builder().register("a\nb", Order.class));
  }

  @Test
  void newBuilderKeepsRegistrations() {
    PayloadMapper extended = mapper.newBuilder().register("address", Address.class).build();
    assertEquals(Optional.of(Order.class), extended.javaType("order"));
    assertEquals(Optional.of("address"), extended.eventType(Address.class));
    assertEquals(Optional.empty(), mapper.eventType(Address.class));
  }

  @Test
  void newBuilderKeepsWhichEventTypeCameFirst() {
    PayloadMapper.Builder builder = PayloadMapper.builder();
    for (int i = 0; i < 20; i++) builder.register("t" + i, Address.class);
    PayloadMapper first = builder.build();
    assertEquals(Optional.of("t0"), first.eventType(Address.class));
    assertEquals(Optional.of("t0"), first.newBuilder().build().eventType(Address.class));
  }
}
