package dev.ssekit.protocol;

/** Names the protocol fixes: media type, headers and the query parameter for resuming. */
public final class Sse {
  /** The media type of an event stream: {@value}. */
  public static final String MEDIA_TYPE = "text/event-stream";

  /** The request header that carries the id to resume after: {@value}. */
  public static final String LAST_EVENT_ID_HEADER = "Last-Event-ID";

  /** The query parameter that carries the id to resume after, for clients that cannot set headers: {@value}. */
  public static final String LAST_EVENT_ID_PARAMETER = "lastEventId";

  private Sse() {}
}
