package dev.herald.messages;

/**
 * A built message, ready to DKIM-sign and send.
 *
 * @param bytes the message as it goes on the wire after DATA: CRLF line ends, no line longer than 998
 *     octets, not dot-stuffed (the SMTP client does that). Not copied: do not change it
 * @param messageId the Message-ID without angle brackets, to keep so that a message rendered again for a
 *     retry is the same message
 * @param smtpUtf8 whether an address has a non-ASCII local part, so the message can only be sent to a
 *     server that offers SMTPUTF8 (RFC 6531); international domains alone are sent in their ASCII form
 */
public record OutgoingMessage(byte[] bytes, String messageId, boolean smtpUtf8) {}
