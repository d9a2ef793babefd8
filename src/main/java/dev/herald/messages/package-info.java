/**
 * Messages: building a message and signing it. {@link dev.herald.messages.MessageBuilder} turns what a
 * sender gives (addresses, subject, text and HTML, inline images, attachments, List-Unsubscribe, Feedback-ID,
 * custom headers) into wire bytes (CRLF, lines of at most 998 octets) as an
 * {@link dev.herald.messages.OutgoingMessage}; {@link dev.herald.messages.DkimSigner} signs those bytes with
 * one or more {@link dev.herald.messages.DkimKey}s; {@link dev.herald.messages.ReturnPath} makes and checks
 * the signed VERP envelope sender that ties a bounce to its message and recipient.
 *
 * <p>Uses only mail (address parsing) and platform (refusals, secrets). Delivery, the relay and campaigns
 * call it; it knows none of them.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Messages", allowedDependencies = {"mail", "platform"})
package dev.herald.messages;
