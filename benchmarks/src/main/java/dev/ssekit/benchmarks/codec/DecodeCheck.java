package dev.ssekit.benchmarks.codec;

import dev.ssekit.protocol.ServerSentEvent;
import java.util.List;
import java.util.Objects;

/** Fails a benchmark before it measures anything if a library does not decode the corpus exactly. */
final class DecodeCheck {
  private DecodeCheck() {}

  static void verify(Corpus corpus, StreamDecoder decoder, String name) throws Exception {
    List<ServerSentEvent> expected = corpus.events();
    int[] index = {0};
    int count = decoder.decode(corpus.stream(), (type, data, id) -> {
      ServerSentEvent want = expected.get(index[0]++);
      if (!want.type().equals(type) || !want.data().equals(data) || !Objects.equals(want.id(), id)) {
        throw new IllegalStateException(name + " decoded event " + (index[0] - 1) + " as type=" + type + " id=" + id
            + " data of " + data.length() + " chars; expected " + want.type() + "/" + want.id() + "/" + want.data().length());
      }
    });
    if (count != expected.size() || index[0] != expected.size()) {
      throw new IllegalStateException(name + " decoded " + count + " events; expected " + expected.size());
    }
  }
}
