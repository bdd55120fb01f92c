package dev.ssekit.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DispatcherTest {
  private final ExecutorService pool = Executors.newFixedThreadPool(4);

  @AfterEach
  void shutdown() {
    pool.shutdownNow();
  }

  @Test
  void runsInOrderOneAtATimeEvenOnAPool() throws Exception {
    Dispatcher dispatcher = new Dispatcher(8, pool);
    List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
    int[] concurrent = {0};
    int[] maxConcurrent = {0};
    for (int i = 0; i < 5000; i++) {
      int n = i;
      dispatcher.put(() -> {
        synchronized (concurrent) {
          maxConcurrent[0] = Math.max(maxConcurrent[0], ++concurrent[0]);
        }
        seen.add(n);
        synchronized (concurrent) {
          concurrent[0]--;
        }
      });
    }
    dispatcher.finish(() -> seen.add(-1), false);
    assertTrue(dispatcher.awaitFinished(20_000));
    assertEquals(5001, seen.size());
    for (int i = 0; i < 5000; i++) assertEquals(i, seen.get(i));
    assertEquals(-1, seen.get(5000));
    assertEquals(1, maxConcurrent[0]);
  }

  @Test
  void finishDroppingQueuedRunsTheLastRightAfterTheCurrentOne() throws Exception {
    Dispatcher dispatcher = new Dispatcher(100, pool);
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<String> seen = Collections.synchronizedList(new ArrayList<>());
    dispatcher.put(() -> {
      running.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      seen.add("first");
    });
    for (int i = 0; i < 10; i++) dispatcher.put(() -> seen.add("dropped"));
    running.await();
    dispatcher.finish(() -> seen.add("last"), true);
    dispatcher.put(() -> seen.add("too late"));
    release.countDown();
    assertTrue(dispatcher.awaitFinished(20_000));
    assertEquals(List.of("first", "last"), seen);
  }

  @Test
  void aCallbackThatThrowsEvenAnErrorStopsNoneAfterIt() throws Exception {
    List<Throwable> uncaught = Collections.synchronizedList(new ArrayList<>());
    ExecutorService reporting = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "reporting");
      t.setUncaughtExceptionHandler((thread, e) -> uncaught.add(e));
      return t;
    });
    try {
      Dispatcher dispatcher = new Dispatcher(8, reporting);
      List<String> seen = Collections.synchronizedList(new ArrayList<>());
      AssertionError bug = new AssertionError("listener bug");
      dispatcher.put(() -> {
        throw bug;
      });
      dispatcher.put(() -> seen.add("after"));
      dispatcher.finish(() -> seen.add("last"), false);
      assertTrue(dispatcher.awaitFinished(20_000));
      assertEquals(List.of("after", "last"), seen);
      assertEquals(List.of(bug), uncaught);
    } finally {
      reporting.shutdownNow();
    }
  }

  @Test
  void aRejectingExecutorFailsThePutAndTheLastCallbackStillRuns() throws Exception {
    ExecutorService dead = Executors.newSingleThreadExecutor();
    dead.shutdown();
    Dispatcher dispatcher = new Dispatcher(8, dead);
    List<String> seen = Collections.synchronizedList(new ArrayList<>());
    assertThrows(RejectedExecutionException.class, () -> dispatcher.put(() -> seen.add("queued")));
    dispatcher.finish(() -> seen.add("last"), false);
    assertTrue(dispatcher.awaitFinished(20_000));
    assertEquals(List.of("queued", "last"), seen);
  }
}
