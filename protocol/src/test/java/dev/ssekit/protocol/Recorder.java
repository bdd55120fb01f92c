package dev.ssekit.protocol;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Records everything a decoder reports, in order, for assertions. */
final class Recorder implements SseDecoder.Listener {
  final List<ServerSentEvent> events = new ArrayList<>();
  final List<String> comments = new ArrayList<>();
  final List<Duration> retries = new ArrayList<>();
  final List<SseLimitExceededException> limits = new ArrayList<>();
  /** Everything in arrival order, as short strings: "event:...", "comment:...", "retry:...", "limit:...", "malformed". */
  final List<String> log = new ArrayList<>();

  @Override
  public void onEvent(ServerSentEvent event) {
    events.add(event);
    log.add("event:" + event);
  }

  @Override
  public void onComment(SseComment comment) {
    comments.add(comment.text());
    log.add("comment:" + comment.text());
  }

  @Override
  public void onRetry(Duration reconnectionTime) {
    retries.add(reconnectionTime);
    log.add("retry:" + reconnectionTime.toMillis());
  }

  @Override
  public void onMalformedUtf8() {
    log.add("malformed");
  }

  @Override
  public void onLimitExceeded(SseLimitExceededException e) {
    limits.add(e);
    log.add("limit:" + e.limit());
  }

  /** Decodes {@code stream} in one chunk, ends the stream, and returns the recorder. */
  static Recorder decode(String stream) {
    return decode(stream.getBytes(StandardCharsets.UTF_8));
  }

  static Recorder decode(byte[] stream) {
    Recorder r = new Recorder();
    SseDecoder d = new SseDecoder(r);
    d.feed(stream, 0, stream.length);
    d.endOfStream();
    return r;
  }

  /** Decodes {@code stream} split at {@code cuts} (ascending offsets). */
  static Recorder decodeSplit(byte[] stream, int... cuts) {
    Recorder r = new Recorder();
    SseDecoder d = new SseDecoder(r);
    int from = 0;
    for (int cut : cuts) {
      d.feed(stream, from, cut - from);
      from = cut;
    }
    d.feed(stream, from, stream.length - from);
    d.endOfStream();
    return r;
  }
}
