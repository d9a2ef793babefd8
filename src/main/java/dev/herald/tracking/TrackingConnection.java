package dev.herald.tracking;

import dev.herald.messages.LinkTracking;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Date;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection of the tracking listener ({@link TrackingListener}): its requests answered one after the other, in
 * the order they came (pipelined ones too), with what the main port answers for the same request.
 *
 * <p>A pixel or click request is one that {@link TrackingFilter#answered} takes: GET or HEAD, no Authorization header,
 * the exact path Herald writes into mail (any query string is ignored, as there). Its host must serve {@code /t/} by
 * {@link dev.herald.platform.OriginRules}, and the client's address and host follow the main port's proxy rules
 * ({@link ForwardedClient}). It gets {@link TrackingController#answer}'s status, headers and body, counted in {@code
 * herald.tracking.requests}. What differs from the main port, because nothing but these two answers lives here:
 * <ul>
 *   <li>an unknown token's 404 is a short text instead of the error page (with the same tracking headers);
 *   <li>any other path, a request with credentials and a host that must not serve tracking get a bare 404 (the main
 *       port's filters would answer these with its error page or its own refusal);
 *   <li>another method on a pixel or click path gets 405 with {@code Allow: GET, HEAD};
 *   <li>a request line past 8 KB gets 414, a header section past 8 KB 431, anything unparseable or an HTTP/1.1 request
 *       without exactly one Host 400, each closing the connection;
 *   <li>a failure of the database where a look-up needed it answers 500 (the main port's error page says the same).
 * </ul>
 * No answer names the server or its version.
 */
final class TrackingConnection extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(TrackingConnection.class);
  /** The event that tells a connection the listener is stopping. */
  static final Object STOP = new Object();
  private static final int PREFIX = LinkTracking.OPEN_PATH.length();
  /** {@link #decide}'s answer for a host that must not serve tracking: a bare 404, not counted as a tracking answer. */
  private static final Tracker.Outcome NOT_SERVED = new Tracker.Outcome.NotFound();
  private static final byte[] NOT_FOUND = "Not found.\n".getBytes(StandardCharsets.US_ASCII);
  private static final String PLAIN = "text/plain;charset=US-ASCII";

  private final TrackingListener listener;
  private final ArrayDeque<HttpRequest> waiting = new ArrayDeque<>();
  private String peer;
  private int answered;
  /** An answer is being looked up off the loop: the requests after it wait in {@link #waiting}. */
  private boolean offLoop;
  /** The connection closes after the answer written last; what comes after is not read. */
  private boolean closing;

  TrackingConnection(TrackingListener listener) {
    this.listener = listener;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    peer = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress().getHostAddress();
    super.channelActive(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    try {
      if (!(message instanceof HttpRequest request) || closing) return; // a body is read and dropped
      if (offLoop || !waiting.isEmpty()) {
        waiting.add(request);
        ctx.channel().config().setAutoRead(false);
      } else {
        handle(ctx, request);
      }
    } finally {
      ReferenceCountUtil.release(message);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ctx.flush();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    if (event instanceof IdleStateEvent) {
      ctx.close();
    } else if (event == STOP) {
      if (!offLoop && waiting.isEmpty()) ctx.close();
      // otherwise the answers under way are written with Connection: close, and the last one closes it
    } else {
      super.userEventTriggered(ctx, event);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // A reset connection or a broken write: nothing to answer to.
    log.debug("Tracking listener connection from {} failed: {}", peer, cause.toString());
    ctx.close();
  }

  private void handle(ChannelHandlerContext ctx, HttpRequest request) {
    if (request.decoderResult().isFailure()) {
      Throwable cause = request.decoderResult().cause();
      HttpResponseStatus status = cause instanceof TooLongHttpHeaderException ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
          : cause instanceof TooLongHttpLineException ? HttpResponseStatus.REQUEST_URI_TOO_LONG : HttpResponseStatus.BAD_REQUEST;
      plain(ctx, request, status, false);
      return;
    }
    answered++;
    HttpHeaders headers = request.headers();
    List<String> hosts = headers.getAll(HttpHeaderNames.HOST);
    if (hosts.size() > 1 || (hosts.isEmpty() && request.protocolVersion().equals(HttpVersion.HTTP_1_1))) {
      plain(ctx, request, HttpResponseStatus.BAD_REQUEST, false);
      return;
    }
    String uri = request.uri();
    int query = uri.indexOf('?');
    String path = query < 0 ? uri : uri.substring(0, query);
    char kind = TrackingFilter.kind(path, 0);
    if (kind == 0 || headers.contains(HttpHeaderNames.AUTHORIZATION)) {
      plain(ctx, request, HttpResponseStatus.NOT_FOUND, keepAlive(request));
      return;
    }
    String method = request.method().name();
    boolean head = "HEAD".equals(method);
    if (!head && !"GET".equals(method)) {
      plain(ctx, request, HttpResponseStatus.METHOD_NOT_ALLOWED, keepAlive(request));
      return;
    }
    ForwardedClient.Client client = listener.forwarded().of(peer, hosts.isEmpty() ? "" : hosts.getFirst(), new ForwardedClient.Headers() {
      @Override
      public List<String> all(String name) {
        return headers.getAll(name);
      }

      @Override
      public String first(String name) {
        return headers.get(name);
      }
    });
    Tracker.Request what = TrackingController.of(client.host(), client.address(), headers.get(HttpHeaderNames.USER_AGENT),
        headers.get("DNT"), headers.get("Sec-GPC"), method);
    String token = path.substring(PREFIX);
    Tracker.Outcome outcome = decide(kind, token, path, what, true);
    if (outcome != null) {
      write(ctx, request, kind, outcome, head);
      return;
    }
    lookUpOffLoop(ctx, request, kind, token, path, what, head);
  }

  /** The answer; with {@code memoryOnly}, null when it needs the database. */
  private Tracker.Outcome decide(char kind, String token, String path, Tracker.Request what, boolean memoryOnly) {
    if (memoryOnly && !listener.domains().fresh()) return null;
    if (!listener.origins().serves(what.host(), path)) return NOT_SERVED;
    return kind == 'o' ? listener.tracker().open(token, what, memoryOnly) : listener.tracker().click(token, what, memoryOnly);
  }

  /**
   * Looks the answer up on a virtual thread and writes it from the loop; the requests that come meanwhile wait, and
   * reading stops until it is written, so answers keep their order and a connection holds at most one thread.
   */
  private void lookUpOffLoop(ChannelHandlerContext ctx, HttpRequest request, char kind, String token, String path, Tracker.Request what,
      boolean head) {
    offLoop = true;
    ctx.channel().config().setAutoRead(false);
    ExecutorService executor = listener.offLoop();
    if (executor == null) { // the listener has stopped
      lookedUp(ctx, request, kind, null, head);
      return;
    }
    try {
      executor.execute(() -> {
        Tracker.Outcome outcome;
        try {
          outcome = decide(kind, token, path, what, false);
        } catch (RuntimeException e) {
          log.error("A tracking request could not be answered", e);
          outcome = null;
        }
        Tracker.Outcome answer = outcome;
        ctx.executor().execute(() -> lookedUp(ctx, request, kind, answer, head));
      });
    } catch (RejectedExecutionException stopping) {
      lookedUp(ctx, request, kind, null, head);
    }
  }

  private void lookedUp(ChannelHandlerContext ctx, HttpRequest request, char kind, Tracker.Outcome outcome, boolean head) {
    offLoop = false;
    if (outcome == null) plain(ctx, request, HttpResponseStatus.INTERNAL_SERVER_ERROR, false);
    else write(ctx, request, kind, outcome, head);
    while (!offLoop && !closing && !waiting.isEmpty()) handle(ctx, waiting.poll());
    ctx.flush();
    if (closing) waiting.clear();
    else if (!offLoop) ctx.channel().config().setAutoRead(true);
  }

  private void write(ChannelHandlerContext ctx, HttpRequest request, char kind, Tracker.Outcome outcome, boolean head) {
    if (outcome == NOT_SERVED) {
      plain(ctx, request, HttpResponseStatus.NOT_FOUND, keepAlive(request));
      return;
    }
    listener.counters().count(kind, outcome);
    FullHttpResponse response = switch (outcome) {
      case Tracker.Outcome.Pixel p -> tracking(HttpResponseStatus.OK, TrackingController.PIXEL_TYPE, TrackingController.PIXEL, head);
      case Tracker.Outcome.Redirect r -> {
        FullHttpResponse found = tracking(HttpResponseStatus.FOUND, null, null, head);
        found.headers().set(HttpHeaderNames.LOCATION, r.location());
        yield found;
      }
      case Tracker.Outcome.NotFound n -> tracking(HttpResponseStatus.NOT_FOUND, PLAIN, NOT_FOUND, head);
      case Tracker.Outcome.Busy b -> {
        FullHttpResponse busy = tracking(HttpResponseStatus.SERVICE_UNAVAILABLE, TrackingController.BUSY_TYPE, TrackingController.BUSY, head);
        busy.headers().set(HttpHeaderNames.RETRY_AFTER, TrackingController.BUSY_RETRY_AFTER);
        yield busy;
      }
    };
    send(ctx, request, response, keepAlive(request));
  }

  /** An answer of the endpoints: {@link TrackingController#HEADERS}, then the type and length of the body if any. */
  private static FullHttpResponse tracking(HttpResponseStatus status, String type, byte[] body, boolean head) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
        body == null || head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
    HttpHeaders headers = response.headers();
    String[] common = TrackingController.HEADERS;
    for (int i = 0; i < common.length; i += 2) headers.set(common[i], common[i + 1]);
    if (type != null) headers.set(HttpHeaderNames.CONTENT_TYPE, type);
    headers.setInt(HttpHeaderNames.CONTENT_LENGTH, body == null ? 0 : body.length);
    return response;
  }

  /** An answer that is no tracking answer: the status and its reason as text. */
  private void plain(ChannelHandlerContext ctx, HttpRequest request, HttpResponseStatus status, boolean keepAlive) {
    byte[] body = (status.code() + " " + status.reasonPhrase() + "\n").getBytes(StandardCharsets.US_ASCII);
    boolean head = request.method().name().equals("HEAD");
    ByteBuf content = head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body);
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, PLAIN).setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
        .set("X-Content-Type-Options", "nosniff");
    if (status.equals(HttpResponseStatus.METHOD_NOT_ALLOWED)) response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
    send(ctx, request, response, keepAlive);
  }

  private void send(ChannelHandlerContext ctx, HttpRequest request, FullHttpResponse response, boolean keepAlive) {
    HttpHeaders headers = response.headers();
    headers.set(HttpHeaderNames.DATE, Dates.now());
    if (!keepAlive) {
      headers.set(HttpHeaderNames.CONNECTION, "close");
      closing = true;
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    } else {
      // An HTTP/1.0 client keeps the connection only when told so (Tomcat says it the same way).
      if (!request.protocolVersion().isKeepAliveDefault()) headers.set(HttpHeaderNames.CONNECTION, "keep-alive");
      ctx.write(response);
    }
  }

  /** Whether the connection stays open after this answer: the client asks for it, and the limit and the stop allow it. */
  private boolean keepAlive(HttpRequest request) {
    return HttpUtil.isKeepAlive(request) && answered < TrackingListener.MAX_KEEP_ALIVE_REQUESTS && !listener.stopping();
  }

  /** The Date header's value, formatted once a second. */
  private static final class Dates {
    private record Stamp(long second, String text) {}

    private static volatile Stamp last = new Stamp(-1, "");

    static String now() {
      long second = System.currentTimeMillis() / 1000;
      Stamp s = last;
      if (s.second() != second) last = s = new Stamp(second, DateFormatter.format(new Date(second * 1000)));
      return s.text();
    }
  }
}
