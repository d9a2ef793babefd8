package dev.herald.platform;

/**
 * The port through which Herald sends its own mail (invitations, password resets, confirmations), implemented by
 * delivery: kept in the sandbox mailbox in sandbox mode, queued for the MTA (from the operator's system sender,
 * DKIM-signed) when the operator turned real delivery on.
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
