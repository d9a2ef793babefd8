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
        Arguments.of(451, "4.4.1", "connect to mx.example.com[192.0.2.1]:25: Connection timed out", EXPIRED, SOFT),
        Arguments.of(451, "4.4.2", "connect to mx.example.com[192.0.2.1]:25: No route to host", NETWORK_ERROR, SOFT),
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

  /**
   * One reply per phrase family learnt from Sisimai's reason lists and KumoMTA's rules (written here, not copied from
   * either's fixtures), per language for the families MTAs translate, and the precedence between families.
   */
  static Stream<Arguments> phraseFamilies() {
    return Stream.of(
        // Mailbox full, in the words of several servers and languages.
        Arguments.of(552, "", "Requested mail action aborted: exceeded storage allocation", MAILBOX_FULL, SOFT),
        Arguments.of(452, "", "452 Insufficient disk space for ann; try again later", MAILBOX_FULL, SOFT),
        Arguments.of(550, "5.1.1", "The recipient's inbox is full and can't accept messages now", MAILBOX_FULL, SOFT),
        Arguments.of(552, "", "Das Postfach des Empfängers ist voll", MAILBOX_FULL, SOFT),
        Arguments.of(552, "", "La boîte aux lettres du destinataire est pleine", MAILBOX_FULL, SOFT),
        Arguments.of(552, "", "El buzón del destinatario está lleno", MAILBOX_FULL, SOFT),
        Arguments.of(552, "", "Почтовый ящик переполнен", MAILBOX_FULL, SOFT),
        Arguments.of(552, "", "メールボックスの容量を超過しています", MAILBOX_FULL, SOFT),
        // Too big, over a limit.
        Arguments.of(552, "", "Message size 31457280 is larger than the permitted 26214400", MESSAGE_TOO_BIG, SOFT),
        Arguments.of(552, "", "Die Nachricht ist zu groß", MESSAGE_TOO_BIG, SOFT),
        // The account is suspended or disabled: soft.
        Arguments.of(550, "5.2.1", "The mailbox of ann is currently suspended", SUSPEND, SOFT),
        Arguments.of(550, "", "Recipient rejected: temporarily inactive", SUSPEND, SOFT),
        Arguments.of(550, "", "Das Konto wurde deaktiviert", SUSPEND, SOFT),
        // The address does not exist: hard, in many languages.
        Arguments.of(550, "", "Sorry, no mailbox here by that name (#5.1.1)", USER_UNKNOWN, HARD),
        Arguments.of(550, "", "ann@example.com: there is no one at this address", USER_UNKNOWN, HARD),
        Arguments.of(550, "", "Utilisateur inconnu / destinataire inconnu", USER_UNKNOWN, HARD),
        Arguments.of(550, "", "Unbekannter Empfänger: ann@example.de", USER_UNKNOWN, HARD),
        Arguments.of(550, "", "Die Adresse ann@example.de existiert nicht", USER_UNKNOWN, HARD),
        Arguments.of(550, "", "Usuario desconocido: ann@example.es", USER_UNKNOWN, HARD),
        Arguments.of(550, "", "Utente sconosciuto in questo dominio", USER_UNKNOWN, HARD),
        Arguments.of(550, "", "Usuário desconhecido", USER_UNKNOWN, HARD),
        Arguments.of(550, "", "Пользователь не найден", USER_UNKNOWN, HARD),
        Arguments.of(550, "", "宛先のユーザーが存在しません", USER_UNKNOWN, HARD),
        Arguments.of(550, "", "收件人不存在", USER_UNKNOWN, HARD),
        // A filter of the recipient's, not the address: soft. A carrier's "550 : User unknown" (no address where it belongs)
        // is its filter refusing the sender.
        Arguments.of(550, "", "550 : User unknown", FILTERED, SOFT),
        Arguments.of(550, "", "Message rejected due to user rules", FILTERED, SOFT),
        Arguments.of(550, "", "You have been blocked by the recipient", FILTERED, SOFT),
        // The sender: block, never the recipient's fault.
        Arguments.of(550, "", "Sender verify failed", REJECTED, BLOCK),
        Arguments.of(553, "", "Null sender is not allowed", REJECTED, BLOCK),
        Arguments.of(550, "", "Expéditeur refusé", REJECTED, BLOCK),
        Arguments.of(550, "", "Absender abgelehnt", REJECTED, BLOCK),
        Arguments.of(554, "", "ESMTP not accepting connections", BLOCKED, BLOCK),
        Arguments.of(550, "", "We do not accept mail from dynamic IPs", BLOCKED, BLOCK),
        Arguments.of(550, "5.7.1", "Your message has triggered a SPAM block", SPAM_DETECTED, BLOCK),
        Arguments.of(550, "", "Die Nachricht wurde als Spam eingestuft", SPAM_DETECTED, BLOCK),
        Arguments.of(550, "", "Сообщение отклонено как спам", SPAM_DETECTED, BLOCK),
        Arguments.of(554, "5.7.1", "Message not accepted for policy reasons", POLICY_VIOLATION, BLOCK),
        Arguments.of(550, "", "Email rejected due to security policies", POLICY_VIOLATION, BLOCK),
        Arguments.of(535, "", "Authentication credentials invalid", SECURITY_ERROR, BLOCK),
        // The receiving system, the network, the time: soft.
        Arguments.of(451, "", "Temporary local problem - please try later", SYSTEM_ERROR, SOFT),
        Arguments.of(554, "", "Mail for ann@example.com loops back to myself", SYSTEM_ERROR, SOFT),
        Arguments.of(554, "", "Too many hops, mail forwarding loop", NETWORK_ERROR, SOFT),
        Arguments.of(0, "", "Retry time not reached for any host after a long failure period", EXPIRED, SOFT),
        Arguments.of(0, "", "Message expired after sitting in queue for 5 days", EXPIRED, SOFT),
        Arguments.of(550, "", "Host/domain does not accept mail", NOT_ACCEPT, HARD),
        Arguments.of(550, "", "Le domaine est inconnu: domaine inexistant", HOST_UNKNOWN, HARD));
  }

  @ParameterizedTest(name = "{0} {1} {2}")
  @MethodSource("phraseFamilies")
  void each_phrase_family_gets_its_reason_and_class(int code, String status, String text, FeedbackReason reason, FeedbackClass feedbackClass) {
    FeedbackVerdict verdict = ReplyClassifier.classify(code, status, text);
    assertThat(verdict.reason()).isEqualTo(reason);
    assertThat(verdict.feedbackClass()).isEqualTo(feedbackClass);
  }

  /** RFC 3463 subject and detail codes alone, when no words say more (Sisimai's table, KumoMTA's IANA rules). */
  static Stream<Arguments> statusCodes() {
    return Stream.of(
        Arguments.of("5.1.1", USER_UNKNOWN, HARD), Arguments.of("5.1.2", HOST_UNKNOWN, HARD), Arguments.of("5.1.10", NOT_ACCEPT, HARD),
        Arguments.of("5.1.6", HAS_MOVED, HARD), Arguments.of("5.7.17", HAS_MOVED, HARD), Arguments.of("5.1.8", REJECTED, BLOCK),
        Arguments.of("5.2.1", FILTERED, SOFT), Arguments.of("4.2.2", MAILBOX_FULL, SOFT), Arguments.of("5.2.3", EXCEED_LIMIT, SOFT),
        Arguments.of("4.3.1", SYSTEM_FULL, SOFT), Arguments.of("5.3.4", MESSAGE_TOO_BIG, SOFT), Arguments.of("4.4.1", EXPIRED, SOFT),
        Arguments.of("4.4.7", EXPIRED, SOFT), Arguments.of("4.4.4", NETWORK_ERROR, SOFT), Arguments.of("5.4.4", HOST_UNKNOWN, HARD),
        Arguments.of("4.4.6", NETWORK_ERROR, SOFT), Arguments.of("5.5.3", TOO_MANY_CONN, BLOCK), Arguments.of("5.6.3", CONTENT_ERROR, BLOCK),
        Arguments.of("5.6.99", CONTENT_ERROR, BLOCK), Arguments.of("5.7.1", SECURITY_ERROR, BLOCK), Arguments.of("5.7.13", SUSPEND, SOFT),
        Arguments.of("5.7.21", AUTH_FAILURE, BLOCK), Arguments.of("5.7.25", REQUIRE_PTR, BLOCK), Arguments.of("5.7.30", FAILED_STARTTLS, SOFT),
        Arguments.of("5.7.99", SECURITY_ERROR, BLOCK));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("statusCodes")
  void a_status_code_alone_gives_the_reason_rfc_3463_means(String status, FeedbackReason reason, FeedbackClass feedbackClass) {
    FeedbackVerdict verdict = ReplyClassifier.classify(Integer.parseInt(status.substring(0, 1) + "50"), status, "Requested action not taken");
    assertThat(verdict.reason()).isEqualTo(reason);
    assertThat(verdict.feedbackClass()).isEqualTo(feedbackClass);
  }

  @Test
  void a_temporary_undefined_status_leaves_the_reason_open_and_never_hard() {
    assertThat(ReplyClassifier.classify(451, "4.4.0", "Requested action aborted").reason()).isEqualTo(ON_HOLD);
    assertThat(ReplyClassifier.classify(450, "4.1.2", "Requested action not taken").reason()).isEqualTo(NETWORK_ERROR);
    assertThat(ReplyClassifier.classify(450, "4.1.2", "Requested action not taken").feedbackClass()).isEqualTo(SOFT);
  }

  @Test
  void a_multi_line_reply_joined_into_one_still_matches_its_phrase() {
    String joined = "550-5.7.1 [192.0.2.9 13] Messages with multiple 550-5.7.1 addresses in From: header are not 550 5.7.1 accepted.";
    assertThat(ReplyClassifier.withoutContinuations(joined))
        .isEqualTo("550-5.7.1 [192.0.2.9 13] Messages with multiple addresses in From: header are not accepted.");
    assertThat(ReplyClassifier.classify(550, "5.7.1", joined).reason()).isEqualTo(NOT_COMPLIANT_RFC);
    assertThat(ReplyClassifier.withoutContinuations("no code here")).isEqualTo("no code here");
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
    FeedbackVerdict unexplained = ReplyClassifier.classify(550, "", "550 Not today");
    assertThat(Dsn.refine(unexplained, "SMTP error from remote mail server after MAIL FROM:<a@example.org>: 550 Not today").reason())
        .isEqualTo(REJECTED);
    assertThat(Dsn.refine(unexplained, "SMTP error from remote mail server after initial connection: 550 Not today").feedbackClass())
        .isEqualTo(BLOCK);
  }
}
