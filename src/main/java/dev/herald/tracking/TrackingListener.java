package dev.herald.tracking;

import dev.herald.messages.LinkTracking;
import dev.herald.platform.HeraldProperties;
import dev.herald.platform.NodeRole;
import dev.herald.platform.NodeRoles;
import dev.herald.platform.OriginRules;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.tomcat.autoconfigure.TomcatServerProperties;
import org.springframework.boot.web.server.autoconfigure.ServerProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The open pixel and the click redirect on a port of their own ({@code herald.tracking.port}, off by default), served
 * by a small HTTP/1.1 server on Netty instead of Tomcat (ADR 0009). bench/tracking.sh measured Tomcat itself as the
 * floor for these two answers: with {@link TrackingValve} answering them first in its pipeline Herald reached 0.45 x
 * nginx, and a bare Tomcat servlet writing the same GIF 0.46 x. The main port's valve keeps answering {@code /t/o/} and
 * {@code /t/c/} either way; this port answers only them ({@link TrackingConnection} says how).
 *
 * <p>Only on nodes with the web role. Its connections are served by as many NIO event loops as the machine has cores;
 * an answer that memory can give (the token's message and link looked up before on this node, the organizations'
 * tracking hosts read less than a refresh ago) is given on the loop, anything that needs the database on a virtual
 * thread. Stopped with the application: it stops accepting, closes idle connections, lets the answers under way finish
 * (their connections close after them) and waits for that at most {@link #STOP_WAIT}.
 */
@Component
class TrackingListener implements SmartLifecycle {
  private static final Logger log = LoggerFactory.getLogger(TrackingListener.class);
  /** A request line and the header section are each bounded (Tomcat's default is 8 KB for both too). */
  static final int MAX_LINE_BYTES = 8192;
  static final int MAX_HEADER_BYTES = 8192;
  /** A connection idle this long is closed (Tomcat's keep-alive timeout under Spring Boot). */
  static final Duration IDLE = Duration.ofSeconds(60);
  /** Requests per connection before it is closed, as server.tomcat.max-keep-alive-requests on the main port. */
  static final int MAX_KEEP_ALIVE_REQUESTS = 1000;
  static final Duration STOP_WAIT = Duration.ofSeconds(5);

  private final HeraldProperties properties;
  private final NodeRoles roles;
  private final Tracker tracker;
  private final TrackingFilter counters;
  private final OriginRules origins;
  private final TrackingDomains domains;
  private final LinkTracking tokens;
  private final ForwardedClient forwarded;
  private volatile EventLoopGroup loops;
  private volatile Channel server;
  private volatile ChannelGroup connections;
  private volatile ExecutorService offLoop;
  private volatile boolean stopping;

  TrackingListener(HeraldProperties properties, NodeRoles roles, Tracker tracker, TrackingFilter counters, OriginRules origins,
      TrackingDomains domains, LinkTracking tokens, ObjectProvider<ServerProperties> server, ObjectProvider<TomcatServerProperties> tomcat) {
    this.properties = properties;
    this.roles = roles;
    this.tracker = tracker;
    this.counters = counters;
    this.origins = origins;
    this.domains = domains;
    this.tokens = tokens;
    // Both are there wherever Tomcat runs; a context without a web server (a command, a test) has the defaults.
    this.forwarded = new ForwardedClient(server.getIfAvailable(ServerProperties::new), tomcat.getIfAvailable(TomcatServerProperties::new));
  }

  @Override
  public synchronized void start() {
    HeraldProperties.Tracking settings = properties.tracking();
    if (server != null || settings.port() == 0 || !roles.has(NodeRole.web)) return;
    // The token key is read from the database at its first use: read it now, not on an event loop.
    tokens.token(0, 0, 0);
    stopping = false;
    loops = new MultiThreadIoEventLoopGroup(Math.max(1, Runtime.getRuntime().availableProcessors()),
        new DefaultThreadFactory("tracking-listener"), NioIoHandler.newFactory());
    offLoop = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("tracking-listener-db-", 0).factory());
    connections = new DefaultChannelGroup("tracking-listener", GlobalEventExecutor.INSTANCE);
    HttpDecoderConfig limits = new HttpDecoderConfig().setMaxInitialLineLength(MAX_LINE_BYTES).setMaxHeaderSize(MAX_HEADER_BYTES);
    ServerBootstrap bootstrap = new ServerBootstrap().group(loops).channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 1024)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel channel) {
            connections.add(channel);
            channel.pipeline().addLast(new IdleStateHandler(0, 0, IDLE.toSeconds(), TimeUnit.SECONDS), new HttpServerCodec(limits),
                new TrackingConnection(TrackingListener.this));
          }
        });
    try {
      server = bootstrap.bind(new InetSocketAddress(InetAddress.ofLiteral(settings.address()), settings.port())).syncUninterruptibly().channel();
    } catch (RuntimeException e) {
      shutDown();
      throw new IllegalStateException("The tracking listener could not listen on " + settings.address() + ":" + settings.port()
          + " (herald.tracking.port, herald.tracking.address): " + e.getMessage(), e);
    }
    // The organizations' tracking hosts read again ahead of time, off the loops, so that an event loop finds them fresh
    // (TrackingDomains.fresh) and seldom hands a request to a virtual thread only because they are due.
    long every = TrackingDomains.REFRESH.toMillis() / 3;
    ExecutorService threads = offLoop;
    loops.next().scheduleAtFixedRate(() -> {
      if (!threads.isShutdown()) threads.execute(this::refreshHosts);
    }, 0, every, TimeUnit.MILLISECONDS);
    log.info("Tracking listener for opens and clicks on {}:{}", settings.address(), port());
  }

  private void refreshHosts() {
    try {
      domains.refresh();
    } catch (RuntimeException e) {
      // The requests then refresh them themselves when due (off the loops), as on the main port.
      log.debug("Could not read the organizations' tracking hosts ahead of time: {}", e.toString());
    }
  }

  /** The port it listens on (tests), or 0 while it does not. */
  int port() {
    Channel s = server;
    return s == null ? 0 : ((InetSocketAddress) s.localAddress()).getPort();
  }

  @Override
  public synchronized void stop() {
    if (server == null) return;
    stopping = true;
    server.close().syncUninterruptibly();
    for (Channel connection : connections) connection.pipeline().fireUserEventTriggered(TrackingConnection.STOP);
    long deadline = System.nanoTime() + STOP_WAIT.toNanos();
    while (!connections.isEmpty() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    shutDown();
  }

  private void shutDown() {
    if (connections != null) connections.close().awaitUninterruptibly(STOP_WAIT.toMillis());
    if (loops != null) loops.shutdownGracefully(0, STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS).awaitUninterruptibly(STOP_WAIT.toMillis() * 2);
    if (offLoop != null) offLoop.shutdown();
    server = null;
    loops = null;
    connections = null;
    offLoop = null;
  }

  @Override
  public boolean isRunning() {
    return server != null;
  }

  boolean stopping() {
    return stopping;
  }

  Tracker tracker() {
    return tracker;
  }

  TrackingFilter counters() {
    return counters;
  }

  OriginRules origins() {
    return origins;
  }

  TrackingDomains domains() {
    return domains;
  }

  ForwardedClient forwarded() {
    return forwarded;
  }

  ExecutorService offLoop() {
    return offLoop;
  }
}
