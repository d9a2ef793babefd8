package dev.herald.platform;

/**
 * The port through which Herald sends its own mail (invitations, password resets, confirmations).
 * Until the delivery capability backs it with the real MTA, the sandbox mailbox implements it:
 * messages are stored and shown to the operator, never sent to the internet.
 */
public interface SystemMail {
  void send(SystemMessage message);

  /** A plain-text message from the installation to one person. */
  record SystemMessage(String recipient, String subject, String bodyText, String purpose) {
    public SystemMessage {
      for (String header : new String[] {recipient, subject}) {
        // Header injection: a CR or LF in a header value would let the text forge more headers.
        if (header == null || header.isBlank() || header.indexOf('\r') >= 0 || header.indexOf('\n') >= 0) {
          throw new IllegalArgumentException("recipient and subject must be one non-empty line");
        }
      }
    }
  }
}
