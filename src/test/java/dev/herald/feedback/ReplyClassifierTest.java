package dev.herald.feedback;

import static dev.herald.feedback.FeedbackClass.BLOCK;
import static dev.herald.feedback.FeedbackClass.DELIVERED;
import static dev.herald.feedback.FeedbackClass.HARD;
import static dev.herald.feedback.FeedbackClass.SOFT;
import static dev.herald.feedback.FeedbackReason.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** One hand-written reply per rule family: the reason and the class (and so the action) each must get. */
class ReplyClassifierTest {

  static Stream<Arguments> replies() {
    return Stream.of(
        // The address: hard, suppress.
        Arguments.of(550, "5.1.1", "<ann@example.com>: Recipient address rejected: User unknown in local recipient table", USER_UNKNOWN, HARD),
        Arguments.of(550, "", "Requested action not taken: no such mailbox here", USER_UNKNOWN, HARD),
        Arguments.of(550, "5.4.1", "Recipient address rejected: Access denied [host.example.net]", USER_UNKNOWN, HARD),
        Arguments.of(554, "", "delivery error: This user doesn't have an example.com account", USER_UNKNOWN, HARD),
        Arguments.of(550, "5.1.0", "Address rejected.", USER_UNKNOWN, HARD),
        Arguments.of(550, "5.1.2", "Host or domain name not found. Name service error for name=nowhere.example", HOST_UNKNOWN, HARD),
        Arguments.of(551, "5.1.6", "User has moved; please try bob@example.org", HAS_MOVED, HARD),
        Arguments.of(554, "", "Sorry, I couldn't find a mail exchanger or IP address", NOT_ACCEPT, HARD),
        // The mailbox or the network: soft, retry and count.
        Arguments.of(552, "5.2.2", "Mailbox full: ann@example.com has exceeded her storage quota", MAILBOX_FULL, SOFT),
        Arguments.of(550, "5.1.1", "Sorry, the mailbox of ann is over quota", MAILBOX_FULL, SOFT),
        Arguments.of(550, "5.2.1", "The email account that you tried to reach is disabled.", SUSPEND, SOFT),
        Arguments.of(552, "5.3.4", "Message size exceeds fixed limit", MESSAGE_TOO_BIG, SOFT),
        Arguments.of(554, "5.7.1", "<ann@example.com>: Relay access denied", NO_RELAYING, SOFT),
        Arguments.of(451, "4.4.1", "connect to mx.example.com[192.0.2.1]:25: Connection timed out", NETWORK_ERROR, SOFT),
        Arguments.of(450, "4.1.2", "Host or domain name not found (try again)", NETWORK_ERROR, SOFT),
        Arguments.of(450, "4.1.1", "Recipient address rejected: user unknown (lookup failed, try again)", USER_UNKNOWN, SOFT),
        Arguments.of(0, "4.4.7", "Message expired: delivery time exceeded", EXPIRED, SOFT),
        Arguments.of(504, "5.5.2", "Command parameter not implemented", SYNTAX_ERROR, SOFT),
        Arguments.of(550, "", "Mail rejected: we cannot say why", ON_HOLD, SOFT),
        // The sender: block, never suppress the recipient.
        Arguments.of(554, "5.7.1", "Service unavailable; Client host [192.0.2.9] blocked using a DNSBL list", BLOCKED, BLOCK),
        Arguments.of(550, "5.7.1", "Our block list holds your IP; user unknown handling skipped", BLOCKED, BLOCK),
        Arguments.of(550, "5.7.26", "This mail is unauthenticated, which poses a security risk to the sender and recipients", AUTH_FAILURE, BLOCK),
        Arguments.of(550, "5.7.1", "SPF check failed for example.org", AUTH_FAILURE, BLOCK),
        Arguments.of(504, "5.5.2", "<mta.example.org>: Helo command rejected: Host not found", BLOCKED, BLOCK),
        Arguments.of(550, "5.7.1", "Access denied, banned sending IP [192.0.2.9]", BLOCKED, BLOCK),
        Arguments.of(550, "5.7.25", "The IP address sending this message does not have a PTR record setup", REQUIRE_PTR, BLOCK),
        Arguments.of(421, "4.7.0", "[TSS04] Messages from 192.0.2.9 temporarily deferred due to user complaints", BAD_REPUTATION, BLOCK),
        Arguments.of(450, "4.7.1", "Error: too many connections from 192.0.2.9", TOO_MANY_CONN, BLOCK),
        Arguments.of(452, "", "Sending rate limit exceeded, slow down", SPEEDING, BLOCK),
        Arguments.of(554, "5.7.1", "Message rejected as spam by the content filter", SPAM_DETECTED, BLOCK),
        Arguments.of(554, "5.7.1", "A virus was found in the message", VIRUS_DETECTED, BLOCK),
        Arguments.of(550, "5.7.1", "Message has multiple From headers and is not RFC 5322 compliant", NOT_COMPLIANT_RFC, BLOCK),
        Arguments.of(553, "5.1.8", "Domain of sender address bounce@example.org does not exist", REJECTED, BLOCK),
        Arguments.of(550, "5.7.9", "Message not accepted for policy reasons", POLICY_VIOLATION, BLOCK),
        Arguments.of(550, "5.7.0", "Please turn on SMTP Authentication in your mail client", SECURITY_ERROR, BLOCK),
        // Success.
        Arguments.of(250, "2.0.0", "OK queued as 12345", FeedbackReason.DELIVERED, DELIVERED));
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("replies")
  void a_reply_gets_its_reason_and_class(int code, String status, String text, FeedbackReason reason, FeedbackClass feedbackClass) {
    FeedbackVerdict verdict = ReplyClassifier.classify(code, status, text);
    assertThat(verdict.reason()).isEqualTo(reason);
    assertThat(verdict.feedbackClass()).isEqualTo(feedbackClass);
    assertThat(verdict.recipient()).isNull();
  }

  @Test
  void codes_are_read_from_the_text_when_not_given() {
    FeedbackVerdict verdict = ReplyClassifier.classify(0, null, "550-5.1.1 The account you tried to reach does not exist.");
    assertThat(verdict.replyCode()).isEqualTo("550");
    assertThat(verdict.status()).isEqualTo("5.1.1");
    assertThat(verdict.feedbackClass()).isEqualTo(HARD);
  }

  @Test
  void nothing_known_is_unknown_and_a_huge_reply_is_cut() {
    assertThat(ReplyClassifier.classify(0, "", "").feedbackClass()).isEqualTo(FeedbackClass.UNKNOWN);
    FeedbackVerdict huge = ReplyClassifier.classify(550, "5.1.1", "x".repeat(1_000_000));
    assertThat(huge.diagnostic()).hasSize(ReplyClassifier.MAX_TEXT);
    assertThat(huge.reason()).isEqualTo(USER_UNKNOWN);
  }

  @Test
  void the_command_a_failure_answered_refines_the_reason() {
    FeedbackVerdict unknown = ReplyClassifier.classify(550, "", "550 User unknown");
    assertThat(Dsn.refine(unknown, "host mx.example.com said: 550 User unknown (in reply to end of DATA command)").reason())
        .as("refused after DATA: a filter, the address was accepted").isEqualTo(FILTERED);
    assertThat(Dsn.refine(unknown, "host mx.example.com said: 550 User unknown (in reply to RCPT TO command)").reason())
        .isEqualTo(USER_UNKNOWN);
    FeedbackVerdict unexplained = ReplyClassifier.classify(550, "", "550 Go away");
    assertThat(Dsn.refine(unexplained, "SMTP error from remote mail server after MAIL FROM:<a@example.org>: 550 Go away").reason())
        .isEqualTo(REJECTED);
    assertThat(Dsn.refine(unexplained, "SMTP error from remote mail server after initial connection: 550 Go away").feedbackClass())
        .isEqualTo(BLOCK);
  }
}
