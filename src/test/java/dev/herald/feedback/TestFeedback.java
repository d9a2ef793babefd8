package dev.herald.feedback;

import org.springframework.context.ApplicationContext;

/**
 * For other capabilities' tests: feedback as the inbound listener receives it (a DSN or an ARF complaint to a
 * message's return path), parsed, attributed and acted on by {@link FeedbackActions} as in production.
 */
public final class TestFeedback {
  private final InboundFeedback inbound;

  public TestFeedback(ApplicationContext context) {
    this.inbound = context.getBean(InboundFeedback.class);
  }

  /** The bytes of an RFC 3464 bounce of {@code address} to its return path, for tests that mail it to a listener. */
  public static byte[] dsnMessage(String returnPath, String address, String status, String diagnostic) {
    return FeedbackFixtures.dsn(returnPath, address, status, diagnostic);
  }

  /** The bytes of an ARF abuse report (RFC 5965) about the message to {@code address}. */
  public static byte[] complaintMessage(String returnPath, String address) {
    return FeedbackFixtures.complaint(returnPath, address);
  }

  /** A DSN for {@code address}, mailed to its return path; how many recipients it acted on. */
  public int bounce(String returnPath, String address, String status, String diagnostic) {
    return inbound.process(FeedbackFixtures.dsn(returnPath, address, status, diagnostic), returnPath, null, FeedbackSource.SMTP).acted().size();
  }

  /** An ARF abuse report about the message to {@code address}, mailed to its return path; how many it acted on. */
  public int complaint(String returnPath, String address) {
    return inbound.process(FeedbackFixtures.complaint(returnPath, address), returnPath, null, FeedbackSource.SMTP).acted().size();
  }
}
