package dev.herald.feedback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.herald.feedback.ParsedFeedback.Kind;
import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Hand-written bounces of the families the corpus has few or none of: other languages (in their own charsets), a
 * carrier's filter that says "User unknown", Google Groups refusing a post, auto-replies beside bounces, and a
 * multipart/report that lost its delivery-status part. Typed here, not taken from any corpus.
 */
class FeedbackLanguagesTest {

  /** The header in ASCII (CRLF) and the body in {@code charset}, as a mail system would send them. */
  static ParsedFeedback parse(String header, String body, Charset charset) {
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    raw.writeBytes(header.replace("\n", "\r\n").getBytes(StandardCharsets.US_ASCII));
    raw.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    raw.writeBytes(body.replace("\n", "\r\n").getBytes(charset));
    return FeedbackParser.parse(raw.toByteArray());
  }

  static ParsedFeedback parse(String message) {
    return FeedbackParser.parse(message.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void a_german_exchange_report_without_a_status_part_is_a_hard_unknown_user() {
    ParsedFeedback parsed = parse("""
        From: Microsoft Outlook <postmaster@mail.example.de>
        To: news@example.org
        Subject: Unzustellbar: Angebot
        MIME-Version: 1.0
        Content-Type: text/plain; charset=iso-8859-1
        Content-Transfer-Encoding: 8bit
        """, """
        Die Nachricht konnte nicht an folgende Empfänger zugestellt werden:

        ann@example.de
        Der Empfänger wurde nicht gefunden. Prüfen Sie die Adresse und senden Sie die Nachricht erneut.
        """, StandardCharsets.ISO_8859_1);
    assertThat(parsed.kind()).isEqualTo(Kind.DSN);
    assertThat(parsed.recipients()).extracting(FeedbackVerdict::recipient, FeedbackVerdict::feedbackClass, FeedbackVerdict::reason)
        .containsExactly(tuple("ann@example.de", FeedbackClass.HARD, FeedbackReason.USER_UNKNOWN));
  }

  @Test
  void a_french_full_mailbox_is_soft() {
    ParsedFeedback parsed = parse("""
        From: MAILER-DAEMON@smtp.example.fr (Systeme de messagerie)
        To: news@example.org
        Subject: =?UTF-8?Q?Message_non_remis?=
        MIME-Version: 1.0
        Content-Type: text/plain; charset=utf-8
        Content-Transfer-Encoding: 8bit
        """, """
        Votre message n'a pas pu être remis au destinataire suivant :

        <bob@example.fr> : la boîte aux lettres du destinataire est pleine, veuillez réessayer plus tard.
        """, StandardCharsets.UTF_8);
    assertThat(parsed.recipients()).extracting(FeedbackVerdict::recipient, FeedbackVerdict::feedbackClass, FeedbackVerdict::reason)
        .containsExactly(tuple("bob@example.fr", FeedbackClass.SOFT, FeedbackReason.MAILBOX_FULL));
  }

  @Test
  void a_spanish_unknown_user_from_a_sender_that_is_not_a_robot_is_found_by_its_subject() {
    ParsedFeedback parsed = parse("""
        From: Servicio de correo <sistema@example.es>
        To: news@example.org
        Subject: Entrega fallida: Oferta
        MIME-Version: 1.0
        Content-Type: text/plain; charset=iso-8859-1
        Content-Transfer-Encoding: 8bit
        """, """
        No se pudo entregar el mensaje a carla@example.es.
        Motivo: usuario desconocido en este servidor.
        """, StandardCharsets.ISO_8859_1);
    assertThat(parsed.kind()).isEqualTo(Kind.DSN);
    assertThat(parsed.recipients()).extracting(FeedbackVerdict::recipient, FeedbackVerdict::feedbackClass, FeedbackVerdict::reason)
        .containsExactly(tuple("carla@example.es", FeedbackClass.HARD, FeedbackReason.USER_UNKNOWN));
  }

  @Test
  void a_japanese_bounce_in_iso_2022_jp_is_read_in_its_charset() {
    ParsedFeedback parsed = parse("""
        From: Mail Administrator <postmaster@mx.example.jp>
        To: news@example.org
        Subject: =?ISO-2022-JP?B?GyRCR1s/LiUoJWkhPBsoQg==?=
        MIME-Version: 1.0
        Content-Type: text/plain; charset=ISO-2022-JP
        Content-Transfer-Encoding: 7bit
        """, """
        以下の宛先にメールを配信できませんでした。

        dai@example.jp
        宛先のユーザーが存在しません。
        """, Charset.forName("ISO-2022-JP"));
    assertThat(parsed.recipients()).extracting(FeedbackVerdict::recipient, FeedbackVerdict::feedbackClass, FeedbackVerdict::reason)
        .containsExactly(tuple("dai@example.jp", FeedbackClass.HARD, FeedbackReason.USER_UNKNOWN));
  }

  @Test
  void a_russian_full_mailbox_in_koi8_r_is_soft() {
    ParsedFeedback parsed = parse("""
        From: Mail system <system@mail.example.ru>
        To: news@example.org
        Subject: =?UTF-8?B?0J3QtdC00L7RgdGC0LDQstC70LXQvdC90L7QtSDRgdC+0L7QsdGJ0LXQvdC40LU=?=
        MIME-Version: 1.0
        Content-Type: text/plain; charset=KOI8-R
        Content-Transfer-Encoding: 8bit
        """, """
        Ваше сообщение не доставлено получателю ivan@example.ru:
        почтовый ящик переполнен.
        """, Charset.forName("KOI8-R"));
    assertThat(parsed.kind()).as("found by its Russian subject").isEqualTo(Kind.DSN);
    assertThat(parsed.recipients()).extracting(FeedbackVerdict::recipient, FeedbackVerdict::feedbackClass, FeedbackVerdict::reason)
        .containsExactly(tuple("ivan@example.ru", FeedbackClass.SOFT, FeedbackReason.MAILBOX_FULL));
  }

  @Test
  void a_carriers_user_unknown_without_the_address_is_its_filter_and_soft_while_with_the_address_it_is_hard() {
    String report = """
        From: Mail Delivery Subsystem <mailer-daemon@relay.example.net>
        To: news@example.org
        Subject: Delivery Status Notification (Failure)
        MIME-Version: 1.0
        Content-Type: multipart/report; report-type=delivery-status; boundary="r1"

        --r1
        Content-Type: text/plain

        Delivery to the following recipient failed permanently.

        --r1
        Content-Type: message/delivery-status

        Reporting-MTA: dns; relay.example.net

        Final-Recipient: rfc822; eri@mobile.example.jp
        Action: failed
        Status: 5.0.0
        Diagnostic-Code: smtp; %s

        --r1--
        """;
    assertThat(parse(report.formatted("550 : User unknown")).recipients())
        .extracting(FeedbackVerdict::feedbackClass, FeedbackVerdict::reason).containsExactly(tuple(FeedbackClass.SOFT, FeedbackReason.FILTERED));
    assertThat(parse(report.formatted("550 <eri@mobile.example.jp>: User unknown")).recipients())
        .extracting(FeedbackVerdict::feedbackClass, FeedbackVerdict::reason).containsExactly(tuple(FeedbackClass.HARD, FeedbackReason.USER_UNKNOWN));
  }

  @Test
  void google_groups_refusing_a_post_in_any_language_is_a_block_about_the_sender_even_marked_auto_replied() {
    ParsedFeedback parsed = parse("""
        From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
        To: news@example.org
        Subject: Delivery Status Notification (Failure)
        Auto-Submitted: auto-replied
        X-Failed-Recipients: team@googlegroups.com
        MIME-Version: 1.0
        Content-Type: text/plain; charset=UTF-8
        Content-Transfer-Encoding: 8bit
        """, """
        Hallo news@example.org,

        die Gruppe (team), an die Sie schreiben wollten, existiert möglicherweise nicht, oder Sie dürfen in ihr nichts veröffentlichen.

        Hilfe finden Sie unter https://groups.google.com/support/.
        """, StandardCharsets.UTF_8);
    assertThat(parsed.kind()).isEqualTo(Kind.DSN);
    assertThat(parsed.recipients()).extracting(FeedbackVerdict::recipient, FeedbackVerdict::feedbackClass, FeedbackVerdict::reason)
        .containsExactly(tuple("team@googlegroups.com", FeedbackClass.BLOCK, FeedbackReason.REJECTED));
  }

  @Test
  void out_of_office_replies_in_other_languages_are_auto_replies_not_bounces() {
    for (String subject : new String[] {"Abwesenheitsnotiz: Angebot", "Automatische Antwort: Angebot", "Réponse automatique : Offre",
        "=?UTF-8?B?0JDQstGC0L7QvtGC0LLQtdGCOiDQn9GA0LXQtNC70L7QttC10L3QuNC1?=", "=?UTF-8?B?44CQ6Ieq5YuV6L+U5L+h44CR44GK55+l44KJ44Gb?="}) {
      ParsedFeedback parsed = parse("""
          From: Ann <ann@example.de>
          To: news@example.org
          Subject: %s
          MIME-Version: 1.0
          Content-Type: text/plain; charset=utf-8

          Ich bin bis zum 3. Januar nicht im Büro; Ihre Nachricht wird nicht weitergeleitet.
          """.formatted(subject));
      assertThat(parsed.kind()).as(subject).isEqualTo(Kind.AUTO_REPLY);
      assertThat(parsed.recipients()).extracting(FeedbackVerdict::recipient, FeedbackVerdict::feedbackClass)
          .containsExactly(tuple("ann@example.de", FeedbackClass.AUTO_REPLY));
    }
  }

  @Test
  void a_bounce_of_an_auto_reply_is_still_a_bounce() {
    ParsedFeedback parsed = parse("""
        From: MAILER-DAEMON@mx.example.com (Mail Delivery System)
        To: news@example.org
        Subject: Undelivered Mail Returned to Sender
        Auto-Submitted: auto-replied
        MIME-Version: 1.0
        Content-Type: text/plain

        I'm sorry to have to inform you that your message could not
        be delivered to one or more recipients.

        <fay@example.com>: host mx.example.com[192.0.2.5] said: 550 5.1.1
            <fay@example.com>: Recipient address rejected: User unknown in local
            recipient table (in reply to RCPT TO command)
        """);
    assertThat(parsed.kind()).isEqualTo(Kind.DSN);
    assertThat(parsed.recipients()).extracting(FeedbackVerdict::recipient, FeedbackVerdict::feedbackClass, FeedbackVerdict::reason)
        .containsExactly(tuple("fay@example.com", FeedbackClass.HARD, FeedbackReason.USER_UNKNOWN));
  }

  @Test
  void a_multipart_report_without_its_delivery_status_part_is_read_from_its_text() {
    ParsedFeedback parsed = parse("""
        From: Mail Delivery Subsystem <mailer-daemon@example.net>
        To: news@example.org
        Subject: Delivery Status Notification (Failure)
        MIME-Version: 1.0
        Content-Type: multipart/report; report-type=delivery-status; boundary="m1"

        --m1
        Content-Type: text/plain; charset=UTF-8

        Delivery to the following recipient failed permanently:

             gus@example.com

        Technical details of permanent failure:
        The recipient server did not accept our requests to deliver: 552 5.2.2 The email account that you
        tried to reach is over quota.

        --m1
        Content-Type: text/rfc822-headers

        From: News <news@example.org>
        To: gus@example.com
        Message-ID: <m-7@news.example.org>
        Subject: Hello

        --m1--
        """);
    assertThat(parsed.kind()).isEqualTo(Kind.DSN);
    assertThat(parsed.originalMessageId()).contains("m-7@news.example.org");
    assertThat(parsed.recipients()).extracting(FeedbackVerdict::recipient, FeedbackVerdict::feedbackClass, FeedbackVerdict::reason,
        FeedbackVerdict::status).containsExactly(tuple("gus@example.com", FeedbackClass.SOFT, FeedbackReason.MAILBOX_FULL, "5.2.2"));
  }
}
