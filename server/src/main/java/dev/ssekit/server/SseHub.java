package dev.ssekit.server;

import dev.ssekit.protocol.EventsLost;
import dev.ssekit.protocol.JsonCodec;
import dev.ssekit.protocol.PayloadMapper;
import dev.ssekit.protocol.ServerSentEvent;
import dev.ssekit.protocol.SseComment;
import dev.ssekit.protocol.SseEncoder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one event stream, divided into topics, to every connected client: publishing appends to
 * the {@link EventLog}, and the hub delivers what the log's tail hands it — the same encoded bytes
 * to the bounded queue of each client subscribed to the event's topic, in the log's order,
 * whichever node published. One id sequence spans every topic, so one {@code Last-Event-ID}
 * resumes a subscription to several topics exactly.
 *
 * <p>Serve it on a Javalin app with {@link SsePlugin}; publish from any thread:
 *
 * <pre>{@code
 * SseHub hub = SseHub.create(config -> config.retry = Duration.ofSeconds(2));
 * Javalin.create(config -> config.registerPlugin(new SsePlugin("/sse", hub))).start(8080);
 * hub.publish("order", new Order(42, "tea"));
 * }</pre>
 *
 * <p>A client that connects with {@code Last-Event-ID} first gets every retained event after it,
 * then the live stream, with no gap and no duplicate; an id the log does not hold (too old, from
 * another history) gets {@code ssekit-lost} first, then every retained event. A long replay is
 * read from the log in pages as the client takes them. A client whose queue fills up is cut off
 * and counted, so it never holds back the others; it resumes with its last id.
 *
 * <p>A transport connects clients with {@link #connect}; {@link SsePlugin} does it for Javalin, and
 * {@link SseSink} says how to write an adapter for another server. {@link #connections()} lists
 * the clients connected now.
 *
 * <p>Owns its writer, replay and timer threads ({@code ssekit-writer-*}, {@code ssekit-replay-*},
 * {@code ssekit-hub-timer-*}) and the log's tail; {@link #close()} ends every stream and stops
 * them, and closes the log if the hub created it.
 */
public final class SseHub implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SseHub.class);
  private static final int MAX_PAGE = 512;
  private static final int KEEP_ALIVE_SLICE = 1024;
  private static final int MIN_RECENT = 16_384;
  private static final long MAX_RECENT_BYTES = 16L << 20;
  /** About the most bytes of frames one catch-up page should hold: pages of large events get fewer. */
  private static final long PAGE_BYTES = 4L << 20;
  /** Events in a first catch-up page when no recent frame tells their size (a node just started). */
  private static final int FIRST_PAGE_UNKNOWN = 16;

  private final EventLog log;
  private final boolean ownsLog;
  private volatile PayloadMapper payloads; // set once more, by useAppJson, when an app starts serving the hub
  private final int maxClients;
  private final int clientQueueCapacity;
  private final int maxTopicsPerClient;
  private final Duration keepAliveInterval;
  private final Duration shutdownTimeout;
  private final Duration retry;
  private final int pageSize;
  private final Writers writers;
  private final ExecutorService replays;
  private final ScheduledExecutorService timer;
  private final byte[] connectFrame;
  private final byte[] keepAliveFrame;

  private final Object lock = new Object();
  // The frames of the newest events, by offset, that live clients' queues refer to; read by
  // writer threads without the lock (an entry that no longer holds its offset was overwritten:
  // a client that still needs it is too far behind). Written under the lock.
  private final LoggedEvent[] recent;
  private final long[] recentNanos; // when each event of recent was queued to its clients, for latency metrics
  private long recentBytes; // guarded by lock
  private long recentOldest; // guarded by lock: the oldest offset that may still be in recent
  private final Set<SseConnection> clients = new LinkedHashSet<>(); // guarded by lock: every connected client
  private final Set<SseConnection> live = new HashSet<>(); // guarded by lock: those past their catch-up
  private final Set<SseConnection> ahead = new HashSet<>(); // guarded by lock: live ones that joined ahead of the tail
  // Guarded by lock: the live subscribers of each topic, so an event costs only its own subscribers.
  private final Map<String, Set<SseConnection>> subscribers = new HashMap<>();
  private boolean closed; // guarded by lock
  private EventId position; // guarded by lock: the newest event the tail delivered
  private byte[] positionFrame; // guarded by lock: the id-only block of the position, made when first needed
  private volatile boolean closing;
  private volatile SseConnection.Observer observer;
  private final EventLog.Tail tail;

  private final AtomicLong published = new AtomicLong();
  private final AtomicLong delivered = new AtomicLong();
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong slowDisconnects = new AtomicLong();
  private final AtomicLong replaysServed = new AtomicLong();
  private final AtomicLong lostSignals = new AtomicLong();
  private final AtomicLong resets = new AtomicLong();

  private SseHub(SseHubConfig config) {
    config.validate();
    // Read once: a config changed later through an escaped reference cannot reach the hub.
    this.ownsLog = config.eventLog == null;
    this.log = ownsLog ? new InMemoryEventLog(config.history) : config.eventLog;
    this.payloads = config.payloads;
    this.maxClients = config.maxClients;
    this.clientQueueCapacity = config.clientQueueCapacity;
    this.maxTopicsPerClient = config.maxTopicsPerClient;
    this.keepAliveInterval = config.keepAliveInterval;
    this.shutdownTimeout = config.shutdownTimeout;
    this.retry = config.retry;
    this.pageSize = Math.max(16, Math.min(MAX_PAGE, clientQueueCapacity));
    this.connectFrame = retry == null ? null : new SseEncoder().retry(retry).toByteArray();
    this.keepAliveFrame = new SseEncoder().comment(SseComment.KEEP_ALIVE).toByteArray();
    this.position = log.head();
    this.recent = new LoggedEvent[Integer.highestOneBit(Math.max(MIN_RECENT, 4 * clientQueueCapacity) - 1) << 1];
    this.recentNanos = new long[recent.length];
    this.recentOldest = position.offset() + 1; // as after a reset: the ring holds nothing before the position
    this.writers = new Writers(config.writerThreads); // threads last: nothing above may fail and leave them running
    this.replays = Executors.newFixedThreadPool(2, NamedThreads.factory("ssekit-replay"));
    this.timer = Executors.newSingleThreadScheduledExecutor(NamedThreads.factory("ssekit-hub-timer"));
    try {
      this.tail = log.tail(position, new EventLog.TailListener() {
        @Override
        public void onEvent(LoggedEvent event) {
          deliver(event);
        }

        @Override
        public void onReset(EventId newPosition) {
          reset(newPosition, "the event log restarted its history").forEach(SseConnection::abort);
        }
      });
    } catch (RuntimeException e) {
      shutDownThreads();
      throw e;
    }
    long period = Math.max(1, keepAliveInterval.toMillis() / 4);
    timer.scheduleAtFixedRate(this::keepAlive, period, period, TimeUnit.MILLISECONDS);
  }

  /**
   * Gives payloads without a chosen JSON codec the JSON of the app that serves the hub: called by
   * {@link SsePlugin} when the app starts. A mapper whose codec was chosen
   * ({@code PayloadMapper.Builder.json}) keeps it, and so does the hub once an app gave it one.
   */
  void useAppJson(JsonCodec appJson) {
    synchronized (lock) {
      if (appJson != null && payloads.json().isEmpty()) payloads = payloads.newBuilder().json(appJson).build();
    }
  }

  /**
   * Returns a hub with default settings: an in-memory log of 1000 events.
   *
   * @return the hub, delivering
   */
  public static SseHub create() {
    return create(config -> {});
  }

  /**
   * Returns a hub configured by {@code config}, which is read once, here.
   *
   * @param config sets the settings that differ from the defaults
   * @return the hub, delivering
   * @throws IllegalArgumentException if a setting is out of range
   * @throws EventLogException if the configured log cannot be reached
   */
  public static SseHub create(Consumer<SseHubConfig> config) {
    SseHubConfig c = new SseHubConfig();
    config.accept(c);
    return new SseHub(c);
  }

  /**
   * Publishes {@code payload} as an event of {@code type} to {@link Publication#DEFAULT_TOPIC},
   * its data converted by the configured {@link PayloadMapper}.
   *
   * @param type the event type
   * @param payload the data: a {@code String} as it is, otherwise converted by the mapper
   * @return the id the log gave the event
   * @throws EventLogException if the log cannot take the event (connected clients stay connected)
   * @throws HubClosedException if the hub is closed
   */
  public EventId publish(String type, Object payload) {
    return publish(Publication.of(payloads.toEvent(type, payload)));
  }

  /**
   * Publishes {@code payload} as an event of {@code type} to the subscribers of {@code topic}.
   *
   * @param topic the topic, 1 to 256 characters without CR, LF or NUL
   * @param type the event type
   * @param payload the data: a {@code String} as it is, otherwise converted by the mapper
   * @return the id the log gave the event
   * @throws EventLogException if the log cannot take the event (connected clients stay connected)
   * @throws HubClosedException if the hub is closed
   */
  public EventId publish(String topic, String type, Object payload) {
    return publish(Publication.of(payloads.toEvent(type, payload)).toTopic(topic));
  }

  /**
   * Publishes {@code event} to {@link Publication#DEFAULT_TOPIC}; its own id, if any, is replaced
   * by the one the log gives it.
   *
   * @param event the event
   * @return the id the log gave the event
   * @throws EventLogException if the log cannot take the event (connected clients stay connected)
   * @throws HubClosedException if the hub is closed
   */
  public EventId publish(ServerSentEvent event) {
    return publish(Publication.of(event));
  }

  /**
   * Publishes an event to a topic, at most once per idempotency key when it has one: a publish
   * with a key that reached the log before (within a window of at least a minute, from any node
   * sharing the log) appends nothing and returns that publish's id — so a publish that failed
   * without telling whether it arrived can be retried.
   *
   * @param publication the event, its topic and its idempotency key
   * @return the id the log gave the event (or gave the first publish with this key)
   * @throws EventLogException if the log cannot take the event (connected clients stay connected)
   * @throws HubClosedException if the hub is closed
   */
  public EventId publish(Publication publication) {
    Objects.requireNonNull(publication, "publication");
    if (closing) throw new HubClosedException();
    EventId id = log.append(publication);
    published.incrementAndGet();
    return id;
  }

  /**
   * Returns the log this hub appends to and tails.
   *
   * @return the log
   */
  public EventLog log() {
    return log;
  }

  /**
   * Returns counters an operator wants to see.
   *
   * @return a snapshot of the hub's counters
   */
  public HubStats stats() {
    synchronized (lock) {
      return new HubStats(clients.size(), published.get(), delivered.get(), position, accepted.get(),
          slowDisconnects.get(), lostSignals.get(), resets.get(), replaysServed.get());
    }
  }

  /**
   * Returns the clients connected now, live or still catching up, in the order they connected.
   *
   * @return a snapshot
   */
  public List<SseConnection> connections() {
    synchronized (lock) {
      return List.copyOf(clients);
    }
  }

  /**
   * Connects a client to the topics of {@code subscription}: a transport calls this on its
   * request thread before it commits anything of the response, so that a refusal can still be
   * answered with a status of its own (see {@link SseSink}; the hub sends the head with its first
   * flush). A client that has seen
   * everything up to {@code lastEventId} (null or empty for a new client) is live at once when
   * nothing is missing; otherwise it first catches up from the log: every retained event of its
   * topics after that id, or {@code ssekit-lost} and every retained one when the log does not
   * hold the id.
   *
   * @param sink the client's response
   * @param lastEventId the id the client resumes after, as it sent it; null or empty for none
   * @param subscription the topics, and the application's attributes for the client
   * @return the connection; the transport calls its {@link SseConnection#writePossible()} next
   * @throws HubClosedException if the hub is closed
   * @throws HubFullException if {@link SseHubConfig#maxClients} are connected
   * @throws EventLogException if the log is needed for the replay and cannot be reached
   * @throws IllegalArgumentException if the subscription names more than
   *     {@link SseHubConfig#maxTopicsPerClient} topics
   */
  public SseConnection connect(SseSink sink, String lastEventId, Subscription subscription) {
    return connect(sink, lastEventId, subscription, null);
  }

  /** As {@link #connect(SseSink, String, Subscription)}, tagging the connection with {@code owner} (the route). */
  SseConnection connect(SseSink sink, String lastEventId, Subscription subscription, Object owner) {
    Objects.requireNonNull(sink, "sink");
    Objects.requireNonNull(subscription, "subscription");
    if (subscription.topics().size() > maxTopicsPerClient) {
      throw new IllegalArgumentException("a client may subscribe to at most " + maxTopicsPerClient
          + " topics; this one asked for " + subscription.topics().size());
    }
    SseConnection channel = new SseConnection(sink, clientQueueCapacity, owner, subscription, observer, this);
    writers.register(channel);
    boolean isNew = lastEventId == null || lastEventId.isEmpty();
    EventId resume = isNew ? null : EventId.parse(lastEventId);
    List<byte[]> frames = new ArrayList<>();
    if (connectFrame != null) frames.add(connectFrame);
    synchronized (lock) {
      if (closed) {
        channel.refused(); // gives its writer slot back; the transport answers the refusal
        throw new HubClosedException();
      }
      if (clients.size() >= maxClients) {
        channel.refused();
        throw new HubFullException(maxClients);
      }
      clients.add(channel);
      if (isNew || position.equals(resume)) {
        accepted.incrementAndGet();
        // A new client learns where it joined, so that if it is cut off before its first event
        // it still resumes from here rather than as a new client that missed what came between.
        if (isNew) frames.add(positionFrame());
        channel.replay(frames, null, 0);
        goLive(channel, position);
        return channel;
      }
    }
    CatchUp catchUp;
    try {
      catchUp = firstPage(resume, lastEventId, subscription.topics(), frames);
    } catch (RuntimeException | Error e) {
      channel.refused();
      throw e;
    }
    accepted.incrementAndGet();
    replaysServed.incrementAndGet();
    catchUp.continueWith(channel, frames);
    return channel;
  }

  /**
   * Reads the first page of a resuming client's replay into {@code frames}: everything after its
   * id when the log holds that event, else the loss signal and the oldest retained events.
   */
  private CatchUp firstPage(EventId resume, String lastEventId, Set<String> topics, List<byte[]> frames) {
    return firstPage(resume, lastEventId, topics, frames, false);
  }

  /** As above; if {@code exactOnly}, returns null instead of signalling a loss when the log does not hold the id. */
  private CatchUp firstPage(EventId resume, String lastEventId, Set<String> topics, List<byte[]> frames, boolean exactOnly) {
    List<LoggedEvent> oldest = null;
    if (resume != null) {
      // The event after a start of history (offset 0) is checked through its link to the epoch.
      boolean start = resume.offset() == 0;
      long from = start ? 1 : resume.offset();
      List<LoggedEvent> page = log.read(from, firstPageLimit());
      if (page.isEmpty()) {
        if (start && log.head().equals(resume)) return new CatchUp(resume, topics);
      } else if (start ? page.get(0).follows(resume) : page.get(0).id().equals(resume)) {
        CatchUp catchUp = new CatchUp(resume, topics);
        catchUp.add(start ? page : page.subList(1, page.size()), frames);
        return catchUp;
      } else if (page.get(0).offset() > from) {
        oldest = page; // the id was trimmed, and the read began at the oldest retained event
      }
    }
    if (exactOnly) return null;
    lostSignals.incrementAndGet();
    List<LoggedEvent> page = oldest != null ? oldest : log.read(0, firstPageLimit());
    if (page.isEmpty()) {
      EventId head = log.head();
      frames.add(lostFrame(lastEventId, null));
      // A current id, so that a client cut off before the next event is not told again.
      frames.add(new SseEncoder().id(head.toString()).toByteArray());
      return new CatchUp(head, topics);
    }
    LoggedEvent first = page.get(0);
    frames.add(lostFrame(lastEventId, first.id()));
    CatchUp catchUp = new CatchUp(EventId.of(first.offset() - 1, first.previousTag()), topics);
    catchUp.add(page, frames);
    return catchUp;
  }

  /** Events for a catch-up's first page: about {@link #PAGE_BYTES} of frames, judged by the recent ones. */
  private int firstPageLimit() {
    long bytes;
    long count;
    synchronized (lock) {
      bytes = recentBytes;
      count = Math.min(recent.length, position.offset() - recentOldest + 1);
    }
    if (bytes <= 0 || count <= 0) return FIRST_PAGE_UNKNOWN; // nothing delivered yet to judge by
    return (int) Math.max(1, Math.min(pageSize, count * PAGE_BYTES / bytes));
  }

  /** One client's way from its id to the live stream; touched by one thread at a time. */
  private final class CatchUp {
    private final Set<String> topics;
    private EventId last;
    private int limit = pageSize; // events per page, smaller for large events
    /** The resets counted when it started: if the log's history breaks meanwhile, its pages are of no use. */
    long epoch = resets.get();
    private boolean lastSent = true; // whether the client got last's id (false when last was another topic's)

    CatchUp(EventId last, Set<String> topics) {
      this.last = last;
      this.topics = topics;
    }

    /**
     * Adds the frames of {@code page}'s events on the client's topics, moving {@link #last} over
     * every event; a break in the chain is signalled, not hidden.
     */
    void add(List<LoggedEvent> page, List<byte[]> frames) {
      long bytes = 0;
      for (LoggedEvent event : page) {
        bytes += event.frame().length;
        if (!event.follows(last)) {
          // Trimmed (or replaced) while this client was catching up: what lay between is gone.
          lostSignals.incrementAndGet();
          frames.add(lostFrame(last.toString(), event.id()));
        }
        lastSent = topics.contains(event.topic());
        if (lastSent) frames.add(event.frame());
        last = event.id();
      }
      // A log may copy every event it reads (Redis does), for each client that catches up: the
      // next page is sized so that it holds about PAGE_BYTES, whatever the events weigh.
      if (!page.isEmpty()) {
        limit = (int) Math.max(1, Math.min(pageSize, page.size() * PAGE_BYTES / Math.max(1, bytes)));
      }
    }

    /** Hands {@code frames} to {@code channel}, then makes it live or asks for the next page when it is nearly written. */
    void continueWith(SseConnection channel, List<byte[]> frames) {
      synchronized (lock) {
        if (!clients.contains(channel)) return;
        if (epoch != resets.get()) {
          // Read across a break of the log's history, so perhaps of the new one: none of it is
          // sent, and the client is judged by its own id when it resumes.
          channel.end();
          return;
        }
        if (last.offset() >= position.offset()) {
          if (last.offset() == position.offset() && !last.equals(position)) {
            // The log and this node's tail disagree about the event at this offset: the node
            // follows a history the log no longer holds, and resets soon. Resume afterwards.
            channel.replay(frames, null, 0);
            channel.end();
            return;
          }
          // Every event after the tail's position comes live, and the client skips what its
          // replay already held: no gap, no duplicate, whether this node is behind the log or not.
          // It leaves with the id of where it caught up to, so that a cut now resumes from there.
          if (!lastSent) frames.add(new SseEncoder().id(last.toString()).toByteArray());
          channel.replay(frames, null, 0);
          goLive(channel, last);
          return;
        }
        // Asked for when half a page is left: in frames of this catch-up's pages, at least one, so
        // that a page with nothing for this client's topics still leads to the next.
        channel.replay(frames, () -> fetch(channel), Math.max(1, limit / 2));
      }
    }

    private void fetch(SseConnection channel) {
      try {
        replays.execute(() -> {
          List<byte[]> frames = new ArrayList<>();
          try {
            List<LoggedEvent> page = log.read(last.offset() + 1, limit);
            if (page.isEmpty()) {
              // The log has nothing after this client's replay, yet the tail delivered more: the
              // store lost what it held, and this node will reset. The client resumes afterwards.
              channel.end();
              return;
            }
            add(page, frames);
          } catch (RuntimeException | Error e) { // an Error too: the client must not stay, never live nor ended
            LOG.warn("Could not read the replay of a resuming client; ending its stream so it resumes later: {}",
                e.toString());
            channel.replay(frames, null, 0);
            channel.end();
            return;
          }
          continueWith(channel, frames);
        });
      } catch (RejectedExecutionException closing) {
        channel.end();
      }
    }
  }

  private byte[] lostFrame(String lastEventId, EventId firstAvailable) {
    EventsLost lost = new EventsLost(lastEventId, firstAvailable == null ? null : firstAvailable.toString());
    return SseEncoder.encode(payloads.toEvent(EventsLost.TYPE, lost));
  }

  /** Holds the lock: the client has everything up to {@code joinedAt}, and hears what follows it live. */
  private void goLive(SseConnection channel, EventId joinedAt) {
    channel.skipUpTo = joinedAt.offset();
    channel.skipId = joinedAt;
    channel.seenUpTo = joinedAt.offset();
    if (joinedAt.offset() > position.offset()) ahead.add(channel);
    live.add(channel);
    for (String topic : channel.subscription().topics()) subscribers.computeIfAbsent(topic, t -> new HashSet<>()).add(channel);
  }

  /**
   * Holds the lock: a client that joined ahead of this node's tail (its replay, read from the log,
   * went further) must hold the very event the tail delivers at its join offset; if not, the log
   * replaced that history after the client read it, and the client's stream ends so that its
   * reconnection is judged by its id.
   */
  private void meetAhead(EventId delivered) {
    for (Iterator<SseConnection> it = ahead.iterator(); it.hasNext(); ) {
      SseConnection c = it.next();
      if (delivered.offset() < c.skipUpTo) continue;
      it.remove();
      if (delivered.offset() == c.skipUpTo && !delivered.equals(c.skipId)) c.end();
    }
  }

  /** Holds the lock: the id-only block that tells a client it has everything up to the position. */
  private byte[] positionFrame() {
    if (positionFrame == null) positionFrame = new SseEncoder().id(position.toString()).toByteArray();
    return positionFrame;
  }

  /** Lets metrics see what writers and the hub do; null stops it. Connections made before keep what they had. */
  void observe(SseConnection.Observer observer) {
    this.observer = observer;
  }

  /** Returns how long ending streams may take before clients are cut off. */
  Duration shutdownTimeout() {
    return shutdownTimeout;
  }

  /**
   * Returns how many seconds a client refused by {@link #connect} (full, closed, log unreachable)
   * should wait before it tries again: the configured {@code retry}, rounded up, or 5 — what a
   * transport sends as {@code Retry-After}.
   *
   * @return at least 1
   */
  public long retryAfterSeconds() {
    return retry == null ? 5 : Math.max(1, (retry.toMillis() + 999) / 1000);
  }

  /**
   * Ends the streams of the clients {@code which} selects: each gets what is queued, then its
   * response ends; any still busy after the shutdown timeout is cut off. Returns when all are gone.
   */
  void endClients(Predicate<SseConnection> which) {
    List<SseConnection> ending;
    synchronized (lock) {
      ending = clients.stream().filter(which).toList();
    }
    ending.forEach(SseConnection::end);
    long deadline = System.nanoTime() + shutdownTimeout.toNanos();
    synchronized (lock) {
      try {
        while (ending.stream().anyMatch(clients::contains)) {
          long left = deadline - System.nanoTime();
          if (left <= 0) break;
          lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    ending.forEach(SseConnection::abort);
  }

  /**
   * Ends every stream (clients may reconnect elsewhere and resume), stops the hub's threads and
   * the log's tail, and refuses further publishing. Returns within about the shutdown timeout.
   */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) return;
      closed = true;
      closing = true;
    }
    tail.close();
    timer.shutdownNow();
    endClients(c -> true);
    shutDownThreads();
    if (ownsLog) log.close();
  }

  private void shutDownThreads() {
    timer.shutdownNow();
    replays.shutdownNow();
    long wait = shutdownTimeout.toMillis() + 1000;
    writers.close(wait);
    try {
      replays.awaitTermination(wait, TimeUnit.MILLISECONDS);
      timer.awaitTermination(wait, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Delivers the tail's next event to the live subscribers of its topic; on the tail's thread. */
  private void deliver(LoggedEvent event) {
    List<SseConnection> slow = null;
    List<SseConnection> cut = null;
    synchronized (lock) {
      if (closed) return;
      if (!event.follows(position)) {
        cut = reset(event.id(), "event " + event.id() + " does not follow " + position
            + " (the log was wiped, replaced or trimmed past this node)");
      } else {
        position = event.id();
        positionFrame = null;
        delivered.incrementAndGet();
        long now = System.nanoTime();
        remember(event, now);
        if (!ahead.isEmpty()) meetAhead(event.id());
        Set<SseConnection> targets = subscribers.get(event.topic());
        if (targets != null) {
          long offset = event.offset();
          for (SseConnection c : targets) {
            if (offset <= c.skipUpTo) continue;
            c.seenUpTo = offset;
            c.lastQueuedNanos = now;
            if (!c.offer(offset)) {
              if (slow == null) slow = new ArrayList<>();
              slow.add(c);
            }
          }
        }
      }
    }
    if (cut != null) cut.forEach(SseConnection::abort); // outside the lock: the transport's end may run application code
    disconnectSlow(slow);
  }

  /** Holds the lock: keeps {@code event}'s frame for the clients it is queued for, within the ring's count and bytes. */
  private void remember(LoggedEvent event, long nanos) {
    int mask = recent.length - 1;
    int at = (int) event.offset() & mask;
    LoggedEvent overwritten = recent[at];
    if (overwritten != null) recentBytes -= overwritten.frame().length;
    recent[at] = event;
    recentNanos[at] = nanos;
    recentBytes += event.frame().length;
    recentOldest = Math.max(recentOldest, event.offset() - mask);
    while (recentBytes > MAX_RECENT_BYTES && recentOldest < event.offset()) {
      int old = (int) recentOldest & mask;
      LoggedEvent evicted = recent[old];
      if (evicted != null && evicted.offset() == recentOldest) {
        recentBytes -= evicted.frame().length;
        recent[old] = null;
      }
      recentOldest++;
    }
  }

  /** Returns the frame of the live event at {@code offset}, or null if the ring let go of it; any thread. */
  LoggedEvent recent(long offset) {
    LoggedEvent event = recent[(int) offset & (recent.length - 1)];
    return event != null && event.offset() == offset ? event : null;
  }

  /** Returns when the live event at {@code offset} was queued, if the ring still holds it; any thread. */
  long queuedNanos(long offset) {
    return recentNanos[(int) offset & (recent.length - 1)];
  }

  /** Returns how many connections hold a writer's slot: those connected and those closing. */
  int writerSlotsInUse() {
    return writers.connections();
  }

  /**
   * A writer found that the next event queued for {@code client} is no longer in the ring of
   * recent events, which bounds its memory by count and bytes: the client is caught up from the
   * log, as if it had resumed after the last live event it was written ({@code writtenUpTo}, whose
   * tag hashes to {@code writtenTag}; 0 for none since it went live, when it resumes from where it
   * joined), and goes live again. A client whose stream is ending, or whose resume point the log
   * no longer holds, is cut off instead and resumes by its own id. On the client's writer thread.
   */
  void fellBehind(SseConnection client, long writtenUpTo, int writtenTag) {
    EventId joinedAt = null;
    long epoch = 0;
    synchronized (lock) {
      if (!client.isEnding() && leaveLive(client)) {
        joinedAt = client.skipId;
        epoch = resets.get();
      }
    }
    if (joinedAt == null) {
      client.abort(); // what it had queued cannot be sent before its end: it resumes by its id
      return;
    }
    // Not live, so nothing is queued for it any more; what was, the catch-up reads again. Before
    // the catch-up starts: once it is live again, new events are queued.
    client.dropQueuedEvents();
    EventId from = joinedAt;
    long after = epoch;
    try {
      replays.execute(() -> rejoin(client, from, writtenUpTo, writtenTag, after));
    } catch (RejectedExecutionException closing) {
      client.abort();
    }
  }

  private void rejoin(SseConnection client, EventId joinedAt, long writtenUpTo, int writtenTag, long epoch) {
    try {
      EventId resume = joinedAt;
      if (writtenUpTo > joinedAt.offset()) {
        List<LoggedEvent> at = log.read(writtenUpTo, 1);
        boolean held = !at.isEmpty() && at.get(0).offset() == writtenUpTo && at.get(0).id().tag().hashCode() == writtenTag;
        resume = held ? at.get(0).id() : null;
      }
      List<byte[]> frames = new ArrayList<>();
      CatchUp catchUp = resume == null ? null
          : firstPage(resume, resume.toString(), client.subscription().topics(), frames, true);
      if (catchUp == null) {
        // The log let go of it too, or holds another history there. The client's own last id may
        // be later (an id-only block), so it is judged by that when it resumes, not signalled here.
        disconnectSlow(List.of(client));
        return;
      }
      catchUp.epoch = epoch;
      catchUp.continueWith(client, frames);
    } catch (RuntimeException | Error e) { // an Error too: the client must not stay, never live nor ended
      LOG.warn("Could not read the log to catch up a client that fell behind; cutting it off so it resumes later: {}",
          e.toString());
      client.abort();
    }
  }

  /**
   * The history this hub followed is gone: every stream ends (its clients reconnect and each is
   * judged against the log by its own id), and delivery goes on from {@code newPosition}.
   */
  private List<SseConnection> reset(EventId newPosition, String why) {
    List<SseConnection> cut = new ArrayList<>();
    synchronized (lock) {
      if (closed) return cut;
      LOG.warn("Lost continuity with the event log at {}: {}; ending {} streams so that each client resumes by its own id",
          position, why, clients.size());
      position = newPosition;
      resets.incrementAndGet();
      live.clear();
      ahead.clear();
      subscribers.clear();
      positionFrame = null;
      Arrays.fill(recent, null);
      recentBytes = 0;
      recentOldest = newPosition.offset() + 1;
      // A queued offset names an event of the history that is gone, and the new history reuses
      // offsets: such a client is cut, never written what the ring holds there next.
      for (SseConnection c : clients) {
        if (c.hasQueuedEvents()) {
          cut.add(c);
        } else {
          c.end();
        }
      }
    }
    return cut;
  }

  private void disconnectSlow(List<SseConnection> slow) {
    if (slow == null) return;
    for (SseConnection c : slow) {
      if (c.abort()) {
        slowDisconnects.incrementAndGet();
        LOG.info("Disconnected a client too slow to keep up (its queue of {} frames full, or behind what the hub and the"
            + " log still hold); it may resume with Last-Event-ID", clientQueueCapacity);
      }
    }
  }

  /**
   * Sends each live client that heard nothing for the keep-alive interval either a comment, or —
   * when events of other topics went by — an id-only block with the position, so that a client
   * of a quiet topic keeps a current last event id. A client with frames still queued needs
   * neither (and the block must not overtake them). The clients are visited in slices, taking the
   * lock for each, so that delivery never waits for a walk over every client.
   */
  private void keepAlive() {
    List<SseConnection> all;
    synchronized (lock) {
      if (closed) return;
      all = new ArrayList<>(live);
    }
    long idle = keepAliveInterval.toNanos();
    for (int from = 0; from < all.size(); from += KEEP_ALIVE_SLICE) {
      List<SseConnection> slow = null;
      synchronized (lock) {
        if (closed) return;
        long now = System.nanoTime();
        for (SseConnection c : all.subList(from, Math.min(all.size(), from + KEEP_ALIVE_SLICE))) {
          if (now - c.lastQueuedNanos < idle || c.isClosed() || !live.contains(c)) continue;
          c.lastQueuedNanos = now;
          if (c.hasQueued()) continue;
          byte[] frame = keepAliveFrame;
          if (c.seenUpTo < position.offset()) {
            frame = positionFrame();
            c.seenUpTo = position.offset();
          }
          if (!c.offerFrame(frame)) {
            if (slow == null) slow = new ArrayList<>();
            slow.add(c);
          }
        }
      }
      disconnectSlow(slow);
    }
  }

  /** Returns how many topics have live subscribers here; for tests. */
  int subscribedTopics() {
    synchronized (lock) {
      return subscribers.size();
    }
  }

  /** Called by a connection once, when it closed for any reason. */
  void closed(SseConnection channel) {
    synchronized (lock) {
      clients.remove(channel);
      leaveLive(channel);
      lock.notifyAll();
    }
  }

  /** Holds the lock: stops queuing live events for {@code channel}; returns whether it was live. */
  private boolean leaveLive(SseConnection channel) {
    ahead.remove(channel);
    if (!live.remove(channel)) return false;
    for (String topic : channel.subscription().topics()) {
      Set<SseConnection> set = subscribers.get(topic);
      if (set != null && set.remove(channel) && set.isEmpty()) subscribers.remove(topic);
    }
    return true;
  }
}
