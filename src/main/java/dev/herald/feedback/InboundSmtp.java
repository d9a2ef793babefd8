package dev.herald.feedback;

import dev.herald.platform.HeraldProperties;
import dev.herald.platform.NodeRole;
import dev.herald.platform.NodeRoles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.server.SMTPServer;

/**
 * The inbound SMTP listener of the bounce subdomains ({@code bounces.<sending domain>}, whose MX points here): DSNs,
 * ARF reports and mailed unsubscribe requests (the List-Unsubscribe mailto of campaign mail) come back to the signed
 * VERP return path Herald sent from. SubEthaSMTP, a virtual thread per session (sending-core.md 2.2).
 *
 * <p>It is not an open mailbox: RCPT is accepted only for a return path whose signature is right ({@code
 * messages.ReturnPath}), anything else is refused with 550 5.1.1, so spam and backscatter to made-up addresses are
 * turned away before their data. The 250 after DATA is sent only once the message was acted on and stored ({@link
 * FeedbackActions}, one transaction per recipient); a failure answers 451 and the sender's MTA tries again, which the
 * stored dedupe key makes harmless. Messages are bounded in size (552 past it) and sessions in number.
 */
@Component
class InboundSmtp implements SmartLifecycle {
  private static final Logger log = LoggerFactory.getLogger(InboundSmtp.class);
  static final int MAX_RECIPIENTS = 50;

  private final InboundFeedback inbound;
  private final Attributions attributions;
  private final HeraldProperties properties;
  private final NodeRoles roles;
  private volatile SMTPServer server;
  private volatile ExecutorService sessions;

  InboundSmtp(InboundFeedback inbound, Attributions attributions, HeraldProperties properties, NodeRoles roles) {
    this.inbound = inbound;
    this.attributions = attributions;
    this.properties = properties;
    this.roles = roles;
  }

  @Override
  public synchronized void start() {
    HeraldProperties.Feedback settings = properties.feedback();
    if (server != null || settings.inboundPort() == 0 || !roles.has(NodeRole.smtp)) return;
    sessions = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("inbound-smtp-", 0).factory());
    try {
      server = SMTPServer.port(settings.inboundPort())
          .bindAddress(InetAddress.getByName(settings.inboundBind()))
          .hostName(properties.baseHost())
          .softwareName("Herald")
          .executorService(sessions)
          .maxConnections(settings.inboundMaxConnections())
          .maxMessageSize((int) settings.inboundMaxMessageSize().toBytes())
          .maxRecipients(MAX_RECIPIENTS)
          .connectionTimeout(60, TimeUnit.SECONDS)
          .messageHandlerFactory(Session::new)
          .build();
    } catch (UnknownHostException e) {
      throw new IllegalStateException("herald.feedback.inbound-bind is not an address: " + settings.inboundBind(), e);
    }
    server.start();
    log.info("Inbound SMTP for bounces and complaints listening on {}:{}", settings.inboundBind(), server.getPortAllocated());
  }

  /** The port it listens on (tests), or 0 while it does not. */
  int port() {
    SMTPServer s = server;
    return s == null ? 0 : s.getPortAllocated();
  }

  @Override
  public synchronized void stop() {
    if (server == null) return;
    server.stop();
    sessions.shutdown();
    server = null;
  }

  @Override
  public boolean isRunning() {
    return server != null;
  }

  /** One SMTP transaction: the bounce addresses accepted at RCPT, then the message for each of them. */
  private final class Session implements MessageHandler {
    private final List<String> recipients = new ArrayList<>();

    Session(MessageContext context) {}

    @Override
    public void from(String from) {
      // Bounces come from the null sender, reports from anyone: the recipient is what is checked.
    }

    @Override
    public void recipient(String recipient) throws RejectException {
      if (!attributions.isReturnPath(recipient)) {
        throw new RejectException(550, "5.1.1 <" + printable(recipient) + ">: no such address here; this server accepts only "
            + "bounces and reports to Herald's signed return paths");
      }
      recipients.add(recipient);
    }

    @Override
    public String data(InputStream data) throws RejectException, IOException {
      byte[] raw = bounded(data, properties.feedback().inboundMaxMessageSize().toBytes());
      try {
        for (String recipient : recipients) inbound.process(raw, recipient, null, FeedbackSource.SMTP);
      } catch (RuntimeException e) {
        log.error("An inbound message to {} could not be processed; the sender is asked to try again", recipients, e);
        throw new RejectException(451, "4.3.0 Could not process the message now; try again later");
      }
      return null;
    }

    @Override
    public void done() {}
  }

  /** The message, or 552 once it passes the limit (the rest is read and dropped, so the reply comes after the data). */
  static byte[] bounded(InputStream data, long max) throws IOException, RejectException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    long total = 0;
    for (int n; (n = data.read(buffer)) != -1; ) {
      total += n;
      if (total <= max) out.write(buffer, 0, n);
    }
    if (total > max) throw new RejectException(552, "5.3.4 Message too big for this server (at most " + max + " bytes)");
    return out.toByteArray();
  }

  private static String printable(String s) {
    String cut = s.length() > 100 ? s.substring(0, 100) : s;
    return cut.replaceAll("[^\\x21-\\x7e]", "?");
  }
}
