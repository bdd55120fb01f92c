package dev.ssekit.client;

import static dev.ssekit.client.Dispatcher.safely;

import dev.ssekit.client.SseClient.State;
import dev.ssekit.protocol.ServerSentEvent;
import dev.ssekit.protocol.SseComment;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Response;

/**
 * The client's connection state machine: the one place that holds the {@link State} and makes
 * its transitions, owns the threads, and decides what the end of a connection means.
 *
 * <pre>
 *   NEW ── start() ──► CONNECTING ── 2xx text/event-stream ──► OPEN
 *                      │  ▲   ▲                                 │
 *                      └──┘   └─── the connection ended and the ┘
 *       an attempt failed and     policy allows another attempt,
 *       the policy allows another  or restart()
 *       (after the backoff), or restart()
 *
 *   NEW, CONNECTING, OPEN ── close(), 204, fatal error, attempts exhausted ──► CLOSED (final)
 * </pre>
 *
 * <p>Transitions happen under {@link #lock}, on the reader thread ({@code ssekit-client-reader}),
 * except {@code start()} and the move to {@code CLOSED}, which any thread may make. Each is
 * announced to the listener through the {@link Dispatcher}, in stream order with the events; the
 * move to {@code CLOSED} is announced by the dispatcher's last callback, with the fatal error if
 * there is one, and is followed only by {@code onClosed}. What the reader does between
 * transitions (one HTTP attempt, decoding) is {@link Connection}'s; what an event means to the
 * user is {@link Handlers}'.
 */
final class Lifecycle {
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
  /** Numbers the client's threads, {@code ssekit-client-reader-N} and {@code ssekit-client-callbacks-N}, for thread dumps. */
  private static final AtomicInteger CLIENTS = new AtomicInteger();

  /** What ended a backoff wait. */
  private enum Wake { TIMEOUT, RESTART, CLOSED }

  private final Connection connection;
  private final HttpUrl target;
  private final OkHttpClient http;
  private final boolean ownsHttp;
  private final ReconnectPolicy policy;
  private final SseClient.Listener listener;
  private final Handlers handlers;
  private final Consumer<SseException> terminal;
  private final ExecutorService ownExecutor;
  /** The own executor's thread: joined on close, since the executor counts as terminated a moment before it ends. */
  private volatile Thread callbackThread;
  private final Dispatcher dispatcher;
  private final Thread reader;
  private final AtomicBoolean httpReleased = new AtomicBoolean();

  private final Object lock = new Object();
  private volatile State state = State.NEW; // written under lock only
  private Call call; // under lock: the attempt under way, to cancel
  private boolean restartRequested; // under lock

  /**
   * @param terminal an internal consumer told, in the last callback before {@code onClosed}, how
   *     the client ended (null for a clean end); or null
   */
  Lifecycle(Connection.Settings settings, boolean ownsHttp, ReconnectPolicy policy, SseClient.Listener listener,
      Handlers handlers, Executor executor, int bufferCapacity, Consumer<SseException> terminal) {
    this.target = settings.request().url();
    this.http = settings.http();
    this.ownsHttp = ownsHttp;
    this.policy = policy;
    this.listener = listener;
    this.handlers = handlers;
    this.terminal = terminal;
    int number = CLIENTS.incrementAndGet(); // one per client, so that a thread dump pairs its threads
    this.ownExecutor = executor == null ? Executors.newSingleThreadExecutor(
        r -> callbackThread = new Thread(r, "ssekit-client-callbacks-" + number)) : null;
    this.dispatcher = new Dispatcher(bufferCapacity, executor != null ? executor : ownExecutor);
    this.connection = new Connection(settings, new Reading());
    this.reader = new Thread(this::run, "ssekit-client-reader-" + number);
  }

  State state() {
    return state;
  }

  String lastEventId() {
    return connection.lastEventId();
  }

  /** NEW → CONNECTING, starting the reader; nothing in any other state. */
  void start() {
    synchronized (lock) {
      if (state != State.NEW) return;
      state = State.CONNECTING;
      reader.start();
    }
  }

  /** Ends the connection or backoff wait under way and connects again at once; nothing if NEW or CLOSED. */
  void restart() {
    Call current;
    synchronized (lock) {
      if (state == State.NEW || state == State.CLOSED) return;
      restartRequested = true;
      current = call;
      lock.notifyAll();
    }
    if (current != null) current.cancel();
  }

  /** Any state → CLOSED at once, dropping undelivered events; then waits (bounded) for the threads. */
  void close() {
    stop(null, true);
    awaitThreads();
  }

  /** As {@link #close()}, without waiting for the threads to end: they end on their own, soon. */
  void closeAsync() {
    stop(null, true);
  }

  private void run() {
    SseException fatal = null;
    try {
      announce(State.CONNECTING, null);
      int failures = 0;
      while (true) {
        synchronized (lock) {
          if (state == State.CLOSED) break;
          restartRequested = false; // this attempt is the one a restart asked for
        }
        Connection.Outcome outcome = connection.run(this::register);
        boolean restart;
        synchronized (lock) {
          call = null;
          if (state == State.CLOSED) break;
          restart = restartRequested;
        }
        if (restart) {
          // Asked for: however the connection ended, it is neither an error nor a failed attempt.
          failures = 0;
          if (transition(State.OPEN, State.CONNECTING)) announce(State.CONNECTING, null);
          continue;
        }
        if (outcome.stop()) break; // a 204 asks the client to stop for good
        if (outcome.healthyFor() != null && outcome.healthyFor().compareTo(policy.resetAfter()) >= 0) failures = 0;
        SseException error = outcome.error();
        if (error.isFatal()) {
          fatal = error;
          break;
        }
        if (++failures > policy.maxAttempts()) {
          boolean quietEnd = policy.maxAttempts() == 0 && error.reason() == SseException.Reason.STREAM_ENDED;
          if (!quietEnd) fatal = policy.maxAttempts() == 0 ? error.asFatal() : exhausted(error);
          break;
        }
        Duration delay = policy.delay(failures, outcome.serverMinimumDelay(), ThreadLocalRandom.current().nextDouble());
        SseException retrying = error.retrying(delay);
        if (transition(State.OPEN, State.CONNECTING)) announce(State.CONNECTING, retrying);
        dispatcher.put(() -> safely(() -> listener.onError(retrying)));
        Wake wake = await(delay);
        if (wake == Wake.CLOSED) break;
        if (wake == Wake.RESTART) failures = 0;
      }
    } catch (InterruptedException e) {
      // close() interrupted a wait
    } catch (Throwable e) {
      // Not expected from OkHttp or the decoder, or the callback executor rejected work; never
      // let the reader die without telling anyone.
      fatal = new SseException(SseException.Reason.NETWORK, "unexpected failure reading " + target + ": " + e, e, -1,
          null, true, null);
    } finally {
      stop(fatal, false);
      releaseHttp();
    }
  }

  /** Makes a transition the reader takes, if the state is still {@code from}; returns whether it did. */
  private boolean transition(State from, State to) {
    synchronized (lock) {
      if (state != from) return false;
      state = to;
      return true;
    }
  }

  private void announce(State to, SseException cause) throws InterruptedException {
    dispatcher.put(() -> safely(() -> listener.onStateChange(to, cause)));
  }

  private void register(Call c) {
    synchronized (lock) {
      call = c;
      if (state == State.CLOSED || restartRequested) c.cancel(); // close() or restart() came before the call was visible
    }
  }

  private Wake await(Duration delay) throws InterruptedException {
    long start = System.nanoTime();
    long wait = TimeUnit.MILLISECONDS.toNanos(delay.toMillis()); // saturates: a server may ask for "forever"
    synchronized (lock) {
      while (true) {
        if (state == State.CLOSED) return Wake.CLOSED;
        if (restartRequested) return Wake.RESTART;
        long left = wait - (System.nanoTime() - start);
        if (left <= 0) return Wake.TIMEOUT;
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
    }
  }

  /**
   * Any state → CLOSED. Events already read are still delivered unless {@code dropQueued} (the
   * user closed the client); then the last callback announces the end.
   */
  private void stop(SseException fatal, boolean dropQueued) {
    Call current;
    boolean started;
    synchronized (lock) {
      if (state == State.CLOSED) {
        if (dropQueued) dispatcher.finish(null, true);
        return;
      }
      started = state != State.NEW;
      state = State.CLOSED;
      current = call;
      lock.notifyAll();
    }
    if (current != null) current.cancel();
    if (Thread.currentThread() != reader) reader.interrupt();
    if (!started) releaseHttp(); // no reader will do it
    dispatcher.finish(() -> {
      try {
        safely(() -> listener.onStateChange(State.CLOSED, fatal));
        if (fatal != null) safely(() -> listener.onError(fatal));
        if (terminal != null) safely(() -> terminal.accept(fatal));
        safely(listener::onClosed);
      } finally {
        if (ownExecutor != null) ownExecutor.shutdown(); // its thread ends after this callback
      }
    }, dropQueued);
  }

  private void awaitThreads() {
    long deadline = System.nanoTime() + CLOSE_TIMEOUT.toNanos();
    try {
      if (Thread.currentThread() != reader && reader.isAlive()) reader.join(millisUntil(deadline));
      if (!dispatcher.isDispatchThread()) {
        boolean finished = dispatcher.awaitFinished(millisUntil(deadline));
        if (ownExecutor != null) {
          if (!finished) ownExecutor.shutdownNow(); // a handler is stuck: interrupt it
          ownExecutor.awaitTermination(millisUntil(deadline), TimeUnit.MILLISECONDS);
          Thread callbacks = callbackThread;
          if (callbacks != null) callbacks.join(millisUntil(deadline));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Returns the milliseconds left until {@code deadline}, at least 1 (0 would mean "forever" to join). */
  private static long millisUntil(long deadline) {
    return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
  }

  private void releaseHttp() {
    if (ownsHttp && httpReleased.compareAndSet(false, true)) {
      http.dispatcher().executorService().shutdown();
      http.connectionPool().evictAll();
    }
  }

  private SseException exhausted(SseException last) {
    return new SseException(SseException.Reason.RETRIES_EXHAUSTED,
        "gave up after " + policy.maxAttempts() + " reconnection attempts; last: " + last.getMessage(),
        last, last.statusCode(), null, true, null);
  }

  /** What the reader hears from a connection, handed to the callback thread in order. */
  private final class Reading implements Connection.Callbacks {
    @Override
    public void open(Response response) throws InterruptedException {
      if (!transition(State.CONNECTING, State.OPEN)) return; // closed meanwhile
      announce(State.OPEN, null);
      dispatcher.put(() -> safely(() -> listener.onOpen(response)));
    }

    @Override
    public void event(ServerSentEvent event) throws InterruptedException {
      dispatcher.put(() -> handlers.event(event));
    }

    @Override
    public void comment(SseComment comment) throws InterruptedException {
      dispatcher.put(() -> handlers.comment(comment));
    }

    @Override
    public void error(SseException error) throws InterruptedException {
      dispatcher.put(() -> safely(() -> listener.onError(error)));
    }
  }
}
