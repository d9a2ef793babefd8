package dev.herald.feedback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.herald.feedback.ParsedFeedback.Kind;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Hand-written reports of each family the parser reads, and input meant to break it. */
class FeedbackParserTest {
  static final String VERP = "b+2s.k1.abcdefghijklmnop@bounces.news.example.org";

  static ParsedFeedback parse(String message) {
    return FeedbackParser.parse(message.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void an_rfc3464_report_gives_one_verdict_per_recipient_with_its_fields() {
    ParsedFeedback parsed = parse("""
        From: Mail Delivery System <MAILER-DAEMON@mx.example.net>
        To: %s
        Subject: Undelivered Mail Returned to Sender
        MIME-Version: 1.0
        Content-Type: multipart/report; report-type=delivery-status; boundary="b1"

        --b1
        Content-Type: text/plain

        Your message could not be delivered to some recipients.

        --b1
        Content-Type: message/delivery-status

        Reporting-MTA: dns; mx.example.net

        Final-Recipient: rfc822; ann@example.com
        Action: failed
        Status: 5.1.1
        Remote-MTA: dns; mail.example.com
        Diagnostic-Code: smtp; 550 5.1.1 <ann@example.com>: Recipient address rejected:
            User unknown in virtual mailbox table

        Final-Recipient: rfc822; bob@example.com
        Action: failed
        Status: 5.2.2
        Diagnostic-Code: smtp; 552 5.2.2 Mailbox full

        Final-Recipient: rfc822; cy@example.com
        Action: delivered
        Status: 2.0.0

        --b1
        Content-Type: text/rfc822-headers

        Return-Path: <%s>
        From: News <news@example.org>
        To: ann@example.com
        Message-ID: <m-42@news.example.org>
        Subject: Hello

        --b1--
        """.formatted(VERP, VERP));
    assertThat(parsed.kind()).isEqualTo(Kind.DSN);
    assertThat(parsed.recipients())
        .extracting(FeedbackVerdict::recipient, FeedbackVerdict::feedbackClass, FeedbackVerdict::reason, FeedbackVerdict::status,
            FeedbackVerdict::replyCode)
        .containsExactly(tuple("ann@example.com", FeedbackClass.HARD, FeedbackReason.USER_UNKNOWN, "5.1.1", "550"),
            tuple("bob@example.com", FeedbackClass.SOFT, FeedbackReason.MAILBOX_FULL, "5.2.2", "552"),
            tuple("cy@example.com", FeedbackClass.DELIVERED, FeedbackReason.DELIVERED, "2.0.0", ""));
    assertThat(parsed.recipients().getFirst().remoteMta()).isEqualTo("mail.example.com");
    assertThat(parsed.recipients().getFirst().diagnostic()).contains("User unknown in virtual mailbox table");
    assertThat(parsed.originalMessageId()).contains("m-42@news.example.org");
    assertThat(parsed.originalReturnPath()).contains(VERP);
  }

  @Test
  void an_arf_abuse_report_is_a_complaint_about_its_original_recipient() {
    ParsedFeedback parsed = parse("""
        From: feedback@fbl.example.net
        To: fbl@example.org
        Subject: Complaint
        MIME-Version: 1.0
        Content-Type: multipart/report; report-type=feedback-report; boundary="z"

        --z
        Content-Type: text/plain

        A person marked this message as spam.
        --z
        Content-Type: message/feedback-report

        Feedback-Type: abuse
        User-Agent: ExampleFBL/2.0
        Version: 1
        Original-Rcpt-To: dee@example.net
        Source-IP: 192.0.2.7

        --z
        Content-Type: message/rfc822

        Return-Path: <%s>
        From: news@example.org
        To: dee@example.net
        Message-ID: <m-43@news.example.org>

        Hi
        --z--
        """.formatted(VERP));
    assertThat(parsed.kind()).isEqualTo(Kind.ARF);
    assertThat(parsed.feedbackType()).contains("abuse");
    assertThat(parsed.recipients()).extracting(FeedbackVerdict::recipient, FeedbackVerdict::feedbackClass, FeedbackVerdict::reason)
        .containsExactly(tuple("dee@example.net", FeedbackClass.COMPLAINT, FeedbackReason.FEEDBACK));
    assertThat(parsed.originalMessageId()).contains("m-43@news.example.org");
    assertThat(parsed.originalReturnPath()).contains(VERP);
  }

  @Test
  void arf_opt_out_is_an_unsubscribe_and_auth_failure_an_auth_report() {
    String report = """
        From: fbl@example.net
        To: fbl@example.org
        Subject: Report
        MIME-Version: 1.0
        Content-Type: multipart/report; report-type=feedback-report; boundary="z"

        --z
        Content-Type: message/feedback-report

        Feedback-Type: %s
        Version: 1
        Original-Rcpt-To: <eve@example.net>

        --z--
        """;
    assertThat(parse(report.formatted("opt-out")).recipients().getFirst().feedbackClass()).isEqualTo(FeedbackClass.UNSUBSCRIBE);
    assertThat(parse(report.formatted("auth-failure")).recipients().getFirst().feedbackClass()).isEqualTo(FeedbackClass.AUTH_REPORT);
    assertThat(parse(report.formatted("fraud")).recipients().getFirst().feedbackClass()).isEqualTo(FeedbackClass.COMPLAINT);
  }

  @Test
  void an_out_of_office_reply_is_an_auto_reply_not_a_bounce() {
    ParsedFeedback parsed = parse("""
        From: Fay <fay@example.com>
        To: news@example.org
        Subject: Out of Office: Hello
        Auto-Submitted: auto-replied

        I am away until Monday.
        """);
    assertThat(parsed.kind()).isEqualTo(Kind.AUTO_REPLY);
    assertThat(parsed.recipients()).extracting(FeedbackVerdict::recipient, FeedbackVerdict::feedbackClass, FeedbackVerdict::reason)
        .containsExactly(tuple("fay@example.com", FeedbackClass.AUTO_REPLY, FeedbackReason.VACATION));
  }

  @Test
  void a_persons_reply_is_other_with_no_verdicts() {
    ParsedFeedback parsed = parse("""
        From: Gil <gil@example.com>
        To: news@example.org
        Subject: Re: Hello

        Thanks, see you there.
        """);
    assertThat(parsed.kind()).isEqualTo(Kind.OTHER);
    assertThat(parsed.recipients()).isEmpty();
  }

  /** The timeout only stops a hang (a catastrophic regex, an endless loop) from holding the build: no speed is asserted. */
  @Test
  @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void garbage_and_hostile_input_never_throw() {
    String deepBoundaries = "Content-Type: multipart/mixed; boundary=a\n\n" + "--a\nContent-Type: multipart/mixed; boundary=a\n\n".repeat(20_000);
    String longLine = "From: MAILER-DAEMON@x\nSubject: failure\n\n" + "a@".repeat(300_000) + "b".repeat(500_000);
    String manyAddresses = "From: MAILER-DAEMON@x\nSubject: Undeliverable\n\n" + "<u@example.com>: ".repeat(100_000);
    String spaces = "From: x\nSubject: Returned mail\n\n" + "user unknown  ".repeat(1) + " ".repeat(1_000_000) + "x";
    String dashes = "From: MAILER-DAEMON@x\nSubject: " + "Undeliverable ".repeat(50_000) + "\n\n" + "-".repeat(1_500_000) + "\n";
    StringBuilder distinct = new StringBuilder("From: MAILER-DAEMON@x\nSubject: failure\n\n");
    for (int i = 0; i < 5_000; i++) distinct.append("<user").append(i).append("@example.com>: 550 user unknown\n");
    for (String hostile : new String[] {"", "\0\0\0", deepBoundaries, longLine, manyAddresses, spaces, dashes, distinct.toString()}) {
      ParsedFeedback parsed = FeedbackParser.parse(hostile.getBytes(StandardCharsets.ISO_8859_1));
      assertThat(parsed.recipients()).hasSizeLessThanOrEqualTo(Dsn.MAX_RECIPIENTS);
    }
    assertThat(FeedbackParser.parse(null).kind()).isEqualTo(Kind.OTHER);
  }
  @Test
  void a_bounce_in_an_mtas_own_words_names_each_failed_recipient_with_what_followed_it() {
    ParsedFeedback parsed = parse("""
        From: Mail Delivery System <Mailer-Daemon@relay.example.net>
        To: %s
        Subject: Mail delivery failed: returning message to sender
        X-Failed-Recipients: hal@example.com, ida@example.com

        This message was created automatically by mail delivery software.

        A message that you sent could not be delivered to one or more of its
        recipients. The following address(es) failed:

          hal@example.com
            SMTP error from remote mail server after RCPT TO:<hal@example.com>:
            host mx.example.com [192.0.2.5]: 550 5.1.1 <hal@example.com>: no such user
          ida@example.com
            SMTP error from remote mail server after RCPT TO:<ida@example.com>:
            host mx.example.com [192.0.2.5]: 452 4.2.2 <ida@example.com>: mailbox is full

        ------ This is a copy of the message, including all the headers. ------

        Return-path: <%s>
        From: news@example.org
        To: hal@example.com, ida@example.com
        Message-ID: <m-44@news.example.org>
        Subject: Hello

        Hi
        """.formatted(VERP, VERP));
    assertThat(parsed.kind()).isEqualTo(Kind.DSN);
    assertThat(parsed.recipients()).extracting(FeedbackVerdict::recipient, FeedbackVerdict::feedbackClass, FeedbackVerdict::reason)
        .containsExactly(tuple("hal@example.com", FeedbackClass.HARD, FeedbackReason.USER_UNKNOWN),
            tuple("ida@example.com", FeedbackClass.SOFT, FeedbackReason.MAILBOX_FULL));
    assertThat(parsed.originalMessageId()).contains("m-44@news.example.org");
    assertThat(parsed.originalReturnPath()).contains(VERP);
  }

  @Test
  void a_sender_side_refusal_is_a_block_that_does_not_blame_the_recipient() {
    ParsedFeedback parsed = parse("""
        From: MAILER-DAEMON@out.example.org (Mail Delivery System)
        To: news@example.org
        Subject: Undelivered Mail Returned to Sender
        MIME-Version: 1.0
        Content-Type: multipart/report; report-type=delivery-status; boundary="q"

        --q
        Content-Type: message/delivery-status

        Reporting-MTA: dns; out.example.org

        Final-Recipient: rfc822; jo@example.com
        Action: failed
        Status: 5.7.1
        Diagnostic-Code: smtp; 554 5.7.1 Service unavailable; Client host [192.0.2.9] blocked using bl.example.net

        --q--
        """);
    assertThat(parsed.recipients()).extracting(FeedbackVerdict::recipient, FeedbackVerdict::feedbackClass, FeedbackVerdict::reason)
        .containsExactly(tuple("jo@example.com", FeedbackClass.BLOCK, FeedbackReason.BLOCKED));
  }

  @Test
  void delivery_status_fields_written_into_the_text_are_read_as_a_report() {
    ParsedFeedback parsed = parse("""
        From: postmaster@relay.example.net
        To: news@example.org
        Subject: Delivery failure

        An error occurred while delivering to:
        kay@example.com

        Reporting-MTA: dns; relay.example.net

        Final-Recipient: rfc822; kay@example.com
        Action: failed
        Status: 4.4.1
        Diagnostic-Code: smtp; connect to mx.example.com[192.0.2.3]:25: Connection timed out
        """);
    assertThat(parsed.recipients()).extracting(FeedbackVerdict::recipient, FeedbackVerdict::feedbackClass, FeedbackVerdict::reason)
        .as("failed with a temporary status: the MTA gave up retrying")
        .containsExactly(tuple("kay@example.com", FeedbackClass.SOFT, FeedbackReason.EXPIRED));
  }

  @Test
  void amazon_ses_notifications_and_microsoft_jmrp_reports_are_read() {
    ParsedFeedback bounce = parse("""
        From: no-reply@sns.example.com
        To: news@example.org
        Subject: AWS Notification Message

        {"notificationType":"Bounce","bounce":{"bounceType":"Permanent","bouncedRecipients":[{"emailAddress":"lee@example.com","status":"5.1.1","diagnosticCode":"smtp; 550 5.1.1 user unknown"}]},"mail":{"messageId":"0100-abc"}}
        """);
    assertThat(bounce.recipients()).extracting(FeedbackVerdict::recipient, FeedbackVerdict::feedbackClass, FeedbackVerdict::reason)
        .containsExactly(tuple("lee@example.com", FeedbackClass.HARD, FeedbackReason.USER_UNKNOWN));
    assertThat(bounce.originalMessageId()).contains("0100-abc");

    ParsedFeedback jmrp = parse("""
        From: staff@mail.example.net
        To: fbl@example.org
        Subject: complaint about message from 192.0.2.9
        MIME-Version: 1.0
        Content-Type: multipart/mixed; boundary="j"

        --j
        Content-Type: message/rfc822

        X-HmXmrOriginalRecipient: max@example.net
        From: news@example.org
        Message-ID: <m-45@news.example.org>

        Hi
        --j--
        """);
    assertThat(jmrp.kind()).isEqualTo(Kind.ARF);
    assertThat(jmrp.recipients()).extracting(FeedbackVerdict::recipient, FeedbackVerdict::feedbackClass)
        .containsExactly(tuple("max@example.net", FeedbackClass.COMPLAINT));
  }

  @Test
  void a_mailed_unsubscribe_request_names_its_sender() {
    ParsedFeedback parsed = parse("""
        From: Ned <ned@example.com>
        To: unsubscribe+list7@example.org
        Subject: unsubscribe

        """);
    assertThat(parsed.kind()).isEqualTo(Kind.UNSUBSCRIBE_REQUEST);
    assertThat(parsed.recipients()).extracting(FeedbackVerdict::recipient, FeedbackVerdict::feedbackClass)
        .containsExactly(tuple("ned@example.com", FeedbackClass.UNSUBSCRIBE));
  }
}
