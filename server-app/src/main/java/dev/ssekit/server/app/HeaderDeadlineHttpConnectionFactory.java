package dev.ssekit.server.app;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * HTTP/1.1 connections whose request headers must all arrive within a deadline of the request's
 * first byte, or the connection is closed. Jetty has no such limit: its idle timeout restarts at
 * every byte, so a client that sends half a request and then a byte every few seconds holds a
 * connection (and a file descriptor) forever. Connections idle between requests and responses
 * being streamed are untouched (they stay under the idle timeout alone), and so is HTTP/2, whose
 * preface completes its "headers" at once before another connection takes over.
 */
final class HeaderDeadlineHttpConnectionFactory extends HttpConnectionFactory {
  private final long deadlineMillis;

  HeaderDeadlineHttpConnectionFactory(HttpConfiguration config, long deadlineMillis) {
    super(config);
    this.deadlineMillis = deadlineMillis;
  }

  @Override
  public Connection newConnection(Connector connector, EndPoint endPoint) {
    HttpConnection connection = new DeadlineConnection(getHttpConfiguration(), connector, endPoint, deadlineMillis);
    connection.setTransferEncodingChunkMaxLength(getTransferEncodingChunkMaxLength());
    return configure(connection, connector, endPoint);
  }

  private static final class DeadlineConnection extends HttpConnection {
    private final Scheduler scheduler;
    private final long deadlineMillis;
    private final AtomicReference<Deadline> deadline = new AtomicReference<>();

    private static final class Deadline {
      volatile Scheduler.Task task;
    }

    DeadlineConnection(HttpConfiguration config, Connector connector, EndPoint endPoint, long deadlineMillis) {
      super(config, connector, endPoint);
      this.scheduler = connector.getScheduler();
      this.deadlineMillis = deadlineMillis;
    }

    // Called by HttpConnection's constructor, before this class's fields are set: only the
    // handler's methods, which run later, may use them.
    @Override
    protected RequestHandler newRequestHandler() {
      return new RequestHandler() {
        @Override
        public void messageBegin() {
          super.messageBegin();
          // The parser calls this also while the connection idles between requests, with nothing
          // read: the deadline starts with the first byte of a request.
          if (!isRequestBufferEmpty()) arm();
        }

        @Override
        public boolean headerComplete() {
          disarm();
          return super.headerComplete();
        }
      };
    }

    private void arm() {
      Deadline armed = new Deadline();
      if (!deadline.compareAndSet(null, armed)) return;
      armed.task = scheduler.schedule(() -> {
        if (deadline.compareAndSet(armed, null) && getEndPoint().getConnection() == this) {
          getEndPoint().close(new TimeoutException("request headers did not arrive within " + deadlineMillis + " ms"));
        }
      }, deadlineMillis, TimeUnit.MILLISECONDS);
    }

    private void disarm() {
      Deadline armed = deadline.getAndSet(null);
      if (armed != null && armed.task != null) armed.task.cancel();
    }

    @Override
    public void onClose(Throwable cause) {
      disarm();
      super.onClose(cause);
    }
  }
}
