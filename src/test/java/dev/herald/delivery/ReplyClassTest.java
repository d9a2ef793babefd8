package dev.herald.delivery;

import static dev.herald.delivery.ReplyClass.DESTINATION_THROTTLED;
import static dev.herald.delivery.ReplyClass.MESSAGE_TEMPORARY;
import static dev.herald.delivery.ReplyClass.OK;
import static dev.herald.delivery.ReplyClass.PERMANENT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.delivery.smtp.RecipientResult;
import dev.herald.delivery.smtp.SmtpReply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Real replies of mailbox providers and MTAs, classified as the queue must treat them. */
class ReplyClassTest {

  static Stream<Arguments> replies() {
    return Stream.of(
        // Gmail (support.google.com/a/answer/3726730, its SMTP error reference)
        Arguments.of("250 2.0.0 OK  1700000000 a1si123456qka.1 - gsmtp", OK),
        Arguments.of("421-4.7.28 [192.0.2.1] Our system has detected an unusual rate of unsolicited mail originating from your"
            + " IP address. To protect our users from spam, mail sent from your IP address has been temporarily rate limited.",
            DESTINATION_THROTTLED),
        Arguments.of("421-4.7.0 Try again later, closing connection. (EHLO)", DESTINATION_THROTTLED),
        Arguments.of("451-4.7.28 [192.0.2.1] Our system has detected an unusual rate of unsolicited mail", DESTINATION_THROTTLED),
        Arguments.of("450-4.2.1 The user you are trying to contact is receiving mail at a rate that prevents additional"
            + " messages from being delivered. Please resend your message at a later time.", MESSAGE_TEMPORARY),
        Arguments.of("452-4.2.2 The email account that you tried to reach is over quota.", MESSAGE_TEMPORARY),
        Arguments.of("451-4.3.0 Mail server temporarily rejected message.", MESSAGE_TEMPORARY),
        Arguments.of("550-5.1.1 The email account that you tried to reach does not exist.", PERMANENT),
        Arguments.of("550-5.7.26 This mail has been blocked because the sender is unauthenticated.", PERMANENT),
        Arguments.of("550-5.4.5 Daily user sending limit exceeded.", PERMANENT),
        // Outlook.com and Microsoft 365 (sendersupport.olc.protection.outlook.com)
        Arguments.of("421 RP-001 (BAY004-MC1F12) Unfortunately, some messages from 192.0.2.1 weren't sent. Please try again."
            + " We have limits for how many messages can be sent per hour and per day.", DESTINATION_THROTTLED),
        Arguments.of("452 RP-002 (COL004-MC4F11) Unfortunately, some messages from 192.0.2.1 weren't sent. Please try again.",
            DESTINATION_THROTTLED),
        Arguments.of("451 4.7.500 Server busy. Please try again later from [192.0.2.1]. (S77719) [Name=Protocol Filter Agent]",
            DESTINATION_THROTTLED),
        Arguments.of("451 4.7.651 The mail server [192.0.2.1] has been temporarily rate limited due to IP reputation.",
            DESTINATION_THROTTLED),
        Arguments.of("550 5.7.1 Unfortunately, messages from [192.0.2.1] weren't sent. Please contact your Internet service"
            + " provider since part of their network is on our block list (S3140).", PERMANENT),
        Arguments.of("421 4.3.2 Service not available", DESTINATION_THROTTLED),
        // Yahoo (senders.yahooinc.com/smtp-error-codes)
        Arguments.of("421 4.7.0 [TS03] All messages from 192.0.2.1 will be permanently deferred; Retrying will NOT succeed.",
            DESTINATION_THROTTLED),
        Arguments.of("451 Message temporarily deferred due to unexpected volume or user complaints - 4.16.55.1",
            DESTINATION_THROTTLED),
        Arguments.of("554 5.7.9 Message not accepted for policy reasons.", PERMANENT),
        // Common MTAs
        Arguments.of("450 4.2.0 <bob@example.net>: Recipient address rejected: Greylisted, see"
            + " http://postgrey.schweikert.ch/help/example.net.html", MESSAGE_TEMPORARY),
        Arguments.of("451 4.7.1 Greylisting in action, please come back later", MESSAGE_TEMPORARY),
        Arguments.of("452 4.5.3 Too many recipients", MESSAGE_TEMPORARY),
        Arguments.of("452 4.3.1 Insufficient system storage", MESSAGE_TEMPORARY),
        Arguments.of("450 4.3.2 System not accepting network messages", DESTINATION_THROTTLED),
        Arguments.of("451 4.4.5 System congestion", DESTINATION_THROTTLED),
        Arguments.of("450 4.7.1 Error: too many connections from 192.0.2.1", DESTINATION_THROTTLED),
        Arguments.of("452 4.3.2 Connection rate limit exceeded.", DESTINATION_THROTTLED),
        Arguments.of("451 4.7.1 You are being throttled, try again later", DESTINATION_THROTTLED),
        // Herald's own SmtpSink and test peers defer one message like this; the destination must go on.
        Arguments.of("450 4.2.0 Try later", MESSAGE_TEMPORARY),
        Arguments.of("451 4.3.0 Temporary lookup failure", MESSAGE_TEMPORARY),
        Arguments.of("550 5.1.1 <nobody@example.net>: Recipient address rejected: User unknown", PERMANENT));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("replies")
  void a_reply_is_classified_as_the_queue_must_treat_it(String reply, ReplyClass expected) {
    assertThat(ReplyClass.of(reply(reply))).isEqualTo(expected);
  }

  /** Diagnostic codes of real bounces in the shared corpus (Sisimai's set-of-emails). */
  static Stream<Arguments> corpus() {
    return Stream.of(
        Arguments.of("lhost-opensmtpd-13.eml", "[TSS04] Messages from", DESTINATION_THROTTLED),
        Arguments.of("rhost-microsoft-05.eml", "451 4.7.650", DESTINATION_THROTTLED),
        Arguments.of("rhost-franceptt-07.eml", "Veuillez essayer plus", DESTINATION_THROTTLED),
        Arguments.of("lhost-sendmail-46.eml", "too many errors", DESTINATION_THROTTLED),
        Arguments.of("rfc3464-43.eml", "recipient error. Please try again later", MESSAGE_TEMPORARY),
        Arguments.of("lhost-receivingses-03.eml", "450 4.0.0 Temporary failure", MESSAGE_TEMPORARY),
        Arguments.of("lhost-sendmail-10.eml", "may not be mail exchanger", MESSAGE_TEMPORARY),
        Arguments.of("lhost-ezweb-08.eml", "550 SC-004", PERMANENT));
  }

  static final Path CORPUS = Path.of("../shared/corpora/bounces/maildir");

  @ParameterizedTest(name = "{0}")
  @MethodSource("corpus")
  void replies_in_real_bounces_are_classified(String file, String marker, ReplyClass expected) throws IOException {
    String reply = replyContaining(Files.readString(CORPUS.resolve(file), StandardCharsets.ISO_8859_1), marker);
    assertThat(ReplyClass.of(reply(reply))).as(reply).isEqualTo(expected);
  }

  @Test
  void a_result_without_a_reply_is_a_temporary_failure_of_the_message() {
    assertThat(ReplyClass.of(new RecipientResult.Deferred("a@example.net", null, "connection lost"))).isEqualTo(MESSAGE_TEMPORARY);
    assertThat(ReplyClass.of(new RecipientResult.Rejected("a@example.net", null, "message too large for the server")))
        .isEqualTo(PERMANENT);
    assertThat(ReplyClass.of(new RecipientResult.Accepted("a@example.net", reply("250 2.0.0 Ok: queued as 1A2B"))))
        .isEqualTo(OK);
    assertThat(ReplyClass.of(new RecipientResult.Deferred("a@example.net", reply("421 4.7.0 [TSS04] Messages from 192.0.2.1"
        + " temporarily deferred"), "421"))).isEqualTo(DESTINATION_THROTTLED);
  }

  /**
   * The reply in a bounce that contains the marker: a {@code Diagnostic-Code} field with its folded
   * lines, or a {@code <<< } transcript line, or a line with the reply after a colon.
   */
  static String replyContaining(String message, String marker) {
    Matcher m = Pattern.compile("(?m)^Diagnostic-Code:\\s*smtp;\\s*(.*(?:\\r?\\n[ \\t]+.*)*)", Pattern.CASE_INSENSITIVE)
        .matcher(message);
    while (m.find()) {
      String unfolded = m.group(1).replaceAll("\\r?\\n[ \\t]+", " ").strip();
      if (unfolded.contains(marker)) return unfolded;
    }
    for (String line : message.split("\\r?\\n")) {
      if (!line.contains(marker)) continue;
      Matcher code = Pattern.compile("([245][0-9][0-9][ -].*)").matcher(line.replaceFirst("^\\s*<<<\\s*", ""));
      if (code.find()) return code.group(1).strip();
    }
    throw new AssertionError("no reply with " + marker);
  }

  /** An SMTP reply from its text as a log shows it: {@code 421-4.7.0 text} or {@code 550 5.1.1 text}. */
  static SmtpReply reply(String text) {
    int code = Integer.parseInt(text.substring(0, 3));
    String rest = text.substring(4).strip();
    String enhanced = null;
    Matcher m = Pattern.compile("^([245]\\.\\d{1,3}\\.\\d{1,3})(\\s+|$)").matcher(rest);
    if (m.find() && m.group(1).charAt(0) == text.charAt(0)) {
      enhanced = m.group(1);
      rest = rest.substring(m.end());
    }
    return new SmtpReply(code, enhanced, List.of(rest));
  }
}
